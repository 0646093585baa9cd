import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../../labels/labels.js';
import { SelfMetrics } from '../../selfmetrics/registry.js';
import { Head } from '../../tsdb/head.js';
import { FakeUpstream, type UpstreamBehaviour } from '../otlp/testing.js';
import { DiskQueueStore } from '../queue/disk-store.js';
import { parseRemoteWriteUrl, RemoteWriteExporter, type RemoteWriteOptions } from './exporter.js';
import { decodeWriteRequest, samplesBySeries } from './testing.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function upstream(behaviour?: UpstreamBehaviour | ((n: number) => UpstreamBehaviour)): Promise<FakeUpstream> {
  const u = new FakeUpstream();
  if (behaviour) u.behaviour = behaviour;
  await u.start();
  cleanups.push(() => u.stop());
  return u;
}

async function exporter(url: string, opts: Partial<RemoteWriteOptions> = {}): Promise<RemoteWriteExporter> {
  const rw = new RemoteWriteExporter({ url, backoff: { initialMs: 5, maxMs: 40, jitter: 0 }, flushMs: 20, ...opts });
  await rw.start();
  cleanups.push(() => rw.shutdown());
  return rw;
}

const received = (u: FakeUpstream) => samplesBySeries(u.accepted.map((r) => decodeWriteRequest(r.body)));
const T0 = Date.now() - 60_000;

