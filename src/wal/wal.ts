// A write-ahead log: records appended to numbered segment files in one directory, each framed so
// that a torn or corrupted tail is found and cut on replay. It knows nothing of what a record
// means; the samples WAL (src/tsdb/wal/), the trace store and the annotation store give it bytes.
//
// On disk (all integers little-endian):
//   <dir>/00000000, 00000001, ...   segments, numbered in write order (8 decimal digits)
//     header  8 bytes: "OWAL", version 1, three zero bytes (written with the first record)
//     frames  u32 payload length (1 .. MAX_RECORD_BYTES), u32 CRC-32C (Castagnoli) of the
//             payload, the payload
//   <dir>/checkpoint.NNNNNNNN/      segments of the same format holding a snapshot that stands in
//                                   for segments 0..NNNNNNNN (replay = checkpoint + later segments)
//   <dir>/checkpoint.NNNNNNNN.tmp/  a checkpoint being written; removed on start
//
// Durability: every append is one write(2) before append() returns, so what append() accepted
// survives a kill of the process (it is in the page cache). fsync runs when a segment is closed
// (unless it is discarded: discardAll, for records durable elsewhere), every fsyncIntervalMs (as Prometheus's WAL does), and on shutdown, so a machine crash loses at
// most the last interval. A write that fails (ENOSPC, EIO) is undone (the file truncated back to
// the last whole frame) and append() throws RefusedError('unavailable'): the receiver answers 503
// with Retry-After and the client retries; if the undo fails too, the next append starts a new
// segment and replay cuts the partial frame as it would a torn one.
//
// Replay reads the newest checkpoint, then the later segments, in order. At a frame that is
// incomplete or whose checksum does not match, the segment is truncated there (the bytes cut are
// counted and logged) and replay goes on with the next segment: after a kill only the last
// segment of the previous run can have a torn tail, and a bit flip elsewhere costs the rest of
// that segment only. Replay never throws for the log's content.
import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { Component } from '../component/component.js';
import { RefusedError } from '../consumer/consumer.js';
import type { SelfMetrics } from '../selfmetrics/registry.js';
import { crc32c } from './crc32c.js';

/** "OWAL", format version 1, reserved. */
export const SEGMENT_HEADER = Uint8Array.of(0x4f, 0x57, 0x41, 0x4c, 1, 0, 0, 0);
export const FRAME_HEADER_BYTES = 8;
/** Larger lengths are read as corruption (a record that size would not have been written). */
export const MAX_RECORD_BYTES = 512 * 1024 * 1024;

export const DEFAULT_SEGMENT_BYTES = 128 * 1024 * 1024;
export const DEFAULT_FSYNC_INTERVAL_MS = 5000;

/** Self-metric names of one log; the samples WAL uses Prometheus's (PROMETHEUS_WAL_METRICS). */
export interface WalMetricNames {
  /** summary (as _sum and _count) of fsync durations */
  readonly fsyncDuration: string;
  readonly corruptions: string;
  readonly truncations: string;
  readonly writesFailed: string;
  readonly segmentCurrent: string;
  readonly storageSize: string;
  readonly checkpointCreations: string;
  readonly checkpointCreationsFailed: string;
  readonly checkpointDeletions: string;
  /** gauge: seconds the last replay took */
  readonly replayDuration: string;
}

/** Names for a log other than the samples WAL, e.g. walMetricNames('orrery_traces'). */
export function walMetricNames(prefix: string): WalMetricNames {
  return {
    fsyncDuration: `${prefix}_wal_fsync_duration_seconds`,
    corruptions: `${prefix}_wal_corruptions_total`,
    truncations: `${prefix}_wal_truncations_total`,
    writesFailed: `${prefix}_wal_writes_failed_total`,
    segmentCurrent: `${prefix}_wal_segment_current`,
    storageSize: `${prefix}_wal_storage_size_bytes`,
    checkpointCreations: `${prefix}_checkpoint_creations_total`,
    checkpointCreationsFailed: `${prefix}_checkpoint_creations_failed_total`,
    checkpointDeletions: `${prefix}_checkpoint_deletions_total`,
    replayDuration: `${prefix}_data_replay_duration_seconds`,
  };
}

