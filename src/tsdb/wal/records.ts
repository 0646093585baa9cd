// The records of the samples WAL, each one frame of src/wal/: a type byte, then entries to the
// end of the record (no count, so a writer can add entries as they come). Integers are varints,
// times zigzag deltas from the previous entry's time (0 for the first), values raw float64.
//
//   SERIES     (ref uvarint, label count uvarint, (name string, value string)*)*
//   SAMPLES    (ref uvarint, Δt varint, v float64)*
//   STALE      (ref uvarint, Δt varint)*                    staleness markers
//   EXEMPLARS  (series labels, Δt varint, v float64, exemplar labels)*  labels as in SERIES
//   METADATA   (metric name string, type u8, unit string, help string)*
//   CHUNKS     ref uvarint, (XOR chunk bytes)*               checkpoints only: a series' chunks
//
// A ref names a series from its SERIES entry on, until a later SERIES entry gives the ref to
// another label set (a restarted process numbers its series anew; it logs each one it touches).
import type { Labels } from '../../labels/labels.js';
import type { MetricMetadata } from '../../storage/storage.js';
import { RecordDecodeError, RecordReader, RecordWriter } from '../../wal/record-codec.js';

export const RecordType = {
  SERIES: 1,
  SAMPLES: 2,
  STALE: 3,
  EXEMPLARS: 4,
  METADATA: 5,
  CHUNKS: 6,
} as const;

const METADATA_TYPES: readonly MetricMetadata['type'][] = [
  'unknown',
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
];

export function writeLabels(w: RecordWriter, labels: Labels): void {
  w.uvarint(labels.length);
  for (const l of labels) w.string(l.name).string(l.value);
}

export function readLabels(r: RecordReader): Labels {
  const n = r.uvarint();
  if (n > r.remaining) throw new RecordDecodeError(`label count ${n} exceeds the record`);
  const out: { name: string; value: string }[] = [];
  for (let i = 0; i < n; i++) out.push({ name: r.string(), value: r.string() });
  return out;
}

export function writeMetadata(w: RecordWriter, name: string, m: MetricMetadata): void {
  w.string(name)
    .u8(Math.max(0, METADATA_TYPES.indexOf(m.type)))
    .string(m.unit)
    .string(m.help);
}

export function readMetadata(r: RecordReader): { name: string; metadata: MetricMetadata } {
  const name = r.string();
  const type = METADATA_TYPES[r.u8()];
  if (type === undefined) throw new RecordDecodeError('unknown metric type');
  const unit = r.string();
  const help = r.string();
  return { name, metadata: { type, help, unit } };
}

/**
 * One record being built: the type byte goes in with the first entry; `t` is the time the next
 * entry's delta is taken from.
 */
export class PendingRecord {
  readonly w = new RecordWriter();
  t = 0;

  constructor(readonly type: number) {}

  get empty(): boolean {
    return this.w.length === 0;
  }

  /** Begins an entry, writing the type byte first when the record is new. */
  entry(): RecordWriter {
    if (this.w.length === 0) this.w.u8(this.type);
    return this.w;
  }

  /** Writes t as a delta from the previous entry's. */
  time(t: number): void {
    this.w.varint(t - this.t);
    this.t = t;
  }

  reset(): void {
    this.w.reset();
    this.t = 0;
  }
}
