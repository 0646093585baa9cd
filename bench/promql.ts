// PromQL benchmark: Orrery against a real Prometheus 2.42 on the same data, in the same run.
// One hour of demo-shaped data (~2,000 series: span metrics of 12 services with histogram
// buckets, runtime metrics) at a 10 s interval goes into Orrery's Head and, by remote write, into
// a throw-away Prometheus. The Demo Dashboard's queries (contracts.md, $__rate_interval = 1m) run
// as 1-hour range queries at a 15 s step through both HTTP APIs, median of 20 runs each. Before a
// query is timed, Orrery's answer is compared with Prometheus's (series by series, within 1e-6): a
// wrong or empty answer aborts the run, so it can never pass for a speed-up.
// Memory: Orrery's heap growth per series and per sample (after a full GC) and its own stats(),
// next to Prometheus's /metrics figures and the size of its head chunk files.
//
//   npm run bench:promql            (or: node --expose-gc dist/bench/promql.js [runs])
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpApp } from '../src/api/router.js';
import { registerPrometheusApi } from '../src/api/prometheus/index.js';
import { Head } from '../src/tsdb/head.js';
import { Engine } from '../src/promql/engine.js';
import { QueryPool } from '../src/promql/pool.js';
import { generateDemoData, timeWindows } from '../src/api/prometheus/testing/demo-data.js';
import {
  PROMETHEUS_BIN,
  prometheusAvailable,
  startPrometheus,
} from '../src/api/prometheus/testing/prometheus-process.js';
import { answerSize, compareAnswers, type Answer } from '../src/api/prometheus/testing/compare.js';
import { remoteWrite } from '../src/api/prometheus/testing/remote-write.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  // Heap figures need a full GC before each reading: re-run with --expose-gc.
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}

const RUNS = Number(process.argv[2] ?? 20);
const STEP_S = 15;
const RATE = '1m';

const QUERIES: readonly [string, string][] = [
  [
    'CPU%',
    `100 * sum by (cpu_mode) (rate(process_cpu_time_seconds_total{service_name="recommendationservice"}[${RATE}]))`,
  ],
  ['Memory RSS', `process_memory_usage{service_name="recommendationservice"}`],
  ['Memory heap', `sum(v8js_memory_heap_used_bytes{service_name="recommendationservice"})`],
  [
    'Recommendations',
    `sum by (recommendation_type) (increase(app_recommendations_counter_total{service_name="recommendationservice"}[${RATE}]))`,
  ],
  [
    'Error rate',
    `100 * sum by (service_name) (rate(traces_span_metrics_calls_total{status_code="STATUS_CODE_ERROR"}[${RATE}])) / sum by (service_name) (rate(traces_span_metrics_calls_total[${RATE}]))`,
  ],
  ...[0.5, 0.95, 0.99, 0.999].map((q): [string, string] => [
    `Latency p${q * 100}`,
    `histogram_quantile(${q}, sum(rate(traces_span_metrics_duration_milliseconds_bucket{service_name="recommendationservice"}[${RATE}])) by (le))`,
  ]),
  [
    'Endpoint rate',
    `sum by (span_name) (rate(traces_span_metrics_calls_total{service_name="recommendationservice"}[${RATE}]))`,
  ],
];

function heapBytes(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  // Chunk pages are ArrayBuffers, outside the V8 heap proper: count both.
  return m.heapUsed + m.arrayBuffers;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function rangeQuery(base: string, query: string, start: number, end: number): Promise<Answer> {
  const res = await fetch(`${base}/api/v1/query_range`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query, start: String(start), end: String(end), step: String(STEP_S) }).toString(),
  });
  return { status: res.status, body: await res.text() };
}

async function timeQuery(base: string, query: string, start: number, end: number): Promise<number> {
  const t0 = performance.now();
  const a = await rangeQuery(base, query, start, end);
  const ms = performance.now() - t0;
  if (a.status !== 200) throw new Error(`${base}: HTTP ${a.status} ${a.body.slice(0, 200)}`);
  return ms;
}

/**
 * A fast wrong answer is no speed-up: before a query is timed, Orrery's answer must equal
 * Prometheus's (series by series, 1e-6) and hold data. Returns the number of series.
 */
async function checkAnswer(orrery: string, prom: string, name: string, query: string, start: number, end: number) {
  const [o, p] = await Promise.all([rangeQuery(orrery, query, start, end), rangeQuery(prom, query, start, end)]);
  const diff = compareAnswers(o, p);
  if (diff !== undefined)
    throw new BenchAbort(`${name}: Orrery's answer differs from Prometheus's:\n    ${diff}\n  query: ${query}`);
  const size = answerSize(o);
  if (!size)
    throw new BenchAbort(
      `${name}: ${size === 0 ? 'no data' : 'an error'} on both sides, nothing to time\n  query: ${query}`,
    );
  return size;
}

/** A reason the benchmark's figures would mislead: printed and exit code 1. */
class BenchAbort extends Error {}