/** Prometheus's own names for its head WAL. */
export const PROMETHEUS_WAL_METRICS: WalMetricNames = walMetricNames('prometheus_tsdb');

export interface WalOptions {
  readonly dir: string;
  /** a segment is closed and the next begun once it would grow past this; default 128 MiB */
  readonly segmentBytes?: number;
  /** fsync of the open segment at this interval; 0: after every append; default 5 s */
  readonly fsyncIntervalMs?: number;
  /** Retry-After of the RefusedError thrown when a write fails; default 5 s */
  readonly retryAfterSeconds?: number;
  /** where cuts and failures are reported; default console.error */
  readonly log?: (line: string) => void;
  /** self-metric names; default walMetricNames('orrery') */
  readonly metrics?: WalMetricNames;
}

export interface ReplayResult {
  /** the checkpoint read first, if any */
  readonly checkpoint: number | undefined;
  /** segment files read (a checkpoint's included) */
  readonly segments: number;
  readonly records: number;
  /** bytes of the records read, frames included */
  readonly bytes: number;
  /** places where a torn or corrupt tail was cut */
  readonly corruptions: number;
  readonly cutBytes: number;
  /** records the visitor threw on (counted and logged, replay went on) */
  readonly unreadableRecords: number;
  readonly durationMs: number;
}

export interface CheckpointResult {
  /** segments 0..upTo are replaced by the checkpoint */
  readonly upTo: number;
  readonly records: number;
  readonly bytes: number;
  /** segments and older checkpoints deleted */
  readonly deletedSegments: number;
  readonly durationMs: number;
}

/** What a checkpoint's writer gets: append as on the log itself. */
export interface CheckpointSink {
  append(records: Uint8Array | readonly Uint8Array[]): void;
}

export type RecordVisitor = (record: Uint8Array) => void;

type ReplayCounts = { -readonly [K in Exclude<keyof ReplayResult, 'checkpoint' | 'durationMs'>]: number };

const SEGMENT_RE = /^\d{8}$/;
const CHECKPOINT_RE = /^checkpoint\.(\d{8})$/;
const CHECKPOINT_TMP_RE = /^checkpoint\.\d{8}\.tmp$/;

