// With a data directory, `orrery serve`'s backend cuts its metric head into blocks there, and a
// restarted backend answers queries over them (the head's own recent data needs the WAL).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { labelsFromRecord } from '../src/labels/labels.js';
import { createBackend } from '../src/server/backend.js';

const HOUR = 3_600_000;

it('a restarted backend answers range queries from the blocks it wrote', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'orrery-blocks-'));
  const opts = {
    port: 0,
    otlpHttpPort: 0,
    otlpGrpcPort: 0,
    dataDir: path.join(dir, 'data'),
    consoleDir: dir,
    retentionMs: 24 * HOUR,
    blockDurationMs: HOUR,
  };
  try {
    const a = createBackend(opts);
    await a.start();
    const labels = labelsFromRecord({ __name__: 'traces_span_metrics_calls_total', service_name: 'cartservice' });
    const from = Math.floor((Date.now() - 5 * HOUR) / HOUR) * HOUR;
    let n = 0;
    for (let t = from; t < Date.now(); t += 15_000)
      if (a.storage.append(labels, t, n++) !== 'ok') throw new Error('refused');
    await a.tsdb!.maintain();
    const blocks = a.tsdb!.blockMetas();
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    await a.stop();
    expect(readdirSync(opts.dataDir).filter((d) => /^[0-7][0-9A-Z]{25}$/.test(d))).toHaveLength(blocks.length);

    const b = createBackend(opts);
    const { ports } = await b.start();
    const end = Math.max(...blocks.map((m) => m.maxTime)) - 1;
    const qs = new URLSearchParams({
      query: 'count_over_time(traces_span_metrics_calls_total[1h])',
      start: String((from + HOUR) / 1000),
      end: String(Math.floor(end / 1000)),
      step: '3600',
    });
    const r = (await (await fetch(`http://127.0.0.1:${ports.api}/api/v1/query_range?${qs}`)).json()) as {
      data: { result: { values: [number, string][] }[] };
    };
    // one sample every 15 s: 241 in each closed hour-long range (both ends count in 2.42), all from the blocks
    expect(r.data.result).toHaveLength(1);
    expect(r.data.result[0]!.values.length).toBeGreaterThanOrEqual(2);
    expect(r.data.result[0]!.values.every(([, v]) => v === '241')).toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${ports.api}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^prometheus_tsdb_blocks_loaded ${blocks.length}$`, 'm'));
    await b.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('keeps 15 days with a data directory and no --retention (2 h without one), as Prometheus keeps on disk', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'orrery-retention-'));
  const base = { port: 0, otlpHttpPort: 0, otlpGrpcPort: 0, consoleDir: dir };
  const retentionOf = async (opts: {
    dataDir?: string;
  }): Promise<{ storage: string; setting: unknown; old: string }> => {
    const backend = createBackend({ ...base, ...opts, blockDurationMs: HOUR });
    const { ports } = await backend.start();
    try {
      const api = `http://127.0.0.1:${ports.api}`;
      const info = (await (await fetch(`${api}/api/v1/status/runtimeinfo`)).json()) as {
        data: { storageRetention: string };
      };
      const settings = (await (await fetch(`${api}/api/v1/status/flags`)).json()) as { data: Record<string, unknown> };
      // a sample from 3 days ago is inside the window with a data dir, too old without one
      const old = backend.storage.append(labelsFromRecord({ __name__: 'up', job: 'x' }), Date.now() - 72 * HOUR, 1);
      return { storage: info.data.storageRetention, setting: settings.data['retention'], old };
    } finally {
      await backend.stop();
    }
  };
  try {
    expect(await retentionOf({ dataDir: path.join(dir, 'data') })).toEqual({
      storage: '15d',
      setting: '15d',
      old: 'ok',
    });
    expect(await retentionOf({})).toEqual({ storage: '2h', setting: '2h', old: 'too-old' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
