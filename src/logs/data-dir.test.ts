import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RefusedError } from '../consumer/consumer.js';
import { RecordDecodeError, RecordWriter, segmentName } from '../wal/index.js';
import { decodeBatch, encodeBatch, type LoggedBatch } from './data-dir.js';
import { LogStore, recordMetadata, type LogStoreOptions } from './store.js';
import { logsBatch } from './testdata.js';

const T0 = Date.UTC(2025, 0, 1) * 1e6;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'orrery-logs-dir-'));
  dirs.push(d);
  return d;
}

/** A started store on `dir`, its log lines collected into `lines`. */
function onDisk(
  dir: string,
  opts: Omit<LogStoreOptions, 'dataDir'> & { walSegmentBytes?: number; checkpointBytes?: number } = {},
  lines: string[] = [],
): LogStore {
  const { walSegmentBytes, checkpointBytes, ...rest } = opts;
  const store = new LogStore({
    chunkBytes: 4096,
    ...rest,
    dataDir: {
      dir,
      fsyncIntervalMs: Infinity,
      ...(walSegmentBytes !== undefined ? { walSegmentBytes } : {}),
      ...(checkpointBytes !== undefined ? { checkpointBytes } : {}),
    },
    log: (l) => lines.push(l),
  });
  store.start();
  return store;
}

/** Batch `b`: two services, ten records each, unique text, IDs and attributes. */
function batch(b: number): ReturnType<typeof logsBatch> {
  return logsBatch(
    ['cart', 'checkout'].map((service, s) => ({
      resource: { 'service.name': service, 'host.name': `host-${b % 3}` },
      scope: { name: 'shop', version: String(b % 2) },
      records: Array.from({ length: 10 }, (_, i) => {
        const n = b * 100 + s * 10 + i;
        return {
          timeNs: T0 + n * 1e6,
          body: `order ${n} handled in ${(n * 7) % 300} ms`,
          severityNumber: i % 4 === 0 ? 17 : 9,
          severityText: i % 4 === 0 ? 'ERROR' : 'INFO',
          traceId: n.toString(16).padStart(32, '0'),
          ...(i % 2 === 0 ? { spanId: n.toString(16).padStart(16, 'b') } : {}),
          attributes: { 'app.order': `o-${n}`, 'app.items': n % 9 },
        };
      }),
    })),
  );
}

/** Every record held, as text (stream labels, time, line, metadata), sorted. */
function dump(store: LogStore): string[] {
  const out: string[] = [];
  store.scan(store.matchStreams([]), 0, Infinity, false, {}, (r) =>
    out.push(JSON.stringify([r.stream.labels, r.cursor.timeNs, r.cursor.line, recordMetadata(r)])),
  );
  return out.sort();
}