describe('remote write exporter', () => {
  it('sends what the store kept (not what it refused), snappy-compressed with the remote-write headers', async () => {
    const u = await upstream();
    const rw = await exporter(`${u.url}/api/v1/write`, { headers: { 'x-scope-orgid': 'tenant1' } });
    const head = new Head({ retentionMs: 3600_000 });
    const app = rw.wrap(head);
    const up = labelsFromRecord({ __name__: 'up', job: 'shop' });
    expect(app.append(up, T0, 1)).toBe('ok');
    expect(app.append(up, T0 - 1000, 5)).toBe('out-of-order'); // not sent: the store refused it
    expect(app.append(up, T0 + 1000, 0)).toBe('ok');
    expect(app.appendStale(up, T0 + 2000)).toBe('ok');
    await rw.idle();
    const r = u.accepted[0]!;
    expect(r.path).toBe('/api/v1/write');
    expect(r.headers['content-encoding']).toBe('snappy');
    expect(r.headers['content-type']).toBe('application/x-protobuf');
    expect(r.headers['x-prometheus-remote-write-version']).toBe('0.1.0');
    expect(r.headers['x-scope-orgid']).toBe('tenant1');
    const series = decodeWriteRequest(r.body);
    expect(series).toHaveLength(1);
    expect(series[0]!.labels).toEqual(up);
    expect(series[0]!.samples.map((s) => [s.t, s.stale])).toEqual([
      [T0, false],
      [T0 + 1000, false],
      [T0 + 2000, true],
    ]);
  });

  it('keeps every series in order across many batches and shards, while retrying 500s, 429s and resets', async () => {
    const faults: UpstreamBehaviour[] = [
      { kind: 'status', status: 500 },
      { kind: 'status', status: 429, retryAfter: '0' },
      { kind: 'reset' },
      { kind: 'status', status: 503 },
    ];
    const u = await upstream((n) => (n % 3 === 1 && n < 30 ? faults[(n >> 1) % faults.length]! : { kind: 'accept' }));
    const rw = await exporter(u.url, { shards: 3, maxSamplesPerSend: 50 });
    const head = new Head({ retentionMs: 3600_000 });
    const app = rw.wrap(head);
    for (let step = 0; step < 40; step++)
      for (let s = 0; s < 20; s++)
        app.append(labelsFromRecord({ __name__: 'm', series: String(s) }), T0 + step * 1000, step);
    await rw.idle();
    const got = received(u);
    expect(got.size).toBe(20);
    for (const samples of got.values()) expect(samples.map((x) => x.v)).toEqual([...Array(40).keys()]);
    const m = new SelfMetrics();
    rw.registerMetrics(m);
    const l = { remote_name: `127.0.0.1:${u.port}`, url: `${u.url}/` };
    expect(m.value('prometheus_remote_storage_samples_total', l)).toBe(800);
    expect(m.value('prometheus_remote_storage_samples_retried_total', l)).toBeGreaterThan(0);
    expect(m.value('prometheus_remote_storage_samples_failed_total', l)).toBe(0);
    expect(m.value('prometheus_remote_storage_samples_pending', l)).toBe(0);
    expect(m.value('prometheus_remote_storage_shards', l)).toBe(3);
  });

  it('a 400 is not retried: the batch is counted as failed and the next one goes', async () => {
    const u = await upstream((n) =>
      n === 1 ? { kind: 'status', status: 400, body: 'out of order sample' } : { kind: 'accept' },
    );
    const rw = await exporter(u.url, { shards: 1 });
    const app = rw.wrap(new Head({ retentionMs: 3600_000 }));
    app.append(labelsFromRecord({ __name__: 'a' }), T0, 1);
    rw.flush();
    app.append(labelsFromRecord({ __name__: 'a' }), T0 + 1, 2);
    await rw.idle();
    expect(u.attempts).toBe(2);
    expect(rw.queues[0]!.failedItems).toBe(1);
    expect(rw.queues[0]!.sentItems).toBe(1);
  });

  it('upstream down: admit() refuses (503) before the shard queues are full; all is delivered once it is back', async () => {
    const u = await upstream();
    await u.stop();
    const rw = await exporter(u.url, { shards: 2, capacityPerShard: 5, maxSamplesPerSend: 10 });
    const app = rw.wrap(new Head({ retentionMs: 3600_000 }));
    let step = 0;
    while (rw.admit() === undefined && step < 1000) {
      for (let s = 0; s < 10; s++) app.append(labelsFromRecord({ __name__: 'm', s: String(s) }), T0 + step, step);
      step++;
      rw.flush();
    }
    const refusal = rw.admit()!;
    expect(refusal.kind).toBe('unavailable');
    expect(refusal.message).toMatch(/remote write .* is behind/);
    expect(rw.droppedSamples).toBe(0);
    await u.start();
    await rw.idle();
    const got = received(u);
    for (const samples of got.values()) expect(samples).toHaveLength(step);
    expect(rw.admit()).toBeUndefined();
  });

  it('on disk: batches queued while the receiver is down survive a restart and arrive in order', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'orrery-rw-'));
    cleanups.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
    const u = await upstream();
    await u.stop();
    const store = (shard: number) => new DiskQueueStore({ dir: path.join(dir, `shard-${shard}`) });
    const first = new RemoteWriteExporter({
      url: u.url,
      shards: 2,
      maxSamplesPerSend: 5,
      store,
      backoff: { initialMs: 5, jitter: 0 },
    });
    await first.start();
    const app = first.wrap(new Head({ retentionMs: 3600_000 }));
    for (let step = 0; step < 10; step++)
      for (let s = 0; s < 3; s++) app.append(labelsFromRecord({ __name__: 'm', s: String(s) }), T0 + step * 1000, step);
    await first.shutdown();

    await u.start();
    const second = await exporter(u.url, { shards: 2, store });
    await second.idle();
    const got = received(u);
    expect(got.size).toBe(3);
    for (const samples of got.values()) expect(samples.map((x) => x.v)).toEqual([...Array(10).keys()]);
  });

  it('a wrong URL is a clear error at start', () => {
    expect(() => parseRemoteWriteUrl('prometheus:9090')).toThrow(/unsupported scheme prometheus:/);
    expect(() => parseRemoteWriteUrl('nope')).toThrow(
      /is not a URL \(example: http:\/\/prometheus:9090\/api\/v1\/write\)/,
    );
    expect(parseRemoteWriteUrl('https://mimir.example.com/api/v1/push').host).toBe('mimir.example.com');
  });
});