async function promMetrics(base: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

function dirBytes(dir: string): number {
  let n = 0;
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
    }
  } catch {
    // absent
  }
  return n;
}

/** The real heap cost per sample of regular counters and gauges, the target's case (at most 2 bytes). */
function regularCost(): { perSample: number; chunkBytes: number } {
  const series = 2000;
  const steps = 360;
  const t0 = 1_700_000_000_000;
  let seed = 3;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const labels = Array.from({ length: series }, (_, k) => [
    { name: '__name__', value: k % 2 ? 'requests_total' : 'queue_length' },
    { name: 'instance', value: `host-${k}` },
  ]);
  const vals = new Array<number>(series).fill(100);
  const head = new Head();
  for (let k = 0; k < series; k++) head.append(labels[k]!, t0, vals[k]!);
  const before = heapBytes();
  for (let i = 1; i < steps; i++) {
    for (let k = 0; k < series; k++) {
      vals[k] = k % 2 ? vals[k]! + Math.floor(rnd() * 20) : Math.max(0, vals[k]! + Math.floor(rnd() * 5) - 2);
      head.append(labels[k]!, t0 + i * 10_000, vals[k]!);
    }
  }
  const after = heapBytes();
  const st = head.stats();
  return { perSample: (after - before) / (series * (steps - 1)), chunkBytes: st.bytes / st.samples };
}

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

