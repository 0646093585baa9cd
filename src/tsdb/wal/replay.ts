// Replays the samples WAL into the head: series re-created, samples appended in log order
// through the head's own append path, so what the head would refuse now (out of order, older
// than retention) is dropped and counted exactly as at ingestion.
import type { Labels } from '../../labels/labels.js';
import { RecordDecodeError, RecordReader } from '../../wal/record-codec.js';
import type { ReplayResult, WriteAheadLog } from '../../wal/wal.js';
import { decodeXorInto, xorNumSamples } from '../chunks/xor.js';
import type { Head } from '../head.js';
import type { AppendStatus } from '../../storage/storage.js';
import { RecordType, readLabels, readMetadata } from './records.js';

export interface SamplesReplayStats {
  readonly wal: ReplayResult;
  readonly series: number;
  /** samples (and staleness markers) the head took back */
  readonly samples: number;
  readonly exemplars: number;
  readonly metadata: number;
  /** samples the head refused on replay, by why (too old after the downtime, out of order) */
  readonly refused: ReadonlyMap<Exclude<AppendStatus, 'ok'>, number>;
  /** sample entries naming a ref no SERIES entry defined (lost in a cut part of the log) */
  readonly unknownRefs: number;
  readonly durationMs: number;
}

export function replaySamplesWal(wal: WriteAheadLog, head: Head): SamplesReplayStats {
  const t0 = performance.now();
  /** WAL ref → the series' labels and, once it has a sample, its head ref (refs are small integers) */
  const refs: ({ labels: Labels; ref: number | undefined } | undefined)[] = [];
  const refused = new Map<Exclude<AppendStatus, 'ok'>, number>();
  let series = 0;
  let samples = 0;
  let exemplars = 0;
  let metadata = 0;
  let unknownRefs = 0;
  let T = new Float64Array(256);
  let V = new Float64Array(256);
  let S = new Uint8Array(256);

  // Series are created in the head by their first sample (as at ingestion), so a series whose
  // samples are all refused now is not created, and retention running mid-replay cannot remove
  // a series before its samples arrive.
  const put = (walRef: number, t: number, v: number, stale: boolean): void => {
    const s = refs[walRef];
    if (s === undefined) {
      unknownRefs++;
      return;
    }
    // appendRef is undefined before the first sample and after retention dropped the series.
    let status = s.ref === undefined ? undefined : head.appendRef(s.ref, t, v, stale);
    if (status === undefined) {
      status = stale ? head.appendStale(s.labels, t) : head.append(s.labels, t, v);
      if (status === 'ok') s.ref = head.refOf(s.labels);
    }
    if (status === 'ok') samples++;
    else refused.set(status, (refused.get(status) ?? 0) + 1);
  };

  const visit = (record: Uint8Array): void => {
    const r = new RecordReader(record);
    const type = r.u8();
    let t = 0;
    switch (type) {
      case RecordType.SERIES:
        while (!r.done) {
          const walRef = r.uvarint();
          if (walRef > 0xffffffff) throw new RecordDecodeError(`series ref ${walRef} out of range`);
          refs[walRef] = { labels: readLabels(r), ref: undefined };
          series++;
        }
        return;
      case RecordType.SAMPLES:
        while (!r.done) {
          const ref = r.uvarint();
          t += r.varint();
          put(ref, t, r.f64(), false);
        }
        return;
      case RecordType.STALE:
        while (!r.done) {
          const ref = r.uvarint();
          t += r.varint();
          put(ref, t, NaN, true);
        }
        return;
      case RecordType.EXEMPLARS:
        while (!r.done) {
          const seriesLabels = readLabels(r);
          t += r.varint();
          const value = r.f64();
          head.appendExemplar(seriesLabels, { labels: readLabels(r), value, t });
          exemplars++;
        }
        return;
      case RecordType.METADATA:
        while (!r.done) {
          const m = readMetadata(r);
          head.setMetadata(m.name, m.metadata);
          metadata++;
        }
        return;
      case RecordType.CHUNKS: {
        const ref = r.uvarint();
        while (!r.done) {
          const chunk = r.bytes();
          if (chunk.length < 2) throw new RecordDecodeError('chunk shorter than its header');
          const n = xorNumSamples(chunk);
          if (T.length < n) {
            T = new Float64Array(n);
            V = new Float64Array(n);
            S = new Uint8Array(n);
          }
          const got = decodeXorInto(chunk, 0, undefined, -Infinity, Infinity, T, V, S, 0);
          for (let i = 0; i < got; i++) put(ref, T[i]!, V[i]!, S[i] === 1);
        }
        return;
      }
      default:
        throw new RecordDecodeError(`unknown record type ${type}`);
    }
  };

  const result = wal.replay(visit);
  return {
    wal: result,
    series,
    samples,
    exemplars,
    metadata,
    refused,
    unknownRefs,
    durationMs: performance.now() - t0,
  };
}
