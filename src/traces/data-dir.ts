// The trace store's data directory: what makes it durable and lets it hold more history than
// memory. The store (store.ts) calls it at the points where data changes hands; this module
// owns the files:
//
//   <dir>/wal/         write-ahead log (src/wal): one record per accepted batch, written before
//                      the batch is stored (so before the receiver's 200); replayed on start
//   <dir>/dictionary/  log of dictionary deltas (dictionary-delta.ts): keys, strings and origins
//                      the records refer to by id; appended before a segment that uses them is
//                      written, never truncated (it is as small as the dictionary)
//   <dir>/segments/    sealed arena segments (segment-file.ts), read back on demand
//
// The batch log holds only what is not yet in a segment file: an arena segment is sealed
// between batches (SegmentArena.prepare), so once its file is written every log segment before
// the current one is covered and is deleted. A batch's record says which arena segment its
// records went to; on replay a batch whose segment has a file is skipped (its dictionary delta
// still applies).
//
// WAL batch record: u8 kind (1), f64 arena segment seq, f64 wall clock ms, string dictionary
// delta JSON ('' for none), bytes of the batch's record words, uvarint record count, per record
// uvarint first word, word past it, complex values from, to; string complex values JSON ('' for
// none).
import path from 'node:path';
import { RecordReader, RecordWriter, WriteAheadLog, walMetricNames } from '../wal/index.js';
import type { SelfMetrics } from '../selfmetrics/registry.js';
import type { AnyValue } from '../otlp/model.js';
import type { FreeReason, Segment } from './arena.js';
import type { Catalogue } from './catalogue.js';
import type { RecordEncoder } from './codec.js';
import { applyDelta, deltaSince, EMPTY_MARK, markOf, type DictionaryMark } from './dictionary-delta.js';
import type { Dictionary } from './intern.js';
import { SegmentDir } from './segment-dir.js';
import type { SegmentData } from './segment-file.js';
import { valueFromJson, valueToJson } from './value-json.js';

const KIND_BATCH = 1;

export interface TraceDataDirOptions {
  /** the directory (the backend gives <data-dir>/traces) */
  readonly dir: string;
  /** decoded on-disk segments cached for reads (default 16) */
  readonly cacheSegments?: number;
  /** fsync interval of the logs (default the WAL's, 5 s) */
  readonly fsyncIntervalMs?: number;
  /** size at which the batch log begins a new file (default the WAL's, 128 MiB) */
  readonly walSegmentBytes?: number;
  readonly log?: (line: string) => void;
}

/** A batch read back from the log, in the encoder's layout. */
export interface LoggedBatch {
  readonly seq: number;
  readonly nowMs: number;
  readonly words: Uint32Array;
  /** per record: first word, word past it, complex values from, to */
  readonly records: readonly number[];
  readonly complex: readonly AnyValue[];
}

export class TraceDataDir {
  readonly segments: SegmentDir;
  readonly wal: WriteAheadLog;
  private readonly dictLog: WriteAheadLog;
  private readonly log: (line: string) => void;
  /** dictionary entries already in the batch log and in the dictionary log */
  private walMark: DictionaryMark = EMPTY_MARK;
  private dictMark: DictionaryMark = EMPTY_MARK;
  /** sealed segments whose file could not be written yet (retried at the next seal), oldest first */
  private readonly unwritten: Segment[] = [];
  /** a segment was written since the batch log was last cut */
  private cutDue = false;
  private replaying = false;
  /** the last batch could not be logged */
  private walFailed = false;
  private readonly writer = new RecordWriter(64 * 1024);
  private readonly syncFiles: boolean;

  segmentsWritten = 0;
  segmentWriteFailures = 0;
  corruptSegments = 0;
  readonly deleted: Record<FreeReason, number> = { time: 0, size: 0, memory: 0 };

  constructor(
    opts: TraceDataDirOptions,
    private readonly dict: Dictionary,
    private readonly catalogue: Catalogue,
  ) {
    this.log = opts.log ?? ((line) => console.error(line));
    // never syncing the logs (fsyncIntervalMs Infinity, tests) means not syncing segment files either
    const sync = opts.fsyncIntervalMs !== Infinity;
    this.segments = new SegmentDir(path.join(opts.dir, 'segments'), opts.cacheSegments ?? 16, sync);
    this.syncFiles = sync;
    const common = { fsyncIntervalMs: opts.fsyncIntervalMs, log: this.log };
    this.wal = new WriteAheadLog({
      dir: path.join(opts.dir, 'wal'),
      metrics: walMetricNames('orrery_traces'),
      segmentBytes: opts.walSegmentBytes,
      ...common,
    });
    this.dictLog = new WriteAheadLog({
      dir: path.join(opts.dir, 'dictionary'),
      metrics: walMetricNames('orrery_traces_dictionary'),
      segmentBytes: 1024 * 1024 * 1024,
      ...common,
    });
  }

  // ---------------------------------------------------------------- start