async function main(): Promise<void> {
  const interval = 10_000;
  const start = Math.floor((Date.now() - 3_600_000) / interval) * interval;
  const data = generateDemoData({ start, durationMs: 3_600_000, intervalMs: interval, seed: 1 });
  let samples = 0;
  for (const s of data) samples += s.t.length;
  console.log(`data: ${data.length} series, ${samples} samples (1 h at 10 s)`);

  // Orrery: series cost (first sample of each), then the cost of the remaining samples.
  const before = heapBytes();
  const head = new Head();
  // Fresh copies of the label strings, as a real ingest path hands over strings the Head then owns.
  const own = (x: string): string => Buffer.from(x, 'utf8').toString('utf8');
  for (const s of data)
    head.append(
      s.labels.map((l) => ({ name: own(l.name), value: own(l.value) })),
      s.t[0]!,
      s.v[0]!,
    );
  const afterSeries = heapBytes();
  const t0 = performance.now();
  for (const s of data) {
    for (let i = 1; i < s.t.length; i++) {
      if (s.stale && s.stale[i] === 1) head.appendStale(s.labels, s.t[i]!);
      else head.append(s.labels, s.t[i]!, s.v[i]!);
    }
  }
  const appendMs = performance.now() - t0;
  const afterSamples = heapBytes();
  const st = head.stats();
  const perSeries = (afterSeries - before) / data.length;
  const perSample = (afterSamples - afterSeries) / (samples - data.length);

  const regular = regularCost();

  const app = new HttpApp();
  registerPrometheusApi(app, { storage: head, engine: new Engine() });
  const { server, port } = await app.listen('127.0.0.1', 0);
  const orrery = `http://127.0.0.1:${port}`;
  // The backend's way: evaluation in worker threads over a snapshot of the selected data.
  const pool = new QueryPool();
  const poolApp = new HttpApp();
  registerPrometheusApi(poolApp, { storage: head, engine: pool });
  const poolListening = await poolApp.listen('127.0.0.1', 0);
  const orreryPool = `http://127.0.0.1:${poolListening.port}`;

  // Prometheus is the reference of every figure here and the oracle of every answer timed.
  if (!prometheusAvailable())
    throw new BenchAbort(`${PROMETHEUS_BIN} not found (apt-get install prometheus): nothing to compare against`);
  const prom = await startPrometheus(['--web.enable-admin-api']);
  let promFig:
    | {
        series: number;
        chunks: number;
        rss: number;
        heapDelta: number;
        heapInuse: number;
        chunkBytes: number;
        indexBytes: number;
      }
    | undefined;
  try {
    if (prom) {
      const m0 = await promMetrics(prom.url);
      for (const batch of timeWindows(data, 600_000)) await remoteWrite(prom.url, batch);
      await new Promise((r) => setTimeout(r, 2000));
      const m1 = await promMetrics(prom.url);
      // A snapshot writes the head out as a block: its chunk files are Prometheus's exact encoded bytes.
      const snap = (await (await fetch(`${prom.url}/api/v1/admin/tsdb/snapshot`, { method: 'POST' })).json()) as {
        data: { name: string };
      };
      const snapDir = join(prom.dataDir, 'snapshots', snap.data.name);
      let chunkBytes = 0;
      let indexBytes = 0;
      for (const block of readdirSync(snapDir)) {
        chunkBytes += dirBytes(join(snapDir, block, 'chunks'));
        try {
          indexBytes += statSync(join(snapDir, block, 'index')).size;
        } catch {
          // not a block
        }
      }
      promFig = {
        series: m1.get('prometheus_tsdb_head_series') ?? NaN,
        chunks: m1.get('prometheus_tsdb_head_chunks') ?? NaN,
        rss: m1.get('process_resident_memory_bytes') ?? NaN,
        heapDelta: (m1.get('go_memstats_heap_inuse_bytes') ?? NaN) - (m0.get('go_memstats_heap_inuse_bytes') ?? NaN),
        heapInuse: m1.get('go_memstats_heap_inuse_bytes') ?? NaN,
        chunkBytes,
        indexBytes,
      };
    }

    const qs = Math.floor(start / 1000);
    const qe = qs + 3600;
    console.log(
      `\nDemo Dashboard queries, 1 h range at ${STEP_S} s step, median of ${RUNS} runs (ms); each answer (in-thread engine and worker pool) first checked equal to Prometheus's:`,
    );
    console.log(
      `${pad('panel', 18)} ${lpad('series', 7)} ${lpad('Orrery', 9)} ${lpad('pool', 9)} ${lpad('Prometheus', 11)} ${lpad('ratio', 7)} ${lpad('pool ratio', 11)}`,
    );
    for (const [name, q] of QUERIES) {
      const series = await checkAnswer(orrery, prom.url, name, q, qs, qe);
      await checkAnswer(orreryPool, prom.url, `${name} (pool)`, q, qs, qe);
      // Two warm-up runs each, then alternate so both see the same machine load.
      for (let i = 0; i < 2; i++) {
        await timeQuery(orrery, q, qs, qe);
        await timeQuery(orreryPool, q, qs, qe);
        await timeQuery(prom.url, q, qs, qe);
      }
      const o: number[] = [];
      const w: number[] = [];
      const p: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        o.push(await timeQuery(orrery, q, qs, qe));
        w.push(await timeQuery(orreryPool, q, qs, qe));
        p.push(await timeQuery(prom.url, q, qs, qe));
      }
      const mo = median(o);
      const mw = median(w);
      const mp = median(p);
      console.log(
        `${pad(name, 18)} ${lpad(String(series), 7)} ${lpad(mo.toFixed(2), 9)} ${lpad(mw.toFixed(2), 9)} ${lpad(mp.toFixed(2), 11)} ${lpad((mo / mp).toFixed(2) + 'x', 7)} ${lpad((mw / mp).toFixed(2) + 'x', 11)}`,
      );
    }

    console.log('\nMemory:');
    console.log(`${pad('', 34)} ${lpad('Orrery', 12)} ${lpad('Prometheus', 12)}`);
    const row = (k: string, a: string, b: string): void => console.log(`${pad(k, 34)} ${lpad(a, 12)} ${lpad(b, 12)}`);
    row('series', String(st.series), promFig ? String(promFig.series) : '-');
    row('chunks', String(st.chunks), promFig ? String(promFig.chunks) : '-');
    row(
      'chunk bytes / sample',
      (st.bytes / st.samples).toFixed(2),
      promFig ? (promFig.chunkBytes / samples).toFixed(2) + '*' : '-',
    );
    row(
      'heap growth / sample (bytes)',
      perSample.toFixed(2),
      promFig ? (promFig.heapDelta / samples).toFixed(2) + '†' : '-',
    );
    row(
      'heap growth / series (bytes)',
      perSeries.toFixed(0),
      promFig ? (promFig.heapDelta / promFig.series).toFixed(0) + '†' : '-',
    );
    row(
      'heap in use (MB)',
      ((afterSamples - before) / 1e6).toFixed(1) + '‡',
      promFig ? (promFig.heapInuse / 1e6).toFixed(1) : '-',
    );
    row(
      'process RSS (MB)',
      (process.memoryUsage().rss / 1e6).toFixed(1),
      promFig ? (promFig.rss / 1e6).toFixed(1) : '-',
    );
    if (promFig) row('Prometheus index bytes / series', '', (promFig.indexBytes / promFig.series).toFixed(0));
    console.log(
      `Regular 10 s counters/gauges (2,000 series x 360 samples, integer steps, no jitter): Orrery heap growth ${regular.perSample.toFixed(2)} bytes/sample, chunk bytes ${regular.chunkBytes.toFixed(2)} bytes/sample`,
    );
    console.log(
      `Orrery append: ${((samples - data.length) / appendMs).toFixed(0)}k samples/s; stats(): ${JSON.stringify(st)}`,
    );
    console.log(
      '* Prometheus: chunk files of a TSDB snapshot of its head (its exact XOR-encoded bytes) over all samples.',
    );
    console.log(
      "† Prometheus: growth of go_memstats_heap_inuse_bytes across the remote write (includes the write path's uncollected garbage).",
    );
    console.log('‡ Orrery: heap + ArrayBuffer growth from loading the data (after a full GC), not the whole process.');
  } finally {
    await prom.stop();
    await pool.shutdown();
    server.close();
    poolListening.server.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof BenchAbort ? `bench:promql aborted: ${e.message}` : e);
  process.exit(1);
});
