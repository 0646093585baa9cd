import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RefusedError } from '../../consumer/consumer.js';
import { labelsFromRecord, type Labels } from '../../labels/labels.js';
import { newMatcher } from '../../labels/matcher.js';
import { SelfMetrics } from '../../selfmetrics/registry.js';
import { segmentName } from '../../wal/wal.js';
import { Head, type HeadOptions } from '../head.js';
import { SamplesWal, type SamplesWalOptions } from './samples-wal.js';

const L = (r: Record<string, string>): Labels => labelsFromRecord(r);
const T0 = Date.now() - 3600_000;

let dir = '';
let lines: string[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'orrery-samples-wal-'));
  lines = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** One run of the backend's metric store: a head, its WAL replayed into it, ready for appends. */
function run(opts: Partial<SamplesWalOptions> = {}, headOpts: HeadOptions = {}): { head: Head; wal: SamplesWal } {
  const head = new Head(headOpts);
  const wal = new SamplesWal({ dir, head, fsyncIntervalMs: Infinity, log: (l) => lines.push(l), ...opts });
  wal.start();
  return { head, wal };
}

/** Everything a head holds, as plain data to compare. */
function contents(head: Head): unknown {
  const all = head.select([newMatcher('=~', '__name__', '.+')], -Infinity, Infinity);
  return all.map((s) => ({
    labels: s.labels.map((l) => `${l.name}=${l.value}`).join(','),
    t: [...s.t],
    v: [...s.v],
    stale: s.stale ? [...s.stale] : undefined,
  }));
}

