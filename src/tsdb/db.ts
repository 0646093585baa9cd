// The TSDB on disk: the in-memory head plus immutable blocks in Prometheus's format under one
// directory (<dir>/<ULID>/), as Prometheus's DB does. Every maintenance pass (a timer, or
// maintain() in tests):
//   1. cuts the head: once it spans 1.5 block durations, the oldest whole block range
//      [k·D, (k+1)·D) is written as a block (temp dir, then rename) and the head truncated before
//      its end; later samples before that time are refused as too old (Prometheus's minValidTime);
//   2. compacts: blocks inside one window of 3·D, 9·D, … (Prometheus's exponential ranges, the
//      largest at most a tenth of the retention) merge into one once no more data can land in
//      that window; chunks are copied as they are, only the index is rebuilt;
//   3. applies retention: blocks wholly older than (newest sample − retention) are deleted, then
//      the oldest while the blocks take more bytes than the size limit.
// Writing a block (cut or compaction) runs in a worker thread (block/block-jobs.ts): the event
// loop only copies the range's encoded chunks out of the head (after which the head refuses
// samples in that range, so the copy is complete), and when the block is on disk opens it and,
// in the same turn, adds it and truncates the head: a query sees each sample in the head or in
// the block, never in both or neither. Passes run one at a time.
// Queries merge the blocks overlapping the range with the head, series by series, each sample
// time once. A block that fails to open is logged and skipped; a failed write (ENOSPC, say) is
// logged, counted, its temp dir removed, and retried on the next pass.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Component } from '../component/component.js';
import { compareLabels, labelsKey, type Labels } from '../labels/labels.js';
import type { Matcher } from '../labels/matcher.js';
import type { SelfMetrics } from '../selfmetrics/registry.js';
import type {
  AppendStatus,
  EncodedSelection,
  Exemplar,
  MetricMetadata,
  SeriesSamples,
  SeriesVisitor,
  Storage,
} from '../storage/storage.js';
import { Head } from './head.js';
import { encodeSelection, mergeScan, mergeSelect } from './select-merge.js';
import { SampleColumns } from './columns.js';
import { Block } from './block/reader.js';
import type { BlockMeta } from './block/meta.js';
import { BlockJobs } from './block/block-jobs.js';
import { packHeadChunks, type HeadChunksPart } from './block/jobs.js';
import { TMP_CREATION_SUFFIX, TMP_DELETION_SUFFIX } from './block/writer.js';
import { isUlid } from './block/ulid.js';

export { toPromChunks } from './block/jobs.js';

export const DEFAULT_BLOCK_DURATION_MS = 2 * 3600_000;
/** Prometheus's cap on a compacted block's range */
const MAX_BLOCK_RANGE_MS = 31 * 24 * 3600_000;
/** series whose chunks are copied out of the head per event-loop turn when cutting a block */
const SERIES_PER_TURN = 5_000;

export interface TsdbOptions {
  /** the directory holding the blocks (created when missing) */
  readonly dir: string;
  /** the head to cut blocks from; default a new Head with retentionMs */
  readonly head?: Head;
  /** blocks whose data is all older than (newest sample - retentionMs) are deleted; default keep */
  readonly retentionMs?: number;
  /** the oldest blocks are deleted while all blocks take more bytes than this; default no limit */
  readonly retentionBytes?: number;
  /** the range of a block cut from the head; default 2 h */
  readonly blockDurationMs?: number;
  /** how often maintenance runs; default min(1 min, block duration / 4) */
  readonly maintainEveryMs?: number;
  /** where blocks written and problems are reported; default console.error */
  readonly log?: (line: string) => void;
  /** false: write blocks on the event loop (the cut benchmark's reference); default a worker thread */
  readonly blockWorker?: boolean;
}

/** The compaction ranges after the block duration: 3·D, 9·D, … up to a tenth of the retention. */
export function compactionRanges(blockMs: number, retentionMs: number): number[] {
  const limit = Math.min(MAX_BLOCK_RANGE_MS, Number.isFinite(retentionMs) ? retentionMs / 10 : MAX_BLOCK_RANGE_MS);
  const out: number[] = [];
  for (let r = blockMs * 3, i = 0; r <= limit && i < 10; r *= 3, i++) out.push(r);
  return out;
}