  /** Replays the dictionary log into the (empty) dictionary and catalogue, then opens it for appends. */
  loadDictionary(): void {
    let failed = 0;
    this.dictLog.replay((rec) => {
      if (!applyDelta(this.dict, this.catalogue, JSON.parse(Buffer.from(rec).toString('utf8')))) failed++;
    });
    if (failed > 0) this.log(`orrery: trace store: ${failed} dictionary entries could not be applied`);
    this.dictMark = markOf(this.dict, this.catalogue);
    this.walMark = this.dictMark;
    this.dictLog.start();
  }

  /**
   * Reads every logged batch (applying their dictionary deltas); the log is not open for appends
   * until replayDone. A torn or corrupt tail is cut and counted by the log.
   */
  readBatches(): LoggedBatch[] {
    const out: LoggedBatch[] = [];
    const r = this.wal.replay((rec) => {
      const batch = this.readBatch(rec);
      if (batch) out.push(batch);
    });
    if (r.records > 0 || r.corruptions > 0)
      this.log(
        `orrery: trace store: read ${r.records} logged batches in ${r.durationMs.toFixed(0)} ms` +
          (r.corruptions > 0 ? ` (${r.corruptions} torn or corrupt tails cut, ${r.cutBytes} bytes)` : '') +
          (r.unreadableRecords > 0 ? `, ${r.unreadableRecords} unreadable` : ''),
      );
    this.replaying = true;
    return out;
  }

  /**
   * The logged batches are stored again (and their segments sealed and written): the log opens
   * for appends, emptied when every segment is in a file.
   */
  replayDone(): void {
    this.replaying = false;
    this.walMark = markOf(this.dict, this.catalogue);
    this.wal.start();
    if (this.unwritten.length === 0) {
      this.cutDue = false;
      this.discardLog();
    }
  }

  private readBatch(rec: Uint8Array): LoggedBatch | undefined {
    const r = new RecordReader(rec);
    if (r.u8() !== KIND_BATCH) return undefined;
    const seq = r.f64();
    const nowMs = r.f64();
    const delta = r.string();
    // entries the dictionary log already had are skipped by applyDelta
    if (delta !== '' && !applyDelta(this.dict, this.catalogue, JSON.parse(delta)))
      throw new Error('dictionary delta does not follow what is known');
    const bytes = r.bytes();
    const words = new Uint32Array(bytes.length >>> 2);
    Buffer.from(words.buffer).set(bytes.subarray(0, words.length * 4));
    const n = r.uvarint();
    const records: number[] = [];
    for (let i = 0; i < n * 4; i++) records.push(r.uvarint());
    const complexJson = r.string();
    const complex = complexJson === '' ? [] : (JSON.parse(complexJson) as unknown[]).map((j) => valueFromJson(j));
    for (let i = 0; i < records.length; i += 4) {
      const [at, end, from, to] = [records[i]!, records[i + 1]!, records[i + 2]!, records[i + 3]!];
      if (!(at < end && end <= words.length && from <= to && to <= complex.length))
        throw new Error(`record ${i / 4} lies outside the batch`);
    }
    return { seq, nowMs, words, records, complex };
  }

  /**
   * Deletes the batch log once every batch in it is in a segment file. The files were synced
   * before they took their names; the directory is synced here so that those names survive a
   * machine crash too, before the only other copy goes (the log is not synced first: it is deleted).
   */
  private discardLog(): void {
    this.segments.syncDirectory();
    this.wal.discardAll();
  }

  // ---------------------------------------------------------------- write path

  /**
   * Logs a batch's encoded records, bound for arena segment `seq`, before any is stored: throws
   * RefusedError('unavailable') when the log cannot be written (nothing of the batch is logged).
   */
  logBatch(enc: RecordEncoder, seq: number, nowMs: number): void {
    if (this.cutDue && this.unwritten.length === 0) {
      // every batch logged so far is in a segment file now (synced, after the dictionary log)
      this.cutDue = false;
      this.discardLog();
    }
    const delta = deltaSince(this.dict, this.catalogue, this.walMark);
    const w = this.writer.reset();
    w.u8(KIND_BATCH).f64(seq).f64(nowMs);
    w.string(delta ? JSON.stringify(delta) : '');
    const buf = enc.buf;
    w.bytes(new Uint8Array(buf.u32.buffer, 0, buf.len * 4));
    w.uvarint(enc.count);
    for (let i = 0; i < enc.count; i++)
      w.uvarint(enc.recAt[i]!).uvarint(enc.recEnd[i]!).uvarint(enc.recComplexFrom[i]!).uvarint(enc.recComplexTo[i]!);
    w.string(buf.complex.length > 0 ? JSON.stringify(buf.complex.map(valueToJson)) : '');
    try {
      // after a failed write, a new log file: the failed one may be on a device that stays full
      if (this.walFailed) this.wal.cut();
      this.wal.append(w.view());
    } catch (err) {
      this.walFailed = true;
      throw err;
    }
    this.walFailed = false;
    this.walMark = markOf(this.dict, this.catalogue);
  }

