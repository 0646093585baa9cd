// The endpoints Grafana, promtool and the Prometheus UI call besides queries, and the error
// envelopes of unknown API paths. Shapes are compared key by key with a real Prometheus 2.42
// (skipped loudly without /usr/bin/prometheus; a failure when CI is set).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../server/backend.js';
import { labelsFromRecord } from '../../labels/labels.js';
import { Head } from '../../tsdb/head.js';
import { settingsYaml, tsdbStatusJson } from './status.js';
import { PROMETHEUS_BIN, startPrometheus, type PrometheusProcess } from './testing/prometheus-process.js';

describe('status/tsdb numbers', () => {
  it('reports head stats and cardinality as Prometheus computes them', () => {
    const head = new Head();
    const add = (rec: Record<string, string>, t: number) => head.append(labelsFromRecord(rec), t, 1);
    add({ __name__: 'up', job: 'a', instance: 'x:1' }, 1000);
    add({ __name__: 'up', job: 'b', instance: 'x:1' }, 2000);
    add({ __name__: 'calls_total', job: 'a', instance: 'x:1', code: '200' }, 3000);
    const data = JSON.parse(tsdbStatusJson(head, head)) as Record<string, unknown>;
    expect(data['headStats']).toEqual({ numSeries: 3, numLabelPairs: 6, chunkCount: 3, minTime: 1000, maxTime: 3000 });
    expect(data['seriesCountByMetricName']).toEqual([
      { name: 'up', value: 2 },
      { name: 'calls_total', value: 1 },
    ]);
    expect(data['labelValueCountByLabelName']).toEqual([
      { name: '__name__', value: 2 },
      { name: 'job', value: 2 },
      { name: 'code', value: 1 },
      { name: 'instance', value: 1 },
    ]);
    // Bytes of the distinct values of each label name.
    expect(data['memoryInBytesByLabelName']).toEqual([
      { name: '__name__', value: 'up'.length + 'calls_total'.length },
      { name: 'code', value: 3 },
      { name: 'instance', value: 3 },
      { name: 'job', value: 2 },
    ]);
    expect(data['seriesCountByLabelValuePair']).toEqual([
      { name: 'instance=x:1', value: 3 },
      { name: '__name__=up', value: 2 },
      { name: 'job=a', value: 2 },
      { name: '__name__=calls_total', value: 1 },
      { name: 'code=200', value: 1 },
      { name: 'job=b', value: 1 },
    ]);
  });

  it("writes an empty head's bounds as Go's int64 limits, digit for digit", () => {
    const head = new Head();
    expect(tsdbStatusJson(head, head)).toContain(
      '"headStats":{"numSeries":0,"numLabelPairs":0,"chunkCount":0,"minTime":9223372036854775807,"maxTime":-9223372036854775808}',
    );
  });

  it('writes settings as YAML that quotes what would be ambiguous', () => {
    const yaml = settingsYaml({
      host: '127.0.0.1',
      port: 8080,
      'data-dir': undefined,
      on: 'yes',
      code: '8080',
      time: '12:30',
      origins: ['http://[::1]:*', 'a b'],
    });
    expect(yaml).toBe(
      'orrery:\n  host: 127.0.0.1\n  port: 8080\n  data-dir: null\n  on: "yes"\n  code: "8080"\n  time: "12:30"\n' +
        '  origins:\n  - http://[::1]:*\n  - "a b"\n',
    );
  });
});

