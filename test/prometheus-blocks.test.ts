// Prometheus's own tools and server read the blocks Orrery writes. Demo-shaped data (span metrics
// of 12 services with histogram buckets, runtime metrics, staleness markers, a counter reset) goes
// into Orrery's Tsdb, which cuts it into 1-hour blocks and compacts three of them into one; then:
// `promtool tsdb analyze` succeeds on every block, `promtool tsdb dump` lists exactly the samples
// Orrery reads back, and a real Prometheus 2.42 started on a copy of the directory answers the
// Demo Dashboard's queries (dashboards/demo.json) over the blocks' range byte for byte as Orrery.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { registerPrometheusApi } from '../src/api/prometheus/api.js';
import { appendAll, generateDemoData } from '../src/api/prometheus/testing/demo-data.js';
import { startPrometheus, type PrometheusProcess } from '../src/api/prometheus/testing/prometheus-process.js';
import { remoteWrite } from '../src/api/prometheus/testing/remote-write.js';
import { labelsFromRecord } from '../src/labels/labels.js';
import { Block } from '../src/tsdb/block/reader.js';
import { HttpApp } from '../src/api/router.js';
import { formatFloatG } from '../src/gocompat/float.js';
import { goQuote } from '../src/gocompat/quote.js';
import { newMatcher } from '../src/labels/matcher.js';
import { QueryPool } from '../src/promql/pool.js';
import { Tsdb } from '../src/tsdb/db.js';
import { Head } from '../src/tsdb/head.js';
import { describeNeeding, needPrometheus } from './support/needs.js';
import { demoDashboardPromQL } from './fixtures/demo-dashboard.js';

const HOUR = 3_600_000;
const PROMTOOL = '/usr/bin/promtool';

const describeP = describeNeeding([needPrometheus()]);