describe('SamplesWal', () => {
  it('restores samples, staleness markers, exemplars and metadata after a restart', () => {
    const first = run();
    const app = first.wal.appender;
    const up = L({ __name__: 'up', job: 'shop' });
    const latency = L({ __name__: 'latency_bucket', le: '0.5' });
    app.setMetadata('up', { type: 'gauge', help: 'Target up.', unit: '' });
    for (let i = 0; i < 300; i++) {
      expect(app.append(up, T0 + i * 1000, i % 2)).toBe('ok');
      expect(app.append(latency, T0 + i * 1000 + 7, i * 1.5)).toBe('ok');
    }
    expect(app.appendStale(up, T0 + 300_000)).toBe('ok');
    app.appendExemplar(latency, { labels: L({ trace_id: 'abc123' }), value: 0.42, t: T0 + 5 });
    app.commit();
    const before = contents(first.head);
    first.wal.shutdown();

    const second = run();
    expect(contents(second.head)).toEqual(before);
    expect(second.head.metadata('up').get('up')).toEqual({ type: 'gauge', help: 'Target up.', unit: '' });
    const ex = second.head.selectExemplars([[]], -Infinity, Infinity);
    expect(ex).toEqual([
      { seriesLabels: latency, exemplars: [{ labels: L({ trace_id: 'abc123' }), value: 0.42, t: T0 + 5 }] },
    ]);
    expect(second.wal.replayStats).toMatchObject({ series: 2, samples: 601, exemplars: 1 });
    expect(lines.some((l) => /replayed 2 series, 601 samples, 1 exemplars/.test(l))).toBe(true);
    second.wal.shutdown();
  });

  it('logs only what the head accepted, and only once committed', () => {
    const first = run();
    const app = first.wal.appender;
    const s = L({ __name__: 'x' });
    expect(app.append(s, T0 + 2000, 1)).toBe('ok');
    expect(app.append(s, T0 + 1000, 2)).toBe('out-of-order');
    expect(app.append(s, T0 + 2000, 3)).toBe('duplicate');
    expect(app.appendStale(L({ __name__: 'never_seen' }), T0)).toBe('ok');
    app.commit();
    app.append(s, T0 + 3000, 4); // never committed: as if killed before the acknowledgement
    first.wal.wal.shutdown(); // closes the log without the component's final commit
    const second = run();
    expect(contents(second.head)).toEqual([{ labels: '__name__=x', t: [T0 + 2000], v: [1], stale: undefined }]);
    expect(second.head.refOf(L({ __name__: 'never_seen' }))).toBeUndefined();
    second.wal.shutdown();
  });

  it('replays the runs of several restarts in order although each run numbers its series anew', () => {
    const a = L({ __name__: 'm', id: 'a' });
    const b = L({ __name__: 'm', id: 'b' });
    const c = L({ __name__: 'm', id: 'c' });
    const r1 = run();
    r1.wal.appender.append(a, T0, 1);
    r1.wal.appender.append(b, T0, 2);
    r1.wal.appender.commit();
    r1.wal.shutdown();
    // The second run creates c before it touches a: refs now mean other series than in run 1.
    const r2 = new Head();
    r2.append(c, T0 - 5000, 0);
    const w2 = new SamplesWal({ dir, head: r2, fsyncIntervalMs: Infinity, log: (l) => lines.push(l) });
    w2.start();
    w2.appender.append(c, T0 + 1000, 30);
    w2.appender.append(a, T0 + 1000, 10);
    w2.appender.commit();
    w2.shutdown();
    const r3 = run();
    expect(contents(r3.head)).toEqual([
      { labels: '__name__=m,id=a', t: [T0, T0 + 1000], v: [1, 10], stale: undefined },
      { labels: '__name__=m,id=b', t: [T0], v: [2], stale: undefined },
      { labels: '__name__=m,id=c', t: [T0 + 1000], v: [30], stale: undefined },
    ]);
    r3.wal.shutdown();
  });

  it('drops on replay what the head refuses now: samples older than the retention', () => {
    const first = run();
    first.wal.appender.append(L({ __name__: 'old' }), Date.now() - 50_000, 1);
    first.wal.appender.append(L({ __name__: 'new' }), Date.now() - 1000, 2);
    first.wal.appender.commit();
    first.wal.shutdown();
    const second = run({}, { retentionMs: 10_000 });
    expect(second.head.series([newMatcher('=~', '__name__', '.+')], -Infinity, Infinity).length).toBe(1);
    expect(second.wal.replayStats?.refused.get('too-old')).toBe(1);
    expect(lines.some((l) => l.includes('refused now: 1 too-old'))).toBe(true);
    second.wal.shutdown();
  });

  it('checkpoints the head and deletes the segments it covers; replay is checkpoint + later segments', () => {
    const first = run();
    const app = first.wal.appender;
    const series = Array.from({ length: 50 }, (_, i) => L({ __name__: 'cpu', core: String(i) }));
    for (let k = 0; k < 200; k++) for (const s of series) app.append(s, T0 + k * 1000, k * 0.1);
    app.appendExemplar(series[0]!, { labels: L({ trace_id: 'feed' }), value: 1, t: T0 });
    app.setMetadata('cpu', { type: 'counter', help: 'CPU seconds.', unit: 'seconds' });
    app.commit();
    const result = first.wal.checkpoint();
    expect(result).toMatchObject({ upTo: 0, deletedSegments: 1 });
    // After the checkpoint: series known from before it are not logged again, and new ones are.
    for (const s of series) app.append(s, T0 + 200_000, 99);
    app.append(L({ __name__: 'cpu', core: 'new' }), T0 + 200_000, 1);
    app.commit();
    const before = contents(first.head);
    first.wal.shutdown();
    expect(readdirSync(dir).sort()).toEqual([segmentName(1), 'checkpoint.00000000']);

    const second = run();
    expect(contents(second.head)).toEqual(before);
    expect(second.wal.replayStats?.wal.checkpoint).toBe(0);
    expect(second.head.selectExemplars([[]], -Infinity, Infinity)[0]!.exemplars[0]!.labels).toEqual(
      L({ trace_id: 'feed' }),
    );
    expect(second.head.metadata('cpu').get('cpu')?.unit).toBe('seconds');
    const m = new SelfMetrics();
    second.wal.registerMetrics(m);
    expect(m.value('prometheus_tsdb_data_replay_duration_seconds')).toBeGreaterThan(0);
    second.wal.shutdown();
  });

  it('checkpoints by itself once the segments outgrow the configured size', async () => {
    const first = run({ checkpointMinBytes: 10_000, checkIntervalMs: 20 });
    for (let k = 0; k < 2000; k++) first.wal.appender.append(L({ __name__: 'g' }), T0 + k, k);
    first.wal.appender.commit();
    const deadline = Date.now() + 5000;
    while (first.wal.wal.checkpointCreations === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(first.wal.wal.checkpointCreations).toBe(1);
    const m = new SelfMetrics();
    first.wal.registerMetrics(m);
    expect(m.value('prometheus_tsdb_checkpoint_creations_total')).toBe(1);
    expect(m.value('prometheus_tsdb_wal_truncations_total')).toBe(1);
    const before = contents(first.head);
    first.wal.shutdown();
    const second = run();
    expect(contents(second.head)).toEqual(before);
    second.wal.shutdown();
  });

  it('serves what precedes a corrupted record, logs the cut and counts it', () => {
    const first = run();
    const s = L({ __name__: 'c' });
    first.wal.appender.append(s, T0, 1);
    first.wal.appender.commit();
    first.wal.appender.append(s, T0 + 1000, 2);
    first.wal.appender.commit();
    first.wal.shutdown();
    const file = path.join(dir, segmentName(0));
    const bytes = readFileSync(file);
    bytes[bytes.length - 3]! ^= 0x55; // inside the second commit's sample value
    writeFileSync(file, bytes);
    const second = run();
    expect(contents(second.head)).toEqual([{ labels: '__name__=c', t: [T0], v: [1], stale: undefined }]);
    expect(second.wal.wal.corruptions).toBe(1);
    expect(lines.some((l) => /cut \d+ bytes at offset \d+ \(checksum mismatch\)/.test(l))).toBe(true);
    const m = new SelfMetrics();
    second.wal.registerMetrics(m);
    expect(m.value('prometheus_tsdb_wal_corruptions_total')).toBe(1);
    second.wal.shutdown();
  });

  it('refuses a commit the disk cannot take and logs the series again when the retry succeeds', () => {
    const first = run();
    const app = first.wal.appender;
    const s = L({ __name__: 'r' });
    symlinkSync('/dev/full', path.join(dir, segmentName(first.wal.wal.currentSegment + 1)));
    first.wal.wal.cut();
    expect(app.append(s, T0, 1)).toBe('ok');
    expect(() => app.commit()).toThrow(RefusedError);
    // The client retries the same sample on a log that works again.
    first.wal.wal.cut();
    expect(app.append(s, T0, 1)).toBe('ok');
    app.commit();
    first.wal.shutdown();
    const second = run();
    expect(contents(second.head)).toEqual([{ labels: '__name__=r', t: [T0], v: [1], stale: undefined }]);
    expect(second.wal.replayStats?.unknownRefs).toBe(0);
    second.wal.shutdown();
  });
});
