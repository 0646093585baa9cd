import { cpSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { labelsFromRecord, type Labels } from '../labels/labels.js';
import { newMatcher } from '../labels/matcher.js';
import { SelfMetrics } from '../selfmetrics/registry.js';
import type { SeriesSamples } from '../storage/storage.js';
import { Head } from './head.js';
import { Tsdb, compactionRanges } from './db.js';

const HOUR = 3_600_000;
const BLOCK = HOUR; // short blocks keep the tests small
// aligned to every compaction window the tests reach (3, 9 and 27 blocks)
const T0 = 1_764_000_000_000 - (1_764_000_000_000 % (27 * BLOCK));

let dir: string;
let clock: number;
const logs: string[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'orrery-tsdb-'));
  clock = T0;
  logs.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function open(opts: { retentionMs?: number; retentionBytes?: number } = {}): Tsdb {
  const head = new Head({
    now: () => clock,
    ...(opts.retentionMs !== undefined ? { retentionMs: opts.retentionMs } : {}),
  });
  return new Tsdb({ dir, head, blockDurationMs: BLOCK, log: (l) => logs.push(l), ...opts });
}

const SERIES: Labels[] = ['cart', 'checkout', 'frontend'].map((s) =>
  labelsFromRecord({ __name__: 'traces_span_metrics_calls_total', service_name: s, span_kind: 'SPAN_KIND_SERVER' }),
);

/**
 * Appends one sample per series every 30 s (with jitter) from `from` to `to`, moving the clock
 * along; at the times in `staleAt` the second series gets a staleness marker after its sample.
 */
function fill(db: Tsdb | Head, from: number, to: number, staleAt: readonly number[] = []): void {
  for (let t = from; t < to; t += 30_000) {
    clock = t;
    SERIES.forEach((labels, k) => db.append(labels, t + k, (t - T0) / 1000 + k));
    if (staleAt.includes(t)) db.appendStale(SERIES[1]!, t + 2);
  }
}

const ALL = [newMatcher('=', '__name__', 'traces_span_metrics_calls_total')];

function plain(r: SeriesSamples[]): { labels: Labels; t: number[]; v: number[]; stale: number[] }[] {
  return r.map((s) => ({ labels: s.labels, t: [...s.t], v: [...s.v], stale: s.stale ? [...s.stale] : [] }));
}

const metric = (m: SelfMetrics, name: string): number | undefined => m.value(name);