describeP('Prometheus reads the blocks Orrery writes', () => {
  let root: string;
  let blocksDir: string;
  let reader: Tsdb;
  let engine: QueryPool;
  let server: Server | undefined;
  let orreryUrl: string;
  let prom: PrometheusProcess | undefined;
  let blocksMin: number;
  let blocksMax: number;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'orrery-prom-blocks-'));
    blocksDir = path.join(root, 'data');
    const interval = 10_000;
    // Six hours from the start of a 3-hour window (so the first three 1-hour blocks fill one
    // compaction window), ending at most an hour ago.
    const start = Math.floor((Date.now() - 7 * HOUR) / (3 * HOUR)) * 3 * HOUR;
    const data = generateDemoData({ start, durationMs: 6 * HOUR, intervalMs: interval, seed: 3 });
    const writer = new Tsdb({ dir: blocksDir, head: new Head(), blockDurationMs: HOUR, log: () => {} });
    appendAll(writer, data);
    await writer.maintain();
    await writer.shutdown();
    // A second Tsdb on the directory with an empty head answers from the blocks alone, as Prometheus will.
    reader = new Tsdb({ dir: blocksDir, head: new Head(), blockDurationMs: HOUR });
    const metas = reader.blockMetas();
    blocksMin = Math.min(...metas.map((m) => m.minTime));
    blocksMax = Math.max(...metas.map((m) => m.maxTime));
    engine = new QueryPool();
    const app = new HttpApp();
    registerPrometheusApi(app, { storage: reader, engine });
    const s = await app.listen('127.0.0.1', 0);
    server = s.server;
    orreryUrl = `http://127.0.0.1:${s.port}`;
    prom = await startPrometheus(['--web.enable-admin-api'], { initialData: blocksDir });
  }, 300_000);

  afterAll(async () => {
    await prom?.stop();
    await engine?.shutdown();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await reader?.shutdown();
    rmSync(root, { recursive: true, force: true });
  });

  it('cut several blocks and compacted three of them', () => {
    const metas = reader.blockMetas();
    expect(metas.length).toBeGreaterThanOrEqual(2);
    expect(metas.some((m) => m.compaction.level === 2 && m.maxTime - m.minTime === 3 * HOUR)).toBe(true);
    console.log(
      `blocks: ${metas.map((m) => `${m.ulid} ${(m.maxTime - m.minTime) / HOUR} h level ${m.compaction.level} ${m.stats.numSeries} series ${m.stats.numSamples} samples`).join('; ')}`,
    );
  });

  it('promtool tsdb analyze succeeds on every block', () => {
    for (const m of reader.blockMetas()) {
      const r = spawnSync(PROMTOOL, ['tsdb', 'analyze', blocksDir, m.ulid], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`Block ID: ${m.ulid}`);
      expect(r.stdout).toContain(`Series: ${m.stats.numSeries}`);
    }
  });

  it('promtool tsdb dump lists the samples Orrery reads back, series by series', () => {
    // dump also reads a WAL; give it an empty one on a copy
    const copy = path.join(root, 'dump-copy');
    cpSync(blocksDir, copy, { recursive: true });
    mkdirSync(path.join(copy, 'wal'), { recursive: true });
    const match = '{service_name="recommendationservice"}';
    const r = spawnSync(PROMTOOL, ['tsdb', 'dump', `--match=${match}`, copy], {
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
    });
    expect(r.status, r.stderr).toBe(0);
    const expected: string[] = [];
    const all = reader.select([newMatcher('=', 'service_name', 'recommendationservice')], -Infinity, Infinity);
    for (const s of all) {
      const labels = `{${s.labels.map((l) => `${l.name}=${goQuote(l.value)}`).join(', ')}}`;
      for (let i = 0; i < s.t.length; i++) expected.push(`${labels} ${formatFloatG(s.v[i]!)} ${s.t[i]}`);
    }
    const dumped = r.stdout.split('\n').filter((l) => l !== '');
    expect(expected.length).toBeGreaterThan(10_000);
    console.log(`promtool dump: ${dumped.length} samples of ${all.length} series; Orrery: ${expected.length}`);
    expect(dumped).toEqual(expected);
  });

  it("a Prometheus 2.42 on a copy answers the Demo Dashboard's range queries byte for byte as Orrery", async () => {
    const startS = Math.ceil(blocksMin / 1000) + 300;
    const endS = Math.floor((blocksMax - 1) / 1000);
    let compared = 0;
    for (const query of demoDashboardPromQL()) {
      const qs = new URLSearchParams({ query, start: String(startS), end: String(endS), step: '15' }).toString();
      const [o, p] = await Promise.all(
        [orreryUrl, prom!.url].map(async (base) => {
          const res = await fetch(`${base}/api/v1/query_range?${qs}`);
          return { status: res.status, body: await res.text() };
        }),
      );
      expect(p.status, p.body).toBe(200);
      // both answered data, not an empty result that would match trivially
      expect(p.body).toContain('"values":[[');
      expect(o.body, query).toBe(p.body);
      compared++;
    }
    expect(compared).toBe(10);
  });

  it('reads a block Prometheus itself wrote (a snapshot of its head) with the same samples', async () => {
    const now = Date.now();
    const sent = ['cartservice', 'adservice'].map((svc, k) => ({
      labels: labelsFromRecord({ __name__: 'orrery_probe_total', service_name: svc }),
      t: Array.from({ length: 300 }, (_, i) => now - (300 - i) * 1000 + k),
      v: Array.from({ length: 300 }, (_, i) => i * 1.5 + k),
    }));
    await remoteWrite(prom!.url, sent);
    const res = await fetch(`${prom!.url}/api/v1/admin/tsdb/snapshot`, { method: 'POST' });
    const snap = ((await res.json()) as { data: { name: string } }).data.name;
    const snapDir = path.join(prom!.dataDir, 'snapshots', snap);
    const ours = new Set(reader.blockMetas().map((m) => m.ulid));
    const theirs = readdirSync(snapDir).filter((d) => !ours.has(d));
    expect(theirs).toHaveLength(1);
    const b = Block.open(path.join(snapDir, theirs[0]!));
    try {
      const got = b.select([newMatcher('=', '__name__', 'orrery_probe_total')], -Infinity, Infinity);
      expect(got.map((s) => ({ labels: s.labels, t: [...s.t], v: [...s.v] }))).toEqual(
        [...sent].sort((a, z) => (a.labels[1]!.value < z.labels[1]!.value ? -1 : 1)),
      );
    } finally {
      b.close();
    }
  });
});
