// The log store's data directory: a write-ahead log (src/wal) under <dir>/wal holding every
// accepted batch, already mapped (stream labels, origins, record fields), written before the
// batch is stored and so before the receiver's 200. On start the log (checkpoint + later
// segments) is replayed into the empty store. Once the log outgrows its bound, a checkpoint
// replaces it with the store's current records (one WAL record per chunk, oldest written
// first), so replay reads about what the store holds, never the whole history.
//
// WAL batch record: u8 kind (1), f64 wall clock ms of the write, uvarint group count; per group
// the stream labels, uvarint origin count and each origin's labels, uvarint record count; per
// record f64 time ns, f64 observed ns, u8 severity number, u8 level, str severity text, bytes
// of the trace ID and of the span ID (none when absent), uvarint origin index, str line, the
// attributes. A label
// list is a uvarint count of (str name, str value).
import path from 'node:path';
import type { Label } from '../labels/labels.js';
import type { SelfMetrics } from '../selfmetrics/registry.js';
import { RecordDecodeError, RecordReader, RecordWriter, WriteAheadLog, walMetricNames } from '../wal/index.js';
import type { RecordFields } from './block.js';

const KIND_BATCH = 1;

/** A stream's share of a batch; a record's `origin` indexes `origins`. */
export interface LoggedGroup {
  readonly labels: readonly Label[];
  readonly origins: readonly (readonly Label[])[];
  readonly records: readonly RecordFields[];
}

/** What one WAL record holds: records written at `nowMs` (retention counts from it). */
export interface LoggedBatch {
  readonly nowMs: number;
  readonly groups: readonly LoggedGroup[];
}

export interface LogDataDirOptions {
  /** the directory (the backend gives <data-dir>/logs) */
  readonly dir: string;
  /** a checkpoint is written once the log takes more than this (and twice the last checkpoint); default 64 MiB */
  readonly checkpointBytes?: number;
  /** fsync interval of the log (default the WAL's, 5 s; Infinity in tests) */
  readonly fsyncIntervalMs?: number;
  /** size at which the log begins a new file (default the WAL's, 128 MiB) */
  readonly walSegmentBytes?: number;
  readonly log?: (line: string) => void;
}

export interface LogReplay {
  readonly batches: number;
  readonly records: number;
  readonly corruptions: number;
  readonly cutBytes: number;
  readonly unreadable: number;
  readonly durationMs: number;
}

export class LogDataDir {
  readonly wal: WriteAheadLog;
  private readonly log: (line: string) => void;
  private readonly checkpointBytes: number;
  private readonly writer = new RecordWriter(64 * 1024);
  /** the last batch could not be logged: the next one starts a new file */
  private walFailed = false;
  private lastCheckpointBytes = 0;
  replayedRecords = 0;

  constructor(opts: LogDataDirOptions) {
    this.log = opts.log ?? ((line) => console.error(line));
    this.checkpointBytes = opts.checkpointBytes ?? 64 * 1024 * 1024;
    this.wal = new WriteAheadLog({
      dir: path.join(opts.dir, 'wal'),
      metrics: walMetricNames('orrery_logs'),
      segmentBytes: opts.walSegmentBytes,
      fsyncIntervalMs: opts.fsyncIntervalMs,
      log: this.log,
    });
  }

  /** Hands every logged batch to `store`, oldest first, then opens the log for appends. */
  replay(store: (batch: LoggedBatch) => void): LogReplay {
    let batches = 0;
    let records = 0;
    const r = this.wal.replay((rec) => {
      const batch = decodeBatch(rec);
      store(batch);
      batches++;
      for (const g of batch.groups) records += g.records.length;
    });
    this.replayedRecords = records;
    this.lastCheckpointBytes = r.checkpoint !== undefined ? r.bytes : 0;
    if (r.records > 0 || r.corruptions > 0)
      this.log(
        `orrery: log store: replayed ${records} log records (${batches} batches${r.checkpoint !== undefined ? ', from a checkpoint' : ''}) in ${r.durationMs.toFixed(0)} ms` +
          (r.corruptions > 0 ? ` (${r.corruptions} torn or corrupt tails cut, ${r.cutBytes} bytes)` : '') +
          (r.unreadableRecords > 0 ? `, ${r.unreadableRecords} unreadable batches skipped` : ''),
      );
    this.wal.start();
    return {
      batches,
      records,
      corruptions: r.corruptions,
      cutBytes: r.cutBytes,
      unreadable: r.unreadableRecords,
      durationMs: r.durationMs,
    };
  }

  /** Logs a batch before it is stored: throws RefusedError('unavailable') when it cannot be written (nothing logged). */
  logBatch(batch: LoggedBatch): void {
    const rec = encodeBatch(this.writer, batch);
    try {
      // after a failed write, a new file: the failed one may be on a device that stays full
      if (this.walFailed) this.wal.cut();
      this.wal.append(rec);
    } catch (err) {
      this.walFailed = true;
      throw err;
    }
    this.walFailed = false;
  }