/** Lets the event loop serve what waits (requests, queries) before the next step of a pass. */
function nextTurn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class Tsdb implements Storage, Component {
  readonly head: Head;
  readonly dir: string;
  private blocks: Block[] = [];
  private readonly retentionMs: number;
  private readonly retentionBytes: number;
  private readonly blockMs: number;
  private readonly ranges: number[];
  private readonly maintainEveryMs: number;
  private readonly log: (line: string) => void;
  private timer: NodeJS.Timeout | undefined;
  private readonly jobs: BlockJobs;
  /** the maintenance pass running (passes never overlap) */
  private pass: Promise<void> | undefined;
  private closed = false;
  /** the columns scan decodes block data into, while no scan holds them */
  private idleColumns: SampleColumns | undefined;
  /** the end of the newest block cut from the head: the head holds what comes after */
  private persistedUpTo = -Infinity;
  private timeRetentions = 0;
  private sizeRetentions = 0;
  private compactions = 0;
  private compactionsFailed = 0;
  private writeFailures = 0;
  private corruptBlocks = 0;
  private readErrors = 0;

  constructor(opts: TsdbOptions) {
    this.dir = opts.dir;
    this.retentionMs = opts.retentionMs ?? Infinity;
    this.retentionBytes = opts.retentionBytes ?? Infinity;
    this.blockMs = opts.blockDurationMs ?? DEFAULT_BLOCK_DURATION_MS;
    if (!(this.blockMs > 0)) throw new RangeError('the block duration must be positive');
    this.ranges = compactionRanges(this.blockMs, this.retentionMs);
    this.maintainEveryMs = opts.maintainEveryMs ?? Math.min(60_000, this.blockMs / 4);
    this.log = opts.log ?? ((line) => console.error(line));
    this.head = opts.head ?? new Head({ retentionMs: this.retentionMs });
    this.jobs = new BlockJobs({ useWorker: opts.blockWorker !== false });
    this.load();
  }

  // ---- opening ----

  /** Loads the blocks in the directory; removes leftovers of interrupted writes and deletions. */
  private load(): void {
    mkdirSync(this.dir, { recursive: true });
    const loaded: Block[] = [];
    for (const name of readdirSync(this.dir)) {
      const full = path.join(this.dir, name);
      if (name.endsWith(TMP_CREATION_SUFFIX) || name.endsWith(TMP_DELETION_SUFFIX)) {
        rmSync(full, { recursive: true, force: true });
        continue;
      }
      if (!isUlid(name)) continue;
      try {
        if (!statSync(full).isDirectory()) continue;
        loaded.push(Block.open(full));
      } catch (e) {
        this.corruptBlocks++;
        this.log(`tsdb: skipping block ${name}: ${errorText(e)}`);
      }
    }
    // A compaction interrupted after writing its block but before deleting the parents leaves
    // both: the parents are the ones to drop.
    const replaced = new Set(loaded.flatMap((b) => (b.meta.compaction.parents ?? []).map((p) => p.ulid)));
    for (const b of loaded) {
      if (replaced.has(b.meta.ulid)) this.deleteBlock(b);
      else this.blocks.push(b);
    }
    this.sortBlocks();
    const last = this.blocks[this.blocks.length - 1];
    if (last !== undefined) {
      this.persistedUpTo = Math.max(...this.blocks.map((b) => b.maxTime));
      this.head.truncateBefore(this.persistedUpTo);
    }
  }

  private sortBlocks(): void {
    this.blocks.sort((a, b) => a.minTime - b.minTime || a.maxTime - b.maxTime);
  }

  /** true when blocks are written in a worker thread (false: on the event loop) */
  get blocksInWorker(): boolean {
    return this.jobs.usesWorker;
  }

  /** The blocks, oldest first (their metas). */
  blockMetas(): BlockMeta[] {
    return this.blocks.map((b) => b.meta);
  }

  /** Bytes the blocks take on disk. */
  blocksBytes(): number {
    let n = 0;
    for (const b of this.blocks) n += b.bytes;
    return n;
  }

  // ---- lifecycle ----

  start(): void {
    this.head.start();
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      if (this.pass === undefined) void this.maintain();
    }, this.maintainEveryMs);
    this.timer.unref();
  }

  /** Stops maintenance; a block being written is abandoned (its temp dir is removed on the next start). */
  async shutdown(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.head.shutdown();
    await this.jobs.shutdown();
    await this.pass?.catch(() => undefined);
    for (const b of this.blocks) b.close();
    this.blocks = [];
  }

  registerMetrics(registry: SelfMetrics): void {
    this.head.registerMetrics(registry);
    registry.gauge(
      'prometheus_tsdb_blocks_loaded',
      'Number of currently loaded data blocks.',
      () => this.blocks.length,
    );
    registry.gauge(
      'prometheus_tsdb_storage_blocks_bytes',
      'The number of bytes that are currently used for local storage by all blocks.',
      () => this.blocksBytes(),
      'bytes',
    );
    registry.counterFunc(
      'prometheus_tsdb_time_retentions_total',
      'The number of times that blocks were deleted because the maximum time limit was exceeded.',
      () => this.timeRetentions,
    );
    registry.counterFunc(
      'prometheus_tsdb_size_retentions_total',
      'The number of times that blocks were deleted because the maximum number of bytes was exceeded.',
      () => this.sizeRetentions,
    );
    registry.counterFunc(
      'prometheus_tsdb_compactions_total',
      'Total number of compactions that were executed.',
      () => this.compactions,
    );
    registry.counterFunc(
      'prometheus_tsdb_compactions_failed_total',
      'Total number of compactions that failed.',
      () => this.compactionsFailed,
    );
    registry.counterFunc(
      'orrery_tsdb_block_write_failures_total',
      'Blocks that could not be written from the head (disk full, say); retried on the next pass.',
      () => this.writeFailures,
    );
    registry.counterFunc(
      'orrery_tsdb_corrupt_blocks_total',
      'Block directories skipped at start because they could not be read.',
      () => this.corruptBlocks,
    );
    registry.counterFunc(
      'orrery_tsdb_block_read_errors_total',
      'Queries that skipped a block because part of it could not be read.',
      () => this.readErrors,
    );
  }

  /**
   * Cuts the head into blocks where due, compacts, applies retention; never rejects. A call
   * during a pass runs another pass after it.
   */
  maintain(): Promise<void> {
    const run = (this.pass ?? Promise.resolve()).then(() => this.runPass());
    const tracked = run.finally(() => {
      if (this.pass === tracked) this.pass = undefined;
    });
    this.pass = tracked;
    return tracked;
  }

  private async runPass(): Promise<void> {
    if (this.closed) return;
    try {
      await this.cutHead();
      await this.compact();
      if (!this.closed) this.applyRetention();
    } catch (e) {
      if (!this.closed) this.log(`tsdb: maintenance failed: ${errorText(e)}`);
    }
  }

  // ---- cutting the head ----

  private async cutHead(): Promise<void> {
    const D = this.blockMs;
    while (!this.closed) {
      const headMax = this.head.maxTime();
      const headMin = Math.max(this.head.minTime(), this.persistedUpTo);
      if (!Number.isFinite(headMax) || !Number.isFinite(headMin)) return;
      const start = Math.floor(headMin / D) * D;
      const end = start + D;
      if (headMax < end + D / 2) return;
      if (!(await this.writeHeadBlock(start, end))) return;
      this.persistedUpTo = end;
      this.head.truncateBefore(end);
      await nextTurn(); // the next cut's look at the head is a turn of its own
    }
  }

  /** Writes the head's samples in [start, end) as a block; false when writing failed. */
  private async writeHeadBlock(start: number, end: number): Promise<boolean> {
    // From here on nothing can land in [start, end): the chunks taken next are all of it, even
    // when taken over several turns (a series' open chunk only grows past `end`).
    this.head.refuseBefore(end);
    const refs = this.head.seriesIn(start, end - 1).map((s) => s.ref);
    if (refs.length === 0) return true;
    const parts: HeadChunksPart[] = [];
    for (let i = 0; i < refs.length; i += SERIES_PER_TURN) {
      await nextTurn();
      if (this.closed) return false;
      parts.push(packHeadChunks(this.head.chunksIn(refs.slice(i, i + SERIES_PER_TURN), start, end - 1)));
    }
    try {
      const t0 = performance.now();
      const meta = await this.jobs.run({ kind: 'cut', parentDir: this.dir, minTime: start, maxTime: end, parts });
      if (this.closed) return false;
      if (meta !== undefined) {
        this.blocks.push(Block.open(path.join(this.dir, meta.ulid)));
        this.sortBlocks();
        // one line per block, as Prometheus logs "write block"
        this.log(
          `tsdb: wrote block ${meta.ulid} [${start}, ${end}) with ${meta.stats.numSeries} series, ` +
            `${meta.stats.numSamples} samples in ${Math.round(performance.now() - t0)} ms`,
        );
      }
      return true;
    } catch (e) {
      if (this.closed) return false;
      this.removeTempDirs();
      this.writeFailures++;
      this.log(`tsdb: writing the block for [${start}, ${end}) failed, will retry: ${errorText(e)}`);
      return false;
    }
  }

  /** Removes what a job that died (a worker crash) left half written; no other job is running. */
  private removeTempDirs(): void {
    try {
      for (const name of readdirSync(this.dir))
        if (name.endsWith(TMP_CREATION_SUFFIX)) rmSync(path.join(this.dir, name), { recursive: true, force: true });
    } catch (e) {
      this.log(`tsdb: removing temp dirs failed: ${errorText(e)}`);
    }
  }

  // ---- compaction ----

  private async compact(): Promise<void> {
    for (const range of this.ranges) {
      while (!this.closed) {
        const group = this.compactableGroup(range);
        if (group === undefined) break;
        if (!(await this.compactGroup(group))) return;
      }
    }
  }

  /** Two or more blocks inside one window of `range` that no later data can reach. */
  private compactableGroup(range: number): Block[] | undefined {
    const byWindow = new Map<number, Block[]>();
    for (const b of this.blocks) {
      const w = Math.floor(b.minTime / range) * range;
      if (b.maxTime > w + range || w + range > this.persistedUpTo) continue;
      const list = byWindow.get(w);
      if (list === undefined) byWindow.set(w, [b]);
      else list.push(b);
    }
    for (const list of byWindow.values()) if (list.length >= 2) return list;
    return undefined;
  }

  private async compactGroup(parents: Block[]): Promise<boolean> {
    const names = parents.map((b) => b.meta.ulid).join(', ');
    try {
      this.log(`tsdb: compacting blocks ${names}`);
      const t0 = performance.now();
      const meta = await this.jobs.run({
        kind: 'compact',
        parentDir: this.dir,
        parents: parents.map((b) => ({ dir: b.dir, meta: b.meta })),
      });
      if (this.closed) return false;
      if (meta === undefined) throw new Error('compaction wrote no block');
      // In one turn: the merged block replaces its parents for every query from now on.
      const merged = Block.open(path.join(this.dir, meta.ulid));
      this.blocks = this.blocks.filter((b) => !parents.includes(b));
      this.blocks.push(merged);
      this.sortBlocks();
      for (const p of parents) this.deleteBlock(p);
      this.compactions++;
      this.log(
        `tsdb: compacted ${parents.length} blocks into ${meta.ulid} in ${Math.round(performance.now() - t0)} ms`,
      );
      return true;
    } catch (e) {
      if (this.closed) return false;
      this.removeTempDirs();
      this.compactionsFailed++;
      this.log(`tsdb: compaction of ${names} failed: ${errorText(e)}`);
      return false;
    }
  }

  // ---- retention ----

  private applyRetention(): void {
    if (Number.isFinite(this.retentionMs) && this.blocks.length > 0) {
      const newest = Math.max(this.head.maxTime(), this.blocks[this.blocks.length - 1]!.maxTime - 1);
      const expired = this.blocks.filter((b) => b.maxTime <= newest - this.retentionMs);
      if (expired.length > 0) {
        this.removeBlocks(expired);
        this.timeRetentions++;
      }
    }
    if (Number.isFinite(this.retentionBytes)) {
      let total = this.blocksBytes();
      const drop: Block[] = [];
      for (const b of this.blocks) {
        if (total <= this.retentionBytes) break;
        drop.push(b);
        total -= b.bytes;
      }
      if (drop.length > 0) {
        this.removeBlocks(drop);
        this.sizeRetentions++;
      }
    }
  }

  private removeBlocks(list: readonly Block[]): void {
    this.blocks = this.blocks.filter((b) => !list.includes(b));
    for (const b of list) this.deleteBlock(b);
  }

  /** Renames the block out of sight first, so a crash mid-delete leaves no half block. */
  private deleteBlock(b: Block): void {
    b.close();
    const gone = b.dir + TMP_DELETION_SUFFIX;
    try {
      renameSync(b.dir, gone);
      rmSync(gone, { recursive: true, force: true });
    } catch (e) {
      this.log(`tsdb: deleting block ${b.meta.ulid} failed: ${errorText(e)}`);
    }
  }

  // ---- appending goes to the head ----

  append(labels: Labels, t: number, v: number): AppendStatus {
    return this.head.append(labels, t, v);
  }

  appendStale(labels: Labels, t: number): AppendStatus {
    return this.head.appendStale(labels, t);
  }

  appendExemplar(seriesLabels: Labels, exemplar: Exemplar): void {
    this.head.appendExemplar(seriesLabels, exemplar);
  }

  setMetadata(metricName: string, metadata: MetricMetadata): void {
    this.head.setMetadata(metricName, metadata);
  }

  // ---- reading merges blocks and head ----

  /** Runs a read on each block overlapping the range, skipping (and logging) one that fails. */
  private fromBlocks<T>(mint: number, maxt: number, read: (b: Block) => T): T[] {
    const out: T[] = [];
    for (const b of this.blocks) {
      if (!b.overlaps(mint, maxt)) continue;
      try {
        out.push(read(b));
      } catch (e) {
        this.readErrors++;
        this.log(`tsdb: reading block ${b.meta.ulid} failed, answering without it: ${errorText(e)}`);
      }
    }
    return out;
  }

  select(matchers: readonly Matcher[], mint: number, maxt: number): SeriesSamples[] {
    const parts = this.fromBlocks(mint, maxt, (b) => b.selectChunks(matchers, mint, maxt));
    if (parts.every((l) => l.length === 0)) return this.head.select(matchers, mint, maxt);
    return mergeSelect([...parts, this.head.chunkedSeries(matchers, mint, maxt)], mint, maxt);
  }

  scan(matchers: readonly Matcher[], mint: number, maxt: number, visit: SeriesVisitor): void {
    const parts = this.fromBlocks(mint, maxt, (b) => b.selectChunks(matchers, mint, maxt));
    if (parts.every((l) => l.length === 0)) return this.head.scan(matchers, mint, maxt, visit);
    // A visit that scans again (none does today) gets columns of its own.
    const cols = this.idleColumns ?? new SampleColumns();
    this.idleColumns = undefined;
    try {
      mergeScan([...parts, this.head.chunkedSeries(matchers, mint, maxt)], mint, maxt, cols, visit);
    } finally {
      this.idleColumns = cols;
    }
  }

  /** Querier.selectEncoded: the blocks' and the head's chunks as select merges them, still encoded. */
  selectEncoded(matchers: readonly Matcher[], mint: number, maxt: number): EncodedSelection {
    const parts = this.fromBlocks(mint, maxt, (b) => b.selectChunks(matchers, mint, maxt));
    return encodeSelection([...parts, this.head.chunkedSeries(matchers, mint, maxt)]);
  }

  series(matchers: readonly Matcher[], mint: number, maxt: number): Labels[] {
    const all = new Map<string, Labels>();
    for (const part of [
      ...this.fromBlocks(mint, maxt, (b) => b.seriesLabels(matchers, mint, maxt)),
      this.head.series(matchers, mint, maxt),
    ]) {
      for (const l of part) all.set(labelsKey(l), l);
    }
    return [...all.values()].sort(compareLabels);
  }

  labelNames(matchers: readonly Matcher[], mint: number, maxt: number): string[] {
    const names = new Set(this.head.labelNames(matchers, mint, maxt));
    for (const part of this.fromBlocks(mint, maxt, (b) => b.labelNames(matchers, mint, maxt)))
      for (const n of part) names.add(n);
    return [...names].sort();
  }

  labelValues(name: string, matchers: readonly Matcher[], mint: number, maxt: number): string[] {
    const values = new Set(this.head.labelValues(name, matchers, mint, maxt));
    for (const part of this.fromBlocks(mint, maxt, (b) => b.labelValues(name, matchers, mint, maxt)))
      for (const v of part) values.add(v);
    return [...values].sort();
  }

  selectExemplars(
    matcherSets: readonly (readonly Matcher[])[],
    mint: number,
    maxt: number,
  ): { seriesLabels: Labels; exemplars: Exemplar[] }[] {
    return this.head.selectExemplars(matcherSets, mint, maxt);
  }

  metadata(metricName?: string): Map<string, MetricMetadata> {
    return this.head.metadata(metricName);
  }
}
