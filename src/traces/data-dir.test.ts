import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RefusedError } from '../consumer/consumer.js';
import { segmentName } from '../wal/index.js';
import { answerDifferences, ANSWERS_T0, variedBatches } from './same-answers.js';
import { segmentFileName } from './segment-file.js';
import { TraceStore, type TraceStoreOptions } from './store.js';
import { batch, sid, span, tid } from './testdata.js';

const T0 = ANSWERS_T0;
const batches = variedBatches;
const dirs: string[] = [];
const stores: TraceStore[] = [];

afterEach(() => {
  for (const s of stores.splice(0)) s.shutdown();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'orrery-traces-'));
  dirs.push(d);
  return d;
}

/** A started store on a data directory with small segments, of which none sealed stays in memory. */
function onDisk(dir: string, opts: Partial<TraceStoreOptions> = {}, lines: string[] = []): TraceStore {
  const store = new TraceStore({
    now: () => T0,
    dataDir: dir,
    segmentBytes: 16 * 1024,
    memorySegments: 0,
    cacheSegments: 2,
    fsyncIntervalMs: Infinity,
    log: (l) => lines.push(l),
    ...opts,
  });
  store.start();
  stores.push(store);
  return store;
}

/** Every query's answer and every trace read by ID, from both stores, must be equal (and not all empty). */
function expectSameAnswers(memory: TraceStore, disk: TraceStore): void {
  const { differences, found } = answerDifferences(memory, disk);
  expect(differences).toEqual([]);
  expect(found).toBeGreaterThan(300);
}