  /**
   * A segment was sealed: its file is written (after the dictionary entries it may use). A
   * failure is logged and retried at the next seal; the batch log keeps the records meanwhile.
   */
  sealed(seg: Segment, lastAppendMs: number): void {
    this.unwritten.push(seg);
    this.unwrittenAt.set(seg.seq, lastAppendMs);
    this.writePending();
  }

  private readonly unwrittenAt = new Map<number, number>();

  private writePending(): void {
    while (this.unwritten.length > 0) {
      const seg = this.unwritten[0]!;
      try {
        const delta = deltaSince(this.dict, this.catalogue, this.dictMark);
        if (delta) {
          this.dictLog.append(Buffer.from(JSON.stringify(delta), 'utf8'));
          this.dictMark = markOf(this.dict, this.catalogue);
        }
        if (this.syncFiles) this.dictLog.sync();
        this.segments.write(
          {
            seq: seg.seq,
            u32: seg.u32.subarray(0, seg.used),
            complex: seg.complex,
            lastAppendMs: this.unwrittenAt.get(seg.seq) ?? Date.now(),
          },
          seg.packed?.file,
        );
      } catch (err) {
        this.segmentWriteFailures++;
        this.log(
          `orrery: trace store: cannot write segment ${seg.seq} (kept in memory and in the log, retried at the next seal): ${err instanceof Error ? err.message : String(err)}`,
        );
        return;
      }
      this.unwritten.shift();
      this.unwrittenAt.delete(seg.seq);
      this.segmentsWritten++;
      if (!this.replaying) this.cutDue = true;
    }
  }

  /** Whether a sealed segment's file is written (so its words may leave memory). */
  isWritten(seg: Segment): boolean {
    // by sequence number: the arena replaces a segment by its compressed stand-in
    return seg.sealed && !this.unwritten.some((u) => u.seq === seg.seq);
  }

  /** A freed segment's file goes too. */
  freed(seg: Segment, reason: FreeReason): void {
    const i = this.unwritten.findIndex((u) => u.seq === seg.seq);
    if (i >= 0) this.unwritten.splice(i, 1);
    this.unwrittenAt.delete(seg.seq);
    if (this.segments.has(seg.seq)) {
      this.segments.delete(seg.seq);
      this.deleted[reason]++;
    }
  }

  /** A segment file that cannot be read on start: logged, counted and renamed aside (<name>.corrupt). */
  setAside(seq: number, err: unknown): void {
    this.corruptSegments++;
    const reason = err instanceof Error ? err.message : String(err);
    const aside = this.segments.setAside(seq);
    this.log(`orrery: trace store: segment ${seq} is unreadable (${reason}): skipped, kept as ${aside}`);
  }

  /** A non-resident segment's data, at least the record at `word` (through the cache). */
  load(stub: Segment, word: number): Segment {
    const data = this.segments.readAt(stub.seq, word);
    return residentSegment(data, stub.maxOrd);
  }

  /** Writes what is sealed and syncs; the logs close. */
  shutdown(): void {
    this.writePending();
    if (this.cutDue && this.unwritten.length === 0) {
      this.cutDue = false;
      this.discardLog();
    }
    this.wal.shutdown();
    this.dictLog.shutdown();
  }

  registerMetrics(registry: SelfMetrics): void {
    this.wal.registerMetrics(registry);
    this.dictLog.registerMetrics(registry);
    registry.gauge(
      'orrery_trace_store_disk_bytes',
      'Bytes of sealed trace segments on disk.',
      () => this.segments.bytes,
      'bytes',
    );
    registry.gauge('orrery_trace_store_disk_segments', 'Sealed trace segments on disk.', () => this.segments.files);
    registry.counterFunc(
      'orrery_trace_store_segments_deleted_total',
      'Trace segment files deleted whole, by reason: time (--retention), size (--retention-size), memory (the byte budget or the memory limiter).',
      () =>
        (Object.keys(this.deleted) as FreeReason[]).map((reason) => ({
          labels: { reason },
          value: this.deleted[reason],
        })),
    );
    registry.counterFunc(
      'orrery_trace_store_segment_write_failures_total',
      'Trace segment files that could not be written (retried; the write-ahead log keeps their spans).',
      () => this.segmentWriteFailures,
    );
    registry.counterFunc(
      'orrery_trace_store_corrupt_segments_total',
      'Trace segment files skipped on start because they were corrupt or unreadable.',
      () => this.corruptSegments,
    );
    registry.counterFunc(
      'orrery_trace_store_segment_reads_total',
      'Trace segments read back from disk (cache misses).',
      () => this.segments.reads,
    );
  }
}

/** A resident, sealed segment holding data read from a file. */
export function residentSegment(data: SegmentData, maxOrd: number): Segment {
  return {
    seq: data.seq,
    resident: true,
    sealed: true,
    u32: data.u32,
    bytes: Buffer.from(data.u32.buffer, data.u32.byteOffset, data.u32.byteLength),
    used: data.u32.length,
    maxOrd,
    complex: data.complex as AnyValue[],
    complexBytes: 0,
    packed: undefined,
  };
}