describe('LogStore with a data directory', () => {
  it('finds every record again after a shutdown and a restart', () => {
    const dir = tmp();
    const first = onDisk(dir);
    for (let b = 0; b < 30; b++) first.consumeLogs(batch(b));
    const before = dump(first);
    expect(before).toHaveLength(600);
    first.shutdown();
    const lines: string[] = [];
    const second = onDisk(dir, {}, lines);
    expect(dump(second)).toEqual(before);
    expect(second.stats()).toMatchObject({ records: 600, streams: first.stats().streams });
    expect(lines.some((l) => /replayed 600 log records \(30 batches\) in \d+ ms/.test(l))).toBe(true);
    // and it keeps taking batches, which a third start finds too
    second.consumeLogs(batch(30));
    second.shutdown();
    expect(dump(onDisk(dir))).toHaveLength(620);
  });

  it('finds every record after a simulated kill (no shutdown: the log was written before each consume returned)', () => {
    const dir = tmp();
    const killed = onDisk(dir);
    for (let b = 0; b < 12; b++) killed.consumeLogs(batch(b));
    expect(dump(onDisk(dir))).toEqual(dump(killed));
  });

  it('cuts a torn tail, counts and logs it, and keeps every whole batch', () => {
    const dir = tmp();
    const killed = onDisk(dir);
    for (let b = 0; b < 10; b++) killed.consumeLogs(batch(b));
    const wholeNine = dump(killed);
    killed.consumeLogs(batch(10));
    // the process died in the middle of the last write
    const walDir = path.join(dir, 'wal');
    const last = path.join(walDir, readdirSync(walDir).sort().at(-1)!);
    truncateSync(last, statSync(last).size - 25);
    const lines: string[] = [];
    const again = onDisk(dir, {}, lines);
    expect(dump(again)).toEqual(wholeNine);
    expect(lines.some((l) => /replayed 200 log records .*1 torn or corrupt tails cut, \d+ bytes/.test(l))).toBe(true);
    expect(again.dataDir!.wal.corruptions).toBe(1);
  });

  it('a full disk refuses the batch (503 with Retry-After), keeps nothing of it, and takes batches again after', () => {
    const dir = tmp();
    // a log file per batch, so that the next one can be made the full device
    const store = onDisk(dir, { walSegmentBytes: 1 });
    for (let b = 0; b < 5; b++) store.consumeLogs(batch(b));
    const before = dump(store);
    const walDir = path.join(dir, 'wal');
    const next = Math.max(...readdirSync(walDir).map(Number)) + 1;
    symlinkSync('/dev/full', path.join(walDir, segmentName(next)));
    let refused: unknown;
    try {
      store.consumeLogs(batch(5));
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(RefusedError);
    expect(refused).toMatchObject({ kind: 'unavailable' });
    expect((refused as RefusedError).retryAfterSeconds).toBeGreaterThan(0);
    expect(dump(store)).toEqual(before);
    for (let b = 6; b < 9; b++) store.consumeLogs(batch(b));
    expect(store.stats().records).toBe(before.length + 60);
    rmSync(path.join(walDir, segmentName(next)));
    expect(dump(onDisk(dir))).toEqual(dump(store));
  });

  it('a checkpoint bounds the log: it replaces the segments with the records held, and replay reads it', () => {
    const dir = tmp();
    const lines: string[] = [];
    const store = onDisk(dir, { walSegmentBytes: 16 * 1024, checkpointBytes: 64 * 1024 }, lines);
    for (let b = 0; b < 200; b++) store.consumeLogs(batch(b));
    const walDir = path.join(dir, 'wal');
    expect(readdirSync(walDir).some((n) => /^checkpoint\.\d{8}$/.test(n))).toBe(true);
    expect(lines.some((l) => /checkpoint of \d+ chunks/.test(l))).toBe(true);
    const wal = store.dataDir!.wal;
    expect(wal.checkpointCreations).toBeGreaterThan(0);
    // the log holds the checkpoint and at most what outgrew it: bounded by what the store holds
    const ckpt = readdirSync(walDir).find((n) => /^checkpoint\.\d{8}$/.test(n))!;
    const ckptBytes = readdirSync(path.join(walDir, ckpt)).reduce(
      (n, f) => n + statSync(path.join(walDir, ckpt, f)).size,
      0,
    );
    expect(wal.sizeBytes()).toBeLessThanOrEqual(Math.max(64 * 1024, 2 * ckptBytes) + 2 * 16 * 1024);
    const replayLines: string[] = [];
    const again = onDisk(dir, {}, replayLines);
    expect(dump(again)).toEqual(dump(store));
    expect(dump(again)).toHaveLength(4000);
    expect(replayLines.some((l) => /from a checkpoint/.test(l))).toBe(true);
  });

  it('with a byte budget the log stays far smaller than what was written, and replays what the store held', () => {
    const dir = tmp();
    const opts = { walSegmentBytes: 16 * 1024, checkpointBytes: 64 * 1024, budgetBytes: 32 * 1024 };
    const store = onDisk(dir, opts);
    // the same batches logged without checkpoints: the whole history
    const history = onDisk(tmp(), { ...opts, checkpointBytes: Infinity });
    for (let b = 0; b < 400; b++) {
      store.consumeLogs(batch(b));
      history.consumeLogs(batch(b));
    }
    const written = history.dataDir!.wal.sizeBytes();
    const held = dump(store);
    expect(held.length).toBeLessThan(8000);
    expect(store.dataDir!.wal.sizeBytes()).toBeLessThan(written / 3);
    const again = dump(onDisk(dir, opts));
    expect(again.length).toBeGreaterThan(0);
    const heldSet = new Set(held);
    expect(again.filter((r) => !heldSet.has(r))).toEqual([]);
  });

  it('applies retention and the byte budget to what it replays', () => {
    const dir = tmp();
    let nowMs = Date.UTC(2025, 0, 1);
    const first = onDisk(dir, { now: () => nowMs, retentionMs: 3600_000 });
    for (let b = 0; b < 20; b++) first.consumeLogs(batch(b));
    nowMs += 1800_000;
    for (let b = 20; b < 40; b++) first.consumeLogs(batch(b));
    first.shutdown();
    // 45 minutes after the second half: the first half (written 75 minutes ago) has expired
    nowMs += 2700_000;
    const later = onDisk(dir, { now: () => nowMs, retentionMs: 3600_000 });
    const held = later.stats().records;
    expect(held).toBeGreaterThanOrEqual(400);
    expect(held).toBeLessThan(800);
    expect(dump(later).every((r) => !/"order (\d|1\d)\d\d handled/.test(r))).toBe(true);
    later.shutdown();
    const small = onDisk(dir, { now: () => nowMs, retentionMs: 3600_000, budgetBytes: 32 * 1024 });
    expect(small.stats().bytes).toBeLessThanOrEqual(32 * 1024);
    expect(small.stats().records).toBeLessThan(held);
  });

  it('without a data directory, writes nothing', () => {
    const dir = tmp();
    const store = new LogStore();
    store.start();
    store.consumeLogs(batch(0));
    store.shutdown();
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(path.join(dir, 'wal'))).toBe(false);
  });
});

describe('the log store WAL record', () => {
  const sample: LoggedBatch = {
    nowMs: 1_700_000_000_123,
    groups: [
      {
        labels: [{ name: 'service_name', value: 'cart' }],
        origins: [[{ name: 'scope_name', value: 'shop' }], []],
        records: [
          {
            timeNs: T0 + 1,
            observedNs: T0 + 2,
            severityNumber: 17,
            severityText: 'ERROR',
            level: 3,
            traceId: 'ab'.repeat(16),
            spanId: 'cd'.repeat(8),
            origin: 1,
            line: 'payment failed: ünïcödé ✓',
            attributes: [{ name: 'app.order', value: 'o-1' }],
          },
        ],
      },
    ],
  };

  it('reads back what was written', () => {
    expect(decodeBatch(encodeBatch(new RecordWriter(16), sample))).toEqual(sample);
  });

  it('drops an ID of any other length, as the block does (so replay never refuses what was stored)', () => {
    const odd: LoggedBatch = {
      ...sample,
      groups: [{ ...sample.groups[0]!, records: [{ ...sample.groups[0]!.records[0]!, traceId: 'abc', spanId: 'ff' }] }],
    };
    const back = decodeBatch(encodeBatch(new RecordWriter(16), odd)).groups[0]!.records[0]!;
    expect(back).toMatchObject({ traceId: '', spanId: '', line: sample.groups[0]!.records[0]!.line });
  });

  it('refuses a record that does not read as a batch (truncated, out-of-range origin, other kind)', () => {
    const bytes = encodeBatch(new RecordWriter(16), sample).slice();
    expect(() => decodeBatch(bytes.subarray(0, bytes.length - 3))).toThrow(RecordDecodeError);
    const other = bytes.slice();
    other[0] = 9;
    expect(() => decodeBatch(other)).toThrow(/unknown log record kind 9/);
    const badOrigin: LoggedBatch = {
      ...sample,
      groups: [{ ...sample.groups[0]!, records: [{ ...sample.groups[0]!.records[0]!, origin: 5 }] }],
    };
    expect(() => decodeBatch(encodeBatch(new RecordWriter(16), badOrigin))).toThrow(/origin 5 of 2/);
  });
});