describe('trace store on disk', () => {
  it('finds traces older than the memory window by search and by ID from disk, as it did in memory', () => {
    const data = batches(400);
    const memory = new TraceStore({ now: () => T0 });
    const disk = onDisk(tmp());
    for (const b of data) {
      memory.consumeTraces(b);
      disk.consumeTraces(b);
    }
    const usage = disk.segmentUsage();
    // nearly every segment is on disk only: the answers below come from files
    expect(usage.files).toBeGreaterThan(10);
    expect(usage.resident).toBe(1);
    expect(disk.memory().segments).toBeLessThan(memory.memory().segments / 5);
    expectSameAnswers(memory, disk);
    expect(disk.segmentUsage().diskReads).toBeGreaterThan(usage.diskReads);
  });

  it('after a shutdown, and after a kill (no shutdown), a restart serves what it had', () => {
    const data = batches(300);
    const memory = new TraceStore({ now: () => T0 });
    for (const b of data) memory.consumeTraces(b);

    const dir = tmp();
    const first = onDisk(dir);
    for (const b of data.slice(0, 180)) first.consumeTraces(b);
    first.shutdown();
    const lines: string[] = [];
    const second = onDisk(dir, {}, lines);
    expect(lines.join('\n')).toMatch(/loaded \d+ traces/);
    for (const b of data.slice(180)) second.consumeTraces(b);
    expectSameAnswers(memory, second);
    // killed: nothing was written at shutdown; the open segment's batches are in the log only
    stores.splice(stores.indexOf(second), 1);
    const third = onDisk(dir);
    expectSameAnswers(memory, third);
  });

  it('a corrupt segment file is logged, set aside and skipped; the rest is served and ingestion goes on', () => {
    const dir = tmp();
    const first = onDisk(dir);
    for (const b of batches(300)) first.consumeTraces(b);
    first.shutdown();
    const segDir = path.join(dir, 'segments');
    const files = readdirSync(segDir).sort();
    const victim = path.join(segDir, files[Math.floor(files.length / 2)]!);
    const bytes = readFileSync(victim);
    bytes[bytes.length - 10]! ^= 0xff;
    writeFileSync(victim, bytes);

    const lines: string[] = [];
    const second = onDisk(dir, {}, lines);
    expect(lines.some((l) => /segment \d+ is unreadable \(block at byte \d+: checksum mismatch\)/.test(l))).toBe(true);
    expect(readdirSync(segDir).filter((f) => f.endsWith('.corrupt'))).toHaveLength(1);
    const { traces } = second.stats();
    expect(traces).toBeGreaterThan(50);
    expect(traces).toBeLessThan(first.stats().traces);
    // every trace it lists reads back whole, and new spans are taken
    for (const t of second.findTraces({ tags: {}, limit: 0 })) expect(second.getTrace(t.traceId)).toEqual(t);
    second.consumeTraces(
      batch({ service: 'late', spans: [span({ traceId: tid(99999), spanId: sid(1), startMs: T0 })] }),
    );
    expect(second.getTrace(tid(99999))?.spans).toHaveLength(1);
  });

  it('a torn last record of the log is cut and counted; every batch before it is back', () => {
    const dir = tmp();
    const data = batches(40);
    const first = onDisk(dir, { segmentBytes: 1024 * 1024 });
    for (const b of data) first.consumeTraces(b);
    stores.splice(stores.indexOf(first), 1); // killed
    const walDir = path.join(dir, 'wal');
    const last = path.join(walDir, readdirSync(walDir).sort().at(-1)!);
    truncateSync(last, readFileSync(last).length - 7);

    const memory = new TraceStore({ now: () => T0 });
    for (const b of data.slice(0, -1)) memory.consumeTraces(b);
    const lines: string[] = [];
    const second = onDisk(dir, {}, lines);
    expect(lines.some((l) => /cut \d+ bytes/.test(l))).toBe(true);
    expect(second.stats()).toMatchObject({ spans: memory.stats().spans });
    for (const t of memory.findTraces({ tags: {}, limit: 0 })) expect(second.getTrace(t.traceId)).toEqual(t);
  });

  it('a full disk refuses the batch (503 with Retry-After), keeps nothing of it, and takes batches again once it can write', () => {
    const dir = tmp();
    // a log file per batch, so that the next one can be made the full device
    const store = onDisk(dir, { walSegmentBytes: 1 });
    const data = batches(20);
    for (const b of data.slice(0, 10)) store.consumeTraces(b);
    const before = { stats: store.stats(), services: store.getServices() };
    const walDir = path.join(dir, 'wal');
    const next = Math.max(...readdirSync(walDir).map(Number)) + 1;
    symlinkSync('/dev/full', path.join(walDir, segmentName(next)));
    let refused: unknown;
    try {
      store.consumeTraces(
        batch({ service: 'never-stored', spans: [span({ traceId: tid(1), spanId: sid(999), startMs: T0 })] }),
      );
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(RefusedError);
    expect(refused).toMatchObject({ kind: 'unavailable' });
    expect((refused as RefusedError).retryAfterSeconds).toBeGreaterThan(0);
    // (the dictionary may have grown: entries without records are harmless and logged with the next batch)
    expect(store.stats()).toMatchObject({ ...before.stats, bytes: expect.any(Number) });
    expect(store.getServices()).toEqual(before.services);
    expect(store.getTrace(tid(1))?.spans.some((s) => s.spanId === sid(999))).toBe(false);
    for (const b of data.slice(10)) store.consumeTraces(b);
    expect(store.stats().spans).toBe(before.stats.spans + 40);
  });

  it('a segment whose file cannot be written stays in memory, compressed, and is served until it is written', () => {
    const dir = tmp();
    const lines: string[] = [];
    const store = onDisk(dir, { plainSegments: 0 }, lines);
    const memory = new TraceStore({ now: () => T0 });
    const data = batches(400);
    for (const b of data.slice(0, 100)) {
      store.consumeTraces(b);
      memory.consumeTraces(b);
    }
    // the open segment's file name taken by a directory: writing it fails (and every later one waits)
    const openSeq = store.segmentUsage().segments - 1;
    const blocker = path.join(dir, 'segments', `${segmentFileName(openSeq)}.tmp`);
    mkdirSync(blocker);
    for (const b of data.slice(100, 300)) {
      store.consumeTraces(b);
      memory.consumeTraces(b);
    }
    expect(lines.some((l) => l.includes(`cannot write segment ${openSeq}`))).toBe(true);
    const usage = store.segmentUsage();
    expect(usage.packed).toBeGreaterThan(3);
    expect(usage.files).toBeLessThan(usage.segments - 3);
    expectSameAnswers(memory, store);
    rmSync(blocker, { recursive: true });
    for (const b of data.slice(300)) {
      store.consumeTraces(b);
      memory.consumeTraces(b);
    }
    expect(store.segmentUsage().files).toBe(store.segmentUsage().segments - 1);
    expectSameAnswers(memory, store);
  });

  it('retention by size deletes the oldest segment files whole and counts them', () => {
    const dir = tmp();
    const limit = 60 * 1024;
    const store = onDisk(dir, { retentionBytes: limit });
    for (const b of batches(600)) store.consumeTraces(b);
    const usage = store.segmentUsage();
    expect(usage.diskBytes).toBeLessThanOrEqual(limit);
    expect(usage.deleted.size).toBeGreaterThan(5);
    expect(readdirSync(path.join(dir, 'segments'))).toHaveLength(usage.files);
    const s = store.stats();
    expect(s.droppedTraces).toBeGreaterThan(0);
    // the oldest went first
    expect(store.getTrace(tid(1))).toBeUndefined();
    expect(store.getTrace(tid(200))).toBeDefined();
  });

  it('retention by time deletes segment files whose traces have all expired', () => {
    let now = T0;
    const dir = tmp();
    const store = onDisk(dir, { now: () => now, retentionMs: 60_000 });
    for (const b of batches(300)) store.consumeTraces(b);
    const files = store.segmentUsage().files;
    expect(files).toBeGreaterThan(3);
    now += 120_000;
    store.consumeTraces(
      batch({ service: 'late', spans: [span({ traceId: tid(99999), spanId: sid(1), startMs: now })] }),
    );
    expect(store.stats().traces).toBe(1);
    expect(store.segmentUsage()).toMatchObject({ files: 0 });
    expect(store.segmentUsage().deleted.time).toBe(files);
  });
});