  /** Whether the log has grown enough that checkpoint() should run. */
  get checkpointDue(): boolean {
    return this.wal.sizeBytes() > Math.max(this.checkpointBytes, 2 * this.lastCheckpointBytes);
  }

  /** Replaces the log with `snapshot`, the store's current records (a failure is logged; the log stays). */
  checkpoint(snapshot: () => Iterable<LoggedBatch>): void {
    const w = new RecordWriter(64 * 1024);
    const done = this.wal.checkpoint((sink) => {
      for (const b of snapshot()) sink.append(encodeBatch(w, b));
    });
    if (done) {
      this.lastCheckpointBytes = done.bytes;
      this.log(
        `orrery: log store: checkpoint of ${done.records} chunks (${(done.bytes / 1048576).toFixed(1)} MiB) in ${done.durationMs.toFixed(0)} ms`,
      );
    }
  }

  shutdown(): void {
    this.wal.shutdown();
  }

  registerMetrics(registry: SelfMetrics): void {
    this.wal.registerMetrics(registry);
  }
}

/** A trace (32 hex digits) or span ID's (16) bytes; none for any other length, which the block does not keep either. */
function idBytes(hex: string, digits: number): Uint8Array {
  return hex.length === digits ? Buffer.from(hex, 'hex') : EMPTY;
}

const EMPTY = new Uint8Array(0);

function writeLabels(w: RecordWriter, labels: readonly Label[]): void {
  w.uvarint(labels.length);
  for (const l of labels) w.string(l.name).string(l.value);
}

function readLabels(r: RecordReader): Label[] {
  const n = r.uvarint();
  if (n > r.remaining) throw new RecordDecodeError(`label count ${n} beyond the record`);
  const out: Label[] = [];
  for (let i = 0; i < n; i++) out.push({ name: r.string(), value: r.string() });
  return out;
}

/** The batch's record, a view into `w`'s buffer (valid until its next use). */
export function encodeBatch(w: RecordWriter, batch: LoggedBatch): Uint8Array {
  w.reset().u8(KIND_BATCH).f64(batch.nowMs).uvarint(batch.groups.length);
  for (const g of batch.groups) {
    writeLabels(w, g.labels);
    w.uvarint(g.origins.length);
    for (const o of g.origins) writeLabels(w, o);
    w.uvarint(g.records.length);
    for (const rec of g.records) {
      w.f64(rec.timeNs).f64(rec.observedNs).u8(rec.severityNumber).u8(rec.level);
      w.string(rec.severityText).bytes(idBytes(rec.traceId, 32)).bytes(idBytes(rec.spanId, 16));
      w.uvarint(rec.origin).string(rec.line);
      writeLabels(w, rec.attributes);
    }
  }
  return w.view();
}

/** A logged batch back; RecordDecodeError for anything that does not read as one. */
export function decodeBatch(rec: Uint8Array): LoggedBatch {
  const r = new RecordReader(rec);
  const kind = r.u8();
  if (kind !== KIND_BATCH) throw new RecordDecodeError(`unknown log record kind ${kind}`);
  const nowMs = r.f64();
  const groups: LoggedGroup[] = [];
  const nGroups = r.uvarint();
  for (let g = 0; g < nGroups; g++) {
    const labels = readLabels(r);
    const nOrigins = r.uvarint();
    if (nOrigins > r.remaining) throw new RecordDecodeError(`origin count ${nOrigins} beyond the record`);
    const origins: Label[][] = [];
    for (let i = 0; i < nOrigins; i++) origins.push(readLabels(r));
    const nRecords = r.uvarint();
    if (nRecords > r.remaining) throw new RecordDecodeError(`record count ${nRecords} beyond the record`);
    const records: RecordFields[] = [];
    for (let i = 0; i < nRecords; i++) {
      const timeNs = r.f64();
      const observedNs = r.f64();
      const severityNumber = r.u8();
      const level = r.u8();
      const severityText = r.string();
      const traceId = Buffer.from(r.bytes()).toString('hex');
      const spanId = Buffer.from(r.bytes()).toString('hex');
      const origin = r.uvarint();
      const line = r.string();
      const attributes = readLabels(r);
      if (origin >= origins.length) throw new RecordDecodeError(`origin ${origin} of ${origins.length}`);
      if (traceId.length !== 0 && traceId.length !== 32) throw new RecordDecodeError('bad trace ID');
      if (spanId.length !== 0 && spanId.length !== 16) throw new RecordDecodeError('bad span ID');
      records.push({
        timeNs,
        observedNs,
        severityNumber,
        severityText,
        level,
        traceId,
        spanId,
        origin,
        line,
        attributes,
      });
    }
    groups.push({ labels, origins, records });
  }
  return { nowMs, groups };
}