/** The structure of a JSON value: keys of objects, the element of arrays, the type of the rest. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0])];
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, shape((v as Record<string, unknown>)[k])]),
    );
  return typeof v;
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(url);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe('the status endpoints of a running backend', () => {
  let backend: Backend;
  let base: string;
  const dir = mkdtempSync(path.join(tmpdir(), 'orrery-status-'));

  beforeAll(async () => {
    backend = createBackend({ port: 0, otlpHttpPort: 0, otlpGrpcPort: 0, consoleDir: dir, retentionMs: 1_800_000 });
    const { ports } = await backend.start();
    base = `http://127.0.0.1:${ports.api}`;
    backend.tick(); // one collection of its own metrics, as its one "target"
  });
  afterAll(async () => {
    await backend.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers rules, alerts, targets and metadata instead of 404', async () => {
    expect((await getJson(`${base}/api/v1/rules`)).body).toEqual({ status: 'success', data: { groups: [] } });
    expect((await getJson(`${base}/api/v1/rules?type=alert`)).status).toBe(200);
    const badType = await getJson(`${base}/api/v1/rules?type=x`);
    expect(badType).toEqual({
      status: 400,
      body: { status: 'error', errorType: 'bad_data', error: 'invalid parameter "type": not supported value "x"' },
    });
    expect((await getJson(`${base}/api/v1/alerts`)).body).toEqual({ status: 'success', data: { alerts: [] } });

    const targets = (await getJson(`${base}/api/v1/targets`)).body['data'] as {
      activeTargets: { labels: Record<string, string>; health: string; scrapeUrl: string; lastError: string }[];
      droppedTargets: unknown[];
    };
    expect(targets.droppedTargets).toEqual([]);
    expect(targets.activeTargets).toHaveLength(1);
    expect(targets.activeTargets[0]).toMatchObject({
      labels: { job: 'orrery', instance: new URL(base).host },
      health: 'up',
      lastError: '',
      scrapeUrl: `${base}/metrics`,
    });
    const dropped = (await getJson(`${base}/api/v1/targets?state=dropped`)).body['data'];
    expect(dropped).toEqual({ activeTargets: [], droppedTargets: [] });

    const meta = (await getJson(`${base}/api/v1/targets/metadata?metric=process_cpu_seconds_total`)).body['data'];
    expect(meta).toEqual([
      {
        target: { instance: new URL(base).host, job: 'orrery' },
        metric: 'process_cpu_seconds_total',
        type: 'counter',
        help: 'Total user and system CPU time spent in seconds.',
        unit: 'seconds',
      },
    ]);
    const q = encodeURIComponent('{job="other"}');
    expect((await getJson(`${base}/api/v1/targets/metadata?match_target=${q}`)).body['data']).toEqual([]);
    expect((await getJson(`${base}/api/v1/targets/metadata?limit=2`)).body['data']).toHaveLength(2);
    expect((await getJson(`${base}/api/v1/targets/metadata?limit=x`)).status).toBe(400);
    const bad = await getJson(`${base}/api/v1/targets/metadata?match_target=${encodeURIComponent('bad{')}`);
    expect(bad.status).toBe(400);
    expect(bad.body['error']).toMatch(/^invalid parameter "match_target": /);
  });

  it('reports flags, runtime info, TSDB stats and the effective config', async () => {
    const flags = (await getJson(`${base}/api/v1/status/flags`)).body['data'] as Record<string, string>;
    expect(flags).toMatchObject({ host: '127.0.0.1', port: new URL(base).port, retention: '30m' });
    for (const v of Object.values(flags)) expect(typeof v).toBe('string');
    const info = (await getJson(`${base}/api/v1/status/runtimeinfo`)).body['data'] as Record<string, unknown>;
    expect(info).toMatchObject({ CWD: process.cwd(), reloadConfigSuccess: true, storageRetention: '30m' });
    expect(Date.parse(info['startTime'] as string)).toBeLessThanOrEqual(Date.now());
    const tsdb = (await getJson(`${base}/api/v1/status/tsdb`)).body['data'] as {
      headStats: { numSeries: number };
      seriesCountByMetricName: { name: string; value: number }[];
    };
    expect(tsdb.headStats.numSeries).toBe(backend.storage.stats().series);
    expect(tsdb.seriesCountByMetricName.map((s) => s.name)).toContain('otelcol_receiver_accepted_spans_total');
    const config = (await getJson(`${base}/api/v1/status/config`)).body['data'] as { yaml: string };
    expect(config.yaml).toContain(`    - ${new URL(base).host}\n`);
    expect(config.yaml).toContain('  retention: 30m\n');
    expect(config.yaml).toContain('  cors-allow-origin:\n  - http://localhost:*\n');
  });

  it("gives unknown /api/ paths Jaeger's error envelope and unknown /api/v1/ paths Prometheus's", async () => {
    for (const p of ['/api/nonexistent', '/api/traces/x/y', '/api']) {
      const r = await getJson(`${base}${p}`);
      expect(r.status, p).toBe(404);
      expect(r.body).toMatchObject({ data: null, total: 0, limit: 0, offset: 0 });
      expect(r.body['errors']).toEqual([{ code: 404, msg: `no API at GET ${p}` }]);
    }
    const post = await fetch(`${base}/api/nonexistent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(post.status).toBe(404);
    expect(((await post.json()) as { errors: unknown[] }).errors).toHaveLength(1);
    // A known path with a wrong method stays a 405.
    expect((await fetch(`${base}/api/traces`, { method: 'DELETE' })).status).toBe(405);
    const prom = await getJson(`${base}/api/v1/nonexistent`);
    expect(prom).toEqual({
      status: 404,
      body: { status: 'error', errorType: 'not_found', error: 'no Prometheus API endpoint at GET /api/v1/nonexistent' },
    });
    // The console's client-side routes are still the console's (not built here: its notice).
    expect((await fetch(`${base}/d/demo`)).status).toBe(503);
  });
});

const prometheusPresent = ((): boolean => {
  if (existsSync(PROMETHEUS_BIN)) return true;
  if (process.env['CI']) throw new Error(`${PROMETHEUS_BIN} is missing and CI is set: the shape comparison must run`);
  console.warn(`\n!!! ${PROMETHEUS_BIN} not found: SKIPPING the shape comparison with Prometheus 2.42 !!!\n`);
  return false;
})();

describe.skipIf(!prometheusPresent)('shapes compared with Prometheus 2.42', () => {
  let prom: PrometheusProcess;
  let backend: Backend;
  let base: string;
  const dir = mkdtempSync(path.join(tmpdir(), 'orrery-status-'));

  beforeAll(async () => {
    backend = createBackend({ port: 0, otlpHttpPort: 0, otlpGrpcPort: 0, consoleDir: dir });
    const { ports } = await backend.start();
    base = `http://127.0.0.1:${ports.api}`;
    backend.tick();
    // Prometheus scrapes itself, so its targets, metadata and TSDB lists are not empty.
    prom = await startPrometheus([], {
      scrapeInterval: '1s',
      scrapeConfigs: (self) => `  - job_name: self\n    static_configs:\n      - targets: ['${self}']`,
    });
  }, 60_000);
  afterAll(async () => {
    await prom?.stop();
    await backend?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has the same keys on every endpoint', async () => {
    // Wait for Prometheus's first scrape of itself (its TSDB stats are computed on first ask).
    const deadline = Date.now() + 30_000;
    const scraped = async (): Promise<boolean> => {
      const r = await getJson(`${prom.url}/api/v1/query?query=up`);
      return ((r.body['data'] as { result: unknown[] }).result ?? []).length > 0;
    };
    while (!(await scraped()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    for (const endpoint of [
      'rules',
      'alerts',
      'targets',
      'targets/metadata?limit=3',
      'status/runtimeinfo',
      'status/tsdb',
      'status/config',
    ]) {
      const theirs = await getJson(`${prom.url}/api/v1/${endpoint}`);
      const ours = await getJson(`${base}/api/v1/${endpoint}`);
      expect(ours.status, endpoint).toBe(theirs.status);
      expect(shape(ours.body), endpoint).toEqual(shape(theirs.body));
    }
    const theirFlags = (await getJson(`${prom.url}/api/v1/status/flags`)).body;
    const ourFlags = (await getJson(`${base}/api/v1/status/flags`)).body;
    expect(Object.keys(ourFlags)).toEqual(Object.keys(theirFlags));
    for (const v of Object.values(ourFlags['data'] as object)) expect(typeof v).toBe('string');
    const badType = await Promise.all([prom.url, base].map((u) => getJson(`${u}/api/v1/rules?type=x`)));
    expect(badType[1]).toEqual(badType[0]);
    const badLimit = await Promise.all([prom.url, base].map((u) => getJson(`${u}/api/v1/targets/metadata?limit=x`)));
    expect(badLimit[1]).toEqual(badLimit[0]);
  }, 60_000);
});