export function segmentName(index: number): string {
  return String(index).padStart(8, '0');
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Frames records into one buffer (with the segment header in front when `header`). */
function frame(records: readonly Uint8Array[], header: boolean): Uint8Array {
  let total = header ? SEGMENT_HEADER.length : 0;
  for (const r of records) {
    if (r.length === 0) throw new RangeError('a write-ahead log record cannot be empty');
    if (r.length > MAX_RECORD_BYTES) throw new RangeError(`a record of ${r.length} bytes exceeds ${MAX_RECORD_BYTES}`);
    total += FRAME_HEADER_BYTES + r.length;
  }
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  if (header) {
    out.set(SEGMENT_HEADER, 0);
    pos = SEGMENT_HEADER.length;
  }
  for (const r of records) {
    out.writeUInt32LE(r.length, pos);
    out.writeUInt32LE(crc32c(r), pos + 4);
    out.set(r, pos + FRAME_HEADER_BYTES);
    pos += FRAME_HEADER_BYTES + r.length;
  }
  return out;
}

/** Syncs a directory, so that a file created, renamed or deleted in it survives a machine crash. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The segment being appended to. */
class OpenSegment {
  size: number;
  /** written since the last fsync */
  dirty = false;
  /** an asynchronous fsync is running on fd */
  syncing = false;
  /** close fd once that fsync is done */
  closePending = false;
  /** a failed write could not be undone: the file's tail may hold a partial frame */
  broken = false;

  private constructor(
    readonly index: number,
    readonly file: string,
    readonly fd: number,
  ) {
    this.size = fstatSync(fd).size;
  }

  static open(dir: string, index: number): OpenSegment {
    const file = path.join(dir, segmentName(index));
    return new OpenSegment(index, file, openSync(file, 'a'));
  }

  /** Writes all of buf or, failing, truncates back to where it started and rethrows. */
  write(buf: Uint8Array): void {
    const start = this.size;
    let done = 0;
    try {
      while (done < buf.length) done += writeSync(this.fd, buf, done, buf.length - done);
    } catch (err) {
      if (done > 0) {
        try {
          ftruncateSync(this.fd, start);
        } catch {
          this.broken = true;
        }
      }
      throw err;
    }
    this.size = start + buf.length;
    this.dirty = true;
  }
}

export class WriteAheadLog implements Component {
  readonly dir: string;
  private readonly segmentBytes: number;
  private readonly fsyncIntervalMs: number;
  private readonly retryAfterSeconds: number;
  private readonly log: (line: string) => void;
  private readonly names: WalMetricNames;
  private seg: OpenSegment | undefined;
  private started = false;
  /** the index the next segment gets */
  private nextIndex = 0;
  private timer: NodeJS.Timeout | undefined;
  /** bytes of the closed segments and of the checkpoint */
  private closedBytes = 0;
  /** the last append failed (so a recovery is logged once) */
  private failing = false;

  fsyncSeconds = 0;
  fsyncs = 0;
  corruptions = 0;
  truncations = 0;
  writesFailed = 0;
  checkpointCreations = 0;
  checkpointCreationsFailed = 0;
  checkpointDeletions = 0;
  lastReplaySeconds = 0;

  constructor(opts: WalOptions) {
    this.dir = opts.dir;
    this.segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.fsyncIntervalMs = opts.fsyncIntervalMs ?? DEFAULT_FSYNC_INTERVAL_MS;
    this.retryAfterSeconds = opts.retryAfterSeconds ?? 5;
    this.log = opts.log ?? ((line) => console.error(line));
    this.names = opts.metrics ?? walMetricNames('orrery');
  }

  // ---- replay ----

  /**
   * Hands every record of the newest checkpoint and of the later segments to `visit`, oldest
   * first; a record is a view into a read buffer, valid during the call only. Cuts torn and
   * corrupt tails (see the file comment). Call before start().
   */
  replay(visit: RecordVisitor): ReplayResult {
    const t0 = performance.now();
    const acc: ReplayCounts = { segments: 0, records: 0, bytes: 0, corruptions: 0, cutBytes: 0, unreadableRecords: 0 };
    const { segments, checkpoints } = this.listDir();
    const checkpoint = checkpoints.at(-1);
    if (checkpoint !== undefined) {
      const cdir = path.join(this.dir, `checkpoint.${segmentName(checkpoint)}`);
      for (const name of readdirSync(cdir)
        .filter((n) => SEGMENT_RE.test(n))
        .sort())
        this.replayFile(path.join(cdir, name), visit, acc);
    }
    for (const index of segments) {
      // Segments the checkpoint covers are left over from a kill between its rename and their deletion.
      if (checkpoint !== undefined && index <= checkpoint) continue;
      this.replayFile(path.join(this.dir, segmentName(index)), visit, acc);
    }
    this.corruptions += acc.corruptions;
    const durationMs = performance.now() - t0;
    this.lastReplaySeconds = durationMs / 1000;
    return { checkpoint, ...acc, durationMs };
  }

  private replayFile(file: string, visit: RecordVisitor, acc: ReplayCounts): void {
    let data: Buffer;
    try {
      if (!lstatSync(file).isFile()) {
        this.log(`orrery: write-ahead log: skipping ${file}: not a regular file`);
        return;
      }
      data = readFileSync(file);
    } catch (err) {
      this.log(`orrery: write-ahead log: cannot read ${file}: ${errorText(err)}`);
      return;
    }
    acc.segments++;
    if (data.length === 0) return;
    const cut = (pos: number, why: string): void => {
      acc.corruptions++;
      acc.cutBytes += data.length - pos;
      this.log(`orrery: write-ahead log: ${file}: cut ${data.length - pos} bytes at offset ${pos} (${why})`);
      try {
        truncateSync(file, pos);
      } catch (err) {
        this.log(`orrery: write-ahead log: cannot truncate ${file}: ${errorText(err)}`);
      }
    };
    const h = SEGMENT_HEADER.length;
    if (data.length < h || !data.subarray(0, h).equals(SEGMENT_HEADER)) {
      cut(0, data.length < h ? 'torn segment header' : 'not a segment of this format');
      return;
    }
    let pos = h;
    while (pos < data.length) {
      if (data.length - pos < FRAME_HEADER_BYTES) return cut(pos, 'torn frame header');
      const len = data.readUInt32LE(pos);
      if (len === 0 || len > MAX_RECORD_BYTES) return cut(pos, `invalid record length ${len}`);
      const end = pos + FRAME_HEADER_BYTES + len;
      if (end > data.length)
        return cut(pos, `torn record: ${len} bytes announced, ${data.length - pos - FRAME_HEADER_BYTES} present`);
      if (crc32c(data, pos + FRAME_HEADER_BYTES, end) !== data.readUInt32LE(pos + 4))
        return cut(pos, 'checksum mismatch');
      acc.records++;
      acc.bytes += end - pos;
      try {
        visit(data.subarray(pos + FRAME_HEADER_BYTES, end));
      } catch (err) {
        acc.unreadableRecords++;
        this.log(`orrery: write-ahead log: ${file}: unreadable record at offset ${pos}: ${errorText(err)}`);
      }
      pos = end;
    }
  }

  /** Segment indexes and complete checkpoints in the directory, ascending; removes unfinished checkpoints. */
  private listDir(): { segments: number[]; checkpoints: number[] } {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { segments: [], checkpoints: [] };
      throw err;
    }
    const segments: number[] = [];
    const checkpoints: number[] = [];
    for (const n of names) {
      if (SEGMENT_RE.test(n)) segments.push(Number(n));
      const m = CHECKPOINT_RE.exec(n);
      if (m) checkpoints.push(Number(m[1]));
      if (CHECKPOINT_TMP_RE.test(n)) rmSync(path.join(this.dir, n), { recursive: true, force: true });
    }
    return { segments: segments.sort((a, b) => a - b), checkpoints: checkpoints.sort((a, b) => a - b) };
  }

  // ---- writing ----

  /** Opens a new segment after every existing one (and after the checkpoint) and starts the fsync timer. */
  start(): void {
    if (this.started) return;
    mkdirSync(this.dir, { recursive: true });
    const { segments, checkpoints } = this.listDir();
    this.nextIndex = Math.max(segments.at(-1) ?? -1, checkpoints.at(-1) ?? -1) + 1;
    this.closedBytes = this.bytesOnDisk();
    this.seg = OpenSegment.open(this.dir, this.nextIndex++);
    this.started = true;
    if (this.fsyncIntervalMs > 0 && Number.isFinite(this.fsyncIntervalMs)) {
      this.timer = setInterval(() => this.syncInBackground(), this.fsyncIntervalMs);
      this.timer.unref();
    }
  }

  /** fsyncs and closes the open segment; what was appended is all on disk. */
  shutdown(): void {
    if (!this.started) return;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.seg) {
      this.closedBytes += this.seg.size;
      this.closeSegment(this.seg);
    }
    this.seg = undefined;
    this.started = false;
  }

  /**
   * Appends records (one write for all of them). Throws RefusedError('unavailable') when the
   * write fails, having kept none of them; RangeError for an empty or oversized record.
   */
  append(records: Uint8Array | readonly Uint8Array[]): void {
    if (!this.started) throw new Error(`write-ahead log ${this.dir} is not started`);
    const list = records instanceof Uint8Array ? [records] : records;
    if (list.length === 0) return;
    let seg = this.seg;
    let bytes = 0;
    for (const r of list) bytes += FRAME_HEADER_BYTES + r.length;
    if (seg === undefined || seg.broken || (seg.size > SEGMENT_HEADER.length && seg.size + bytes > this.segmentBytes))
      seg = this.rotateOrRefuse();
    const buf = frame(list, seg.size === 0);
    try {
      seg.write(buf);
    } catch (err) {
      throw this.refuse(`cannot write ${seg.file}`, err);
    }
    if (this.failing) {
      this.failing = false;
      this.log(`orrery: write-ahead log ${this.dir}: writing again`);
    }
    if (this.fsyncIntervalMs === 0) this.syncSegment(seg);
  }

  private refuse(what: string, err: unknown): RefusedError {
    this.writesFailed++;
    const code = (err as NodeJS.ErrnoException).code;
    const msg = `write-ahead log: ${what}: ${code ?? errorText(err)}`;
    if (!this.failing) this.log(`orrery: ${msg}: refusing input until it succeeds (${errorText(err)})`);
    this.failing = true;
    return new RefusedError(msg, this.retryAfterSeconds, 'unavailable');
  }

  private rotateOrRefuse(syncClosed = true): OpenSegment {
    if (this.seg) {
      this.closedBytes += this.seg.size;
      this.closeSegment(this.seg, syncClosed);
      this.seg = undefined;
    }
    try {
      this.seg = OpenSegment.open(this.dir, this.nextIndex);
    } catch (err) {
      throw this.refuse(`cannot create segment ${segmentName(this.nextIndex)}`, err);
    }
    this.nextIndex++;
    return this.seg;
  }

  /**
   * Closes the open segment and begins the next; returns the index of the one closed. What the
   * closed segment holds is on disk (fsync) when this returns, unless that fsync failed (logged).
   */
  cut(syncClosed = true): number {
    if (!this.started) throw new Error(`write-ahead log ${this.dir} is not started`);
    const closed = this.seg?.index ?? this.nextIndex - 1;
    this.rotateOrRefuse(syncClosed);
    return closed;
  }

  /**
   * Deletes every segment and begins the next one: for a log whose records are all durable
   * elsewhere now, so the closed segment is not synced first (it is deleted next).
   */
  discardAll(): void {
    this.truncateBefore(this.cut(false) + 1);
  }

  private closeSegment(seg: OpenSegment, sync = true): void {
    if (sync && seg.dirty && !seg.broken) this.syncSegment(seg);
    if (seg.syncing) seg.closePending = true;
    else closeSync(seg.fd);
  }

  /** fsync of the open segment now (shutdown, tests, fsyncIntervalMs 0). */
  sync(): void {
    if (this.seg) this.syncSegment(this.seg);
  }

  private syncSegment(seg: OpenSegment): void {
    const t0 = performance.now();
    try {
      fdatasyncSync(seg.fd);
      seg.dirty = false;
    } catch (err) {
      this.log(`orrery: write-ahead log: fsync of ${seg.file} failed: ${errorText(err)}`);
    }
    this.fsyncSeconds += (performance.now() - t0) / 1000;
    this.fsyncs++;
  }

  /** The periodic fsync, off the event loop so ingestion does not wait for the disk. */
  private syncInBackground(): void {
    const seg = this.seg;
    if (!seg || !seg.dirty || seg.syncing) return;
    seg.dirty = false;
    seg.syncing = true;
    const t0 = performance.now();
    fdatasync(seg.fd, (err) => {
      seg.syncing = false;
      this.fsyncSeconds += (performance.now() - t0) / 1000;
      this.fsyncs++;
      if (err) {
        seg.dirty = true;
        this.log(`orrery: write-ahead log: fsync of ${seg.file} failed: ${err.message}`);
      }
      if (seg.closePending) closeSync(seg.fd);
    });
  }

  // ---- checkpoints and truncation ----

  /**
   * Replaces every segment up to the open one with a checkpoint: cuts the open segment, lets
   * `write` append the snapshot that stands in for them (synchronously), makes it durable
   * (fsync, atomic rename) and then deletes those segments and older checkpoints. A kill at any
   * point leaves either the old segments or the checkpoint to replay. Failures are logged and
   * counted, and leave the log as it was; returns undefined then.
   */
  checkpoint(write: (sink: CheckpointSink) => void): CheckpointResult | undefined {
    if (!this.started) throw new Error(`write-ahead log ${this.dir} is not started`);
    const t0 = performance.now();
    const name = (upTo: number): string => path.join(this.dir, `checkpoint.${segmentName(upTo)}`);
    let upTo: number;
    try {
      upTo = this.cut();
    } catch (err) {
      this.checkpointCreationsFailed++;
      this.log(`orrery: write-ahead log: checkpoint not written: ${errorText(err)}`);
      return undefined;
    }
    const tmp = `${name(upTo)}.tmp`;
    const inner = new WriteAheadLog({
      dir: tmp,
      segmentBytes: this.segmentBytes,
      fsyncIntervalMs: Infinity,
      log: this.log,
      metrics: this.names,
    });
    let records = 0;
    try {
      rmSync(tmp, { recursive: true, force: true });
      inner.start();
      write({
        append: (r) => {
          inner.append(r);
          records += r instanceof Uint8Array ? 1 : r.length;
        },
      });
      inner.shutdown();
      fsyncDir(tmp);
      renameSync(tmp, name(upTo));
      fsyncDir(this.dir);
    } catch (err) {
      inner.shutdown();
      rmSync(tmp, { recursive: true, force: true });
      this.checkpointCreationsFailed++;
      this.log(`orrery: write-ahead log: checkpoint of segments up to ${upTo} failed: ${errorText(err)}`);
      return undefined;
    }
    this.checkpointCreations++;
    const bytes = dirBytes(name(upTo));
    let deleted = this.truncateBefore(upTo + 1);
    for (const c of this.listDir().checkpoints) {
      if (c >= upTo) continue;
      rmSync(name(c), { recursive: true, force: true });
      this.checkpointDeletions++;
      deleted++;
    }
    this.closedBytes = this.bytesOnDisk() - (this.seg?.size ?? 0);
    return { upTo, records, bytes, deletedSegments: deleted, durationMs: performance.now() - t0 };
  }

  /** Deletes the segments numbered below `index` (never the open one); returns how many. */
  truncateBefore(index: number): number {
    let n = 0;
    for (const s of this.listDir().segments) {
      if (s >= index || s === this.seg?.index) continue;
      rmSync(path.join(this.dir, segmentName(s)), { force: true });
      n++;
    }
    if (n > 0) this.truncations++;
    this.closedBytes = this.bytesOnDisk() - (this.seg?.size ?? 0);
    return n;
  }

  // ---- introspection ----

  /** Index of the segment being appended to (-1 before start). */
  get currentSegment(): number {
    return this.seg?.index ?? -1;
  }

  /** Bytes of segments and checkpoint on disk. */
  sizeBytes(): number {
    return this.closedBytes + (this.seg?.size ?? 0);
  }

  /** Bytes appended to the open segment. */
  currentSegmentBytes(): number {
    return this.seg?.size ?? 0;
  }

  private bytesOnDisk(): number {
    return dirBytes(this.dir);
  }

  registerMetrics(registry: SelfMetrics): void {
    const n = this.names;
    registry.counterFunc(
      `${n.fsyncDuration}_sum`,
      'Seconds spent in fsync of the write-ahead log.',
      () => this.fsyncSeconds,
    );
    registry.counterFunc(`${n.fsyncDuration}_count`, 'fsync calls on the write-ahead log.', () => this.fsyncs);
    registry.counterFunc(n.corruptions, 'Torn or corrupt write-ahead log tails cut on replay.', () => this.corruptions);
    registry.counterFunc(
      n.truncations,
      'Truncations of the write-ahead log (older segments deleted).',
      () => this.truncations,
    );
    registry.counterFunc(
      n.writesFailed,
      'Failed writes to the write-ahead log (input refused).',
      () => this.writesFailed,
    );
    registry.gauge(n.segmentCurrent, 'Index of the write-ahead log segment being written.', () => this.currentSegment);
    registry.gauge(n.storageSize, 'Bytes of the write-ahead log on disk, checkpoint included.', () => this.sizeBytes());
    registry.counterFunc(n.checkpointCreations, 'Checkpoints created.', () => this.checkpointCreations);
    registry.counterFunc(n.checkpointCreationsFailed, 'Checkpoints that failed.', () => this.checkpointCreationsFailed);
    registry.counterFunc(n.checkpointDeletions, 'Old checkpoints deleted.', () => this.checkpointDeletions);
    registry.gauge(
      n.replayDuration,
      'Seconds the replay of the write-ahead log took on start.',
      () => this.lastReplaySeconds,
    );
  }
}

/** Total size of the regular files in dir and its subdirectories (0 when missing). */
function dirBytes(dir: string): number {
  let total = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const n of names) {
    const p = path.join(dir, n);
    try {
      const st = statSync(p);
      if (st.isDirectory()) total += dirBytes(p);
      else if (st.isFile()) total += st.size;
    } catch {
      // removed meanwhile
    }
  }
  return total;
}