describe('Tsdb: head and blocks', () => {
  it('cuts the head into a block once it spans 1.5 block ranges, and answers as a head holding everything would', async () => {
    const db = open();
    const reference = new Head({ now: () => clock });
    // checkout's series ends (and restarts) twice, once in what becomes the block, once in the head
    const marks = [T0 + BLOCK / 2, T0 + 1.5 * BLOCK];
    fill(db, T0, T0 + 2 * BLOCK, marks);
    fill(reference, T0, T0 + 2 * BLOCK, marks);
    await db.maintain();
    expect(db.blockMetas().map((m) => [m.minTime, m.maxTime])).toEqual([[T0, T0 + BLOCK]]);
    // the head gave up what the block holds
    expect(db.head.minTime()).toBeGreaterThanOrEqual(T0 + BLOCK - 60 * 30_000);
    for (const [mint, maxt] of [
      [T0, T0 + 2 * BLOCK],
      [T0 + BLOCK - 600_000, T0 + BLOCK + 600_000],
      [T0 + 10_000, T0 + 20 * 60_000],
    ] as const) {
      expect(plain(db.select(ALL, mint, maxt))).toEqual(plain(reference.select(ALL, mint, maxt)));
      // scan: the same series one at a time (copied during the visit: the columns are reused)
      const scanned: SeriesSamples[] = [];
      db.scan(ALL, mint, maxt, (s) => {
        scanned.push({
          labels: s.labels,
          t: s.t.slice(),
          v: s.v.slice(),
          ...(s.stale ? { stale: s.stale.slice() } : {}),
        });
      });
      expect(plain(scanned)).toEqual(plain(reference.select(ALL, mint, maxt)));
    }
    // both markers came through, one from the block and one from the head
    const checkout = db.select(ALL, T0, T0 + 2 * BLOCK).find((s) => s.labels.some((l) => l.value === 'checkout'));
    expect(checkout?.stale?.reduce((a, b) => a + b, 0)).toBe(2);
    expect(db.series(ALL, T0, T0 + 1000)).toEqual(reference.series(ALL, T0, T0 + 1000));
    expect(db.labelValues('service_name', [], T0, T0 + 1000)).toEqual(['cart', 'checkout', 'frontend']);
    // a sample in the range already written is refused as too old
    expect(db.append(SERIES[0]!, T0 + 5, 1)).toBe('too-old');
    await db.shutdown();
  });

  it('loads its blocks on start, and the head refuses what they already cover', async () => {
    const db = open();
    fill(db, T0, T0 + 2 * BLOCK);
    await db.maintain();
    const before = plain(db.select(ALL, T0, T0 + BLOCK - 1));
    await db.shutdown();
    const again = open();
    expect(again.blockMetas()).toHaveLength(1);
    expect(plain(again.select(ALL, T0, T0 + BLOCK - 1))).toEqual(before);
    expect(again.append(SERIES[0]!, T0 + BLOCK - 1, 1)).toBe('too-old');
    await again.shutdown();
  });

  it('compacts three blocks into one of three ranges once the window is complete, keeping every sample', async () => {
    const db = open();
    const m = new SelfMetrics();
    db.registerMetrics(m);
    fill(db, T0, T0 + 4.5 * BLOCK + 60_000);
    const before = plain(db.select(ALL, T0, T0 + 3 * BLOCK - 1));
    await db.maintain();
    const metas = db.blockMetas();
    expect(metas.map((b) => [b.minTime, b.maxTime, b.compaction.level])).toEqual([
      [T0, T0 + 3 * BLOCK, 2],
      [T0 + 3 * BLOCK, T0 + 4 * BLOCK, 1],
    ]);
    expect(metas[0]!.compaction.sources).toHaveLength(3);
    expect(plain(db.select(ALL, T0, T0 + 3 * BLOCK - 1))).toEqual(before);
    expect(metric(m, 'prometheus_tsdb_compactions_total')).toBe(1);
    // each block written and each compaction is logged, as Prometheus logs them
    expect(
      logs.filter((l) => /^tsdb: wrote block \w{26} \[\d+, \d+\) with 3 series, \d+ samples in \d+ ms$/.test(l)),
    ).toHaveLength(4);
    expect(logs.filter((l) => l.startsWith('tsdb: compacting blocks '))).toHaveLength(1);
    expect(logs.filter((l) => /^tsdb: compacted 3 blocks into \w{26} in \d+ ms$/.test(l))).toHaveLength(1);
    expect(metric(m, 'prometheus_tsdb_blocks_loaded')).toBe(2);
    // the parents' directories are gone
    expect(readdirSync(dir).filter((n) => !n.startsWith('.'))).toHaveLength(2);
    await db.shutdown();
  });

  it('deletes whole blocks older than the retention, and the oldest ones beyond the size limit', async () => {
    const byTime = open({ retentionMs: 2 * BLOCK });
    const m = new SelfMetrics();
    byTime.registerMetrics(m);
    // maintenance runs as time passes, as its timer would
    for (let t = T0; t < T0 + 4 * BLOCK; t += BLOCK / 4) {
      fill(byTime, t, t + BLOCK / 4);
      await byTime.maintain();
    }
    expect(byTime.blockMetas().map((b) => b.minTime)).toEqual([T0 + BLOCK, T0 + 2 * BLOCK]);
    expect(metric(m, 'prometheus_tsdb_time_retentions_total')).toBe(1);
    await byTime.shutdown();

    rmSync(dir, { recursive: true });
    const probe = open();
    fill(probe, T0, T0 + 2 * BLOCK);
    await probe.maintain();
    const oneBlock = probe.blocksBytes();
    await probe.shutdown();
    rmSync(dir, { recursive: true });

    const bySize = open({ retentionBytes: Math.floor(oneBlock * 2.5) });
    const ms = new SelfMetrics();
    bySize.registerMetrics(ms);
    fill(bySize, T0, T0 + 5 * BLOCK);
    await bySize.maintain();
    expect(bySize.blocksBytes()).toBeLessThanOrEqual(oneBlock * 2.5);
    expect(bySize.blockMetas()[0]!.minTime).toBeGreaterThan(T0);
    expect(metric(ms, 'prometheus_tsdb_size_retentions_total')).toBe(1);
    expect(metric(ms, 'prometheus_tsdb_storage_blocks_bytes')).toBe(bySize.blocksBytes());
    await bySize.shutdown();
  });

  it('skips a corrupt block at start with a log line, and removes leftovers of interrupted writes', async () => {
    const db = open();
    fill(db, T0, T0 + 3 * BLOCK);
    await db.maintain();
    expect(db.blockMetas()).toHaveLength(2);
    const [first] = db.blockMetas();
    await db.shutdown();
    writeFileSync(path.join(dir, first!.ulid, 'index'), 'not an index');
    writeFileSync(path.join(dir, 'x'), '');
    renameSync(path.join(dir, 'x'), path.join(dir, '01ARZ3NDEKTSV4RRFFQ69G5FAV.tmp-for-creation'));
    const again = open();
    expect(again.blockMetas()).toHaveLength(1);
    expect(logs.some((l) => l.startsWith(`tsdb: skipping block ${first!.ulid}`))).toBe(true);
    expect(existsSync(path.join(dir, '01ARZ3NDEKTSV4RRFFQ69G5FAV.tmp-for-creation'))).toBe(false);
    expect(again.select(ALL, T0 + BLOCK, T0 + 2 * BLOCK - 1)).toHaveLength(3);
    await again.shutdown();
  });

  it('logs and counts a block it cannot write, keeps the data in the head, and writes it on a later pass', async () => {
    const db = open();
    const m = new SelfMetrics();
    db.registerMetrics(m);
    fill(db, T0, T0 + 2 * BLOCK);
    // The directory vanishes under it (as a full or failing disk would refuse the write).
    renameSync(dir, dir + '-away');
    writeFileSync(dir, 'a file where the directory was');
    await db.maintain();
    expect(db.blockMetas()).toHaveLength(0);
    expect(metric(m, 'orrery_tsdb_block_write_failures_total')).toBe(1);
    expect(logs.some((l) => l.includes('will retry'))).toBe(true);
    expect(db.select(ALL, T0, T0 + 1000)).toHaveLength(3);
    rmSync(dir);
    renameSync(dir + '-away', dir);
    await db.maintain();
    expect(db.blockMetas()).toHaveLength(1);
    await db.shutdown();
  });

  it('drops the parents a compaction left behind when it was interrupted before deleting them', async () => {
    const db = open();
    fill(db, T0, T0 + 2.5 * BLOCK + 60_000);
    // two 1-hour blocks; the third, cut on the next pass, completes the window and all three merge
    await db.maintain();
    const parents = db.blockMetas().map((m) => m.ulid);
    expect(parents).toHaveLength(2);
    const saved = path.join(dir + '-saved');
    for (const u of parents) cpSync(path.join(dir, u), path.join(saved, u), { recursive: true });
    fill(db, T0 + 2.5 * BLOCK + 60_000, T0 + 3.6 * BLOCK);
    await db.maintain();
    expect(db.blockMetas()[0]!.compaction.level).toBe(2);
    const before = plain(db.select(ALL, T0, T0 + 3 * BLOCK - 1));
    await db.shutdown();
    // as if the process died between writing the merged block and deleting its parents
    for (const u of parents) cpSync(path.join(saved, u), path.join(dir, u), { recursive: true });
    rmSync(saved, { recursive: true });
    const again = open();
    expect(again.blockMetas().map((m) => m.compaction.level)).toEqual([2]);
    for (const u of parents) expect(existsSync(path.join(dir, u))).toBe(false);
    expect(plain(again.select(ALL, T0, T0 + 3 * BLOCK - 1))).toEqual(before);
    await again.shutdown();
  });

  it('writes no empty block for ranges a sparse series only spans', async () => {
    const db = open();
    const sparse = SERIES[0]!;
    clock = T0 + 6 * BLOCK;
    expect(db.append(sparse, T0 + 10, 1)).toBe('ok');
    expect(db.append(sparse, T0 + 5 * BLOCK + 10, 2)).toBe('ok');
    await db.maintain();
    // one chunk spans both samples: only the ranges holding a sample become blocks
    expect(db.blockMetas().map((m) => m.minTime)).toEqual([T0]);
    expect(readdirSync(dir)).toHaveLength(1);
    expect(plain(db.select(ALL, T0, T0 + 6 * BLOCK)).map((s) => s.v)).toEqual([[1, 2]]);
    await db.shutdown();
  });

  it('writes blocks in a worker while queries see every sample once, in the head or in the block', async () => {
    const db = open();
    expect(db.blocksInWorker).toBe(true);
    const reference = new Head({ now: () => clock });
    fill(db, T0, T0 + 4.5 * BLOCK + 60_000);
    fill(reference, T0, T0 + 4.5 * BLOCK + 60_000);
    const want = plain(reference.select(ALL, T0, T0 + 5 * BLOCK));
    let done = false;
    const pass = db.maintain().then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    // once the first cut has taken its chunks, a sample in its range is refused (a new series too)
    const late = labelsFromRecord({ __name__: 'late', service_name: 'cart' });
    expect(db.append(late, T0 + 5, 1)).toBe('too-old');
    let turnsDuringPass = 0;
    while (!done) {
      expect(plain(db.select(ALL, T0, T0 + 5 * BLOCK))).toEqual(want);
      turnsDuringPass++;
      await new Promise((r) => setImmediate(r));
    }
    await pass;
    // the event loop went on turning while the cuts and the compaction were written
    expect(turnsDuringPass).toBeGreaterThan(1);
    expect(db.blockMetas().map((b) => [b.minTime, b.maxTime, b.compaction.level])).toEqual([
      [T0, T0 + 3 * BLOCK, 2],
      [T0 + 3 * BLOCK, T0 + 4 * BLOCK, 1],
    ]);
    expect(plain(db.select(ALL, T0, T0 + 5 * BLOCK))).toEqual(want);
    await db.shutdown();
  });

  it('writes the same blocks on the event loop when asked to (the benchmark reference)', async () => {
    const inWorker = open();
    fill(inWorker, T0, T0 + 3.6 * BLOCK);
    await inWorker.maintain();
    const fromWorker = plain(inWorker.select(ALL, T0, T0 + 3 * BLOCK - 1));
    const metas = inWorker.blockMetas().map((m) => [m.minTime, m.maxTime, m.stats]);
    await inWorker.shutdown();
    rmSync(dir, { recursive: true });
    const inline = new Tsdb({ dir, head: new Head({ now: () => clock }), blockDurationMs: BLOCK, blockWorker: false });
    expect(inline.blocksInWorker).toBe(false);
    fill(inline, T0, T0 + 3.6 * BLOCK);
    await inline.maintain();
    expect(inline.blockMetas().map((m) => [m.minTime, m.maxTime, m.stats])).toEqual(metas);
    expect(plain(inline.select(ALL, T0, T0 + 3 * BLOCK - 1))).toEqual(fromWorker);
    await inline.shutdown();
  });

  it('abandons a block being written at shutdown; the next start removes its temp dir and the head data stays', async () => {
    const db = open();
    fill(db, T0, T0 + 2 * BLOCK);
    const pass = db.maintain();
    await db.shutdown();
    await pass;
    const again = open();
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp-for-creation'))).toEqual([]);
    // either the block was finished before the worker stopped, or nothing of it is left
    expect(again.blockMetas().length).toBeLessThanOrEqual(1);
    await again.shutdown();
  });

  it('uses compaction ranges of 3, 9, 27… block durations up to a tenth of the retention', () => {
    expect(compactionRanges(2 * HOUR, 15 * 24 * HOUR)).toEqual([6 * HOUR, 18 * HOUR]);
    expect(compactionRanges(2 * HOUR, 2 * HOUR)).toEqual([]);
  });
});
