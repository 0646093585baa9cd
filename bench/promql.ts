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
// Scale (as data grows): the same queries at 2,000, 20,000 and 100,000 series (replicas of the
// demo data, each with its own instance label, seed, phases and values) over 1 h (10 s data,
// Orrery answering from its head) and over 24 h (60 s data cut into Orrery's 2-hour blocks and
// compacted, Orrery answering from the blocks alone). Prometheus 2.42 starts on a copy of blocks
// Orrery wrote from the same head, so both hold identical samples; bytes per sample on disk are
// reported for those blocks.
//
//   npm run bench:promql                          memory figures, then the scale matrix
//   npm run bench:promql -- --sizes=2000 --ranges=1h --runs=5     a short run
//   (or: node --expose-gc dist/bench/promql.js [--memory-only | --scale-only] [--sizes=…] [--ranges=1h,24h] [--runs=N])
//   --blocks-dir=DIR  24 h cases: keep the blocks cut for N series in DIR/N and, when a later run
//                     finds them there, query those instead of loading and cutting again
//                     (minutes at 100,000 series); the data is the same, only older
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpApp } from '../src/api/router.js';
import { registerPrometheusApi } from '../src/api/prometheus/index.js';
import { Head } from '../src/tsdb/head.js';
import { Tsdb, toPromChunks } from '../src/tsdb/db.js';
import { BlockWriter, compareLabelsUtf8 } from '../src/tsdb/block/writer.js';
import type { Labels } from '../src/labels/labels.js';
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

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const positional = argv.find((a) => /^\d+$/.test(a));
const RUNS = Number(flag('runs') ?? positional ?? 20);
const SCALE_RUNS = Number(flag('runs') ?? 5);
const SIZES = (flag('sizes') ?? '2000,20000,100000').split(',').map(Number);
const RANGES = (flag('ranges') ?? '1h,24h').split(',');
const HOUR = 3_600_000;
const STEP_S = 15;
const RATE = '1m';
const BLOCKS_DIR = flag('blocks-dir');

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

/**
 * Runs the timed subjects one after the other, starting with a different one each run: a query
 * right after another pays for some of its predecessor's garbage collection, and a fixed order
 * would put that cost on the same subject every time.
 */
async function inRotation(run: number, subjects: readonly (() => Promise<unknown>)[]): Promise<void> {
  for (let k = 0; k < subjects.length; k++) await subjects[(run + k) % subjects.length]!();
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
function regularCost(): { perSample: number; chunkBytes: number; blockBytes: number } {
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
  // The same samples as a block in Prometheus's format: its chunk files' bytes per sample.
  const dir = mkdtempSync(join(tmpdir(), 'orrery-bench-regular-'));
  headAsBlock(head, dir);
  const blockChunkBytes =
    dirBytes(dir) - readdirSync(dir).reduce((n, b) => n + statSync(join(dir, b, 'index')).size, 0);
  rmSync(dir, { recursive: true, force: true });
  return {
    perSample: (after - before) / (series * (steps - 1)),
    chunkBytes: st.bytes / st.samples,
    blockBytes: blockChunkBytes / st.samples,
  };
}

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

async function memoryFigures(): Promise<void> {
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
        await inRotation(i, [
          async () => o.push(await timeQuery(orrery, q, qs, qe)),
          async () => w.push(await timeQuery(orreryPool, q, qs, qe)),
          async () => p.push(await timeQuery(prom.url, q, qs, qe)),
        ]);
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
      `Regular 10 s counters/gauges (2,000 series x 360 samples, integer steps, no jitter): Orrery heap growth ${regular.perSample.toFixed(2)} bytes/sample, chunk bytes ${regular.chunkBytes.toFixed(2)} bytes/sample, as a block in Prometheus's format ${regular.blockBytes.toFixed(2)} bytes/sample (chunks files, meta.json and tombstones)`,
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

/** The dashboard's queries with a rate window for the data's interval. */
function queriesWith(rate: string): [string, string][] {
  return QUERIES.map(([name, q]) => [name, q.replaceAll(`[${RATE}]`, `[${rate}]`)]);
}

/** Demo data replicated to `size` series, appended into `head` replica by replica; returns the sample count. */
function loadReplicas(head: Head, size: number, start: number, durationMs: number, intervalMs: number): number {
  let series = 0;
  let samples = 0;
  for (let k = 0; series < size; k++) {
    const data = generateDemoData({ start, durationMs, intervalMs, seed: 1000 + k }).slice(0, size - series);
    for (const s of data) {
      const labels: Labels = s.labels.map((l) =>
        l.name === 'instance' ? { name: l.name, value: `${l.value}-r${k}` } : l,
      );
      for (let i = 0; i < s.t.length; i++) {
        const st =
          s.stale && s.stale[i] === 1 ? head.appendStale(labels, s.t[i]!) : head.append(labels, s.t[i]!, s.v[i]!);
        if (st !== 'ok') throw new BenchAbort(`append refused (${st}) while loading the data`);
        samples++;
      }
    }
    series += data.length;
  }
  return samples;
}

/** Writes all of a head's samples as one block (what Prometheus reads in the 1 h case). */
function headAsBlock(head: Head, dir: string): void {
  const mint = head.minTime();
  const maxt = head.maxTime();
  const w = new BlockWriter(dir, { minTime: mint, maxTime: maxt + 1 });
  for (const { ref, labels } of head.seriesIn(mint, maxt).sort((a, b) => compareLabelsUtf8(a.labels, b.labels))) {
    const s = head.samplesOf(ref, mint, maxt);
    if (s) w.addSeries(labels, toPromChunks(s));
  }
  w.finish();
}

async function scaleCase(size: number, range: string): Promise<void> {
  const long = range === '24h';
  if (!long && range !== '1h') throw new BenchAbort(`unknown range ${range} (1h or 24h)`);
  const intervalMs = long ? 60_000 : 10_000;
  const stepS = long ? 120 : STEP_S;
  const rate = long ? '5m' : RATE;
  const block = 2 * HOUR;
  // 24 h: 28 h of data from a block boundary, so that the blocks (the head keeps the last 1.5
  // to 2.5 blocks' worth) cover the whole day queried.
  const durationMs = long ? 28 * HOUR : HOUR;
  const start = long
    ? Math.floor((Date.now() - durationMs) / block) * block
    : Math.floor((Date.now() - durationMs) / intervalMs) * intervalMs;
  const kept = long && BLOCKS_DIR !== undefined ? join(BLOCKS_DIR, String(size)) : undefined;
  const reuse = kept !== undefined && existsSync(join(kept, 'done'));
  const dir = kept ?? mkdtempSync(join(tmpdir(), 'orrery-bench-blocks-'));
  if (kept !== undefined && !reuse) {
    rmSync(kept, { recursive: true, force: true });
    mkdirSync(kept, { recursive: true });
  }
  const pool = new QueryPool();
  const closers: (() => unknown)[] = [() => pool.shutdown()];
  if (kept === undefined) closers.push(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const t0 = performance.now();
    const head = new Head();
    const samples = reuse ? 0 : loadReplicas(head, size, start, durationMs, intervalMs);
    const loadMs = performance.now() - t0;
    let storage: Head | Tsdb = head;
    let qs: number;
    let qe: number;
    let diskNote = '';
    if (long) {
      const t1 = performance.now();
      if (!reuse) {
        const writer = new Tsdb({ dir, head, blockDurationMs: block });
        await writer.maintain();
        await writer.shutdown();
        if (kept !== undefined) writeFileSync(join(kept, 'done'), '');
      }
      const cutMs = performance.now() - t1;
      const reader = new Tsdb({ dir, head: new Head(), blockDurationMs: block });
      const metas = reader.blockMetas();
      closers.unshift(() => reader.shutdown());
      storage = reader;
      if (reuse) console.log(`\n(reusing the blocks in ${dir})`);
      const blockSamples = metas.reduce((n, m) => n + m.stats.numSamples, 0);
      const chunkBytes = metas.reduce((n, m) => n + dirBytes(join(dir, m.ulid, 'chunks')), 0);
      const blocksMax = Math.max(...metas.map((m) => m.maxTime));
      qe = Math.floor((blocksMax - 1) / 1000);
      qs = qe - 24 * 3600;
      if (qs * 1000 < Math.min(...metas.map((m) => m.minTime))) throw new BenchAbort('the blocks do not cover 24 h');
      diskNote =
        `blocks: ${metas.map((m) => `${(m.maxTime - m.minTime) / HOUR} h`).join(' + ')}, cut and compacted in ${(cutMs / 1000).toFixed(1)} s; ` +
        `${(chunkBytes / blockSamples).toFixed(2)} chunk bytes/sample, ${(reader.blocksBytes() / blockSamples).toFixed(2)} bytes/sample with the index`;
    } else {
      headAsBlock(head, dir);
      qs = Math.floor(start / 1000);
      qe = qs + 3600;
    }
    const app = new HttpApp();
    registerPrometheusApi(app, { storage, engine: new Engine() });
    const direct = await app.listen('127.0.0.1', 0);
    closers.unshift(() => direct.server.close());
    const poolApp = new HttpApp();
    registerPrometheusApi(poolApp, { storage, engine: pool });
    const pooled = await poolApp.listen('127.0.0.1', 0);
    closers.unshift(() => pooled.server.close());
    const orrery = `http://127.0.0.1:${direct.port}`;
    const orreryPool = `http://127.0.0.1:${pooled.port}`;
    // Its own compaction stays off (one block range), so it does not work in the background while timed.
    const prom = await startPrometheus(
      ['--storage.tsdb.min-block-duration=2h', '--storage.tsdb.max-block-duration=2h'],
      {
        initialData: dir,
      },
    );
    closers.unshift(() => prom.stop());

    console.log(
      `\n${size} series over ${range} (${intervalMs / 1000} s data, ${reuse ? 'blocks of an earlier run' : `${samples} samples, loaded in ${(loadMs / 1000).toFixed(1)} s`}; Orrery reads ${long ? 'blocks' : 'its head'}; step ${stepS} s, rate window ${rate}; median of ${SCALE_RUNS} runs, ms)`,
    );
    if (diskNote) console.log(diskNote);
    console.log(
      `${pad('panel', 18)} ${lpad('series', 7)} ${lpad('Orrery', 9)} ${lpad('pool', 9)} ${lpad('Prometheus', 11)} ${lpad('ratio', 7)} ${lpad('pool ratio', 11)}`,
    );
    const ratios: number[] = [];
    for (const [name, q] of queriesWith(rate)) {
      const check = async (base: string, label: string): Promise<number> => {
        const [o, p] = await Promise.all([
          rangeQueryStep(base, q, qs, qe, stepS),
          rangeQueryStep(prom.url, q, qs, qe, stepS),
        ]);
        const diff = compareAnswers(o, p);
        if (diff !== undefined)
          throw new BenchAbort(`${label}: Orrery's answer differs from Prometheus's:\n    ${diff}\n  query: ${q}`);
        const n = answerSize(o);
        if (!n) throw new BenchAbort(`${label}: no data or an error on both sides\n  query: ${q}`);
        return n;
      };
      const series = await check(orrery, name);
      await check(orreryPool, `${name} (pool)`);
      const time = async (base: string): Promise<number> => {
        const t = performance.now();
        const a = await rangeQueryStep(base, q, qs, qe, stepS);
        if (a.status !== 200) throw new BenchAbort(`${base}: HTTP ${a.status}`);
        return performance.now() - t;
      };
      await time(orrery);
      await time(orreryPool);
      await time(prom.url);
      const o: number[] = [];
      const w: number[] = [];
      const p: number[] = [];
      for (let i = 0; i < SCALE_RUNS; i++) {
        await inRotation(i, [
          async () => o.push(await time(orrery)),
          async () => w.push(await time(orreryPool)),
          async () => p.push(await time(prom.url)),
        ]);
      }
      const [mo, mw, mp] = [median(o), median(w), median(p)];
      ratios.push(mw / mp);
      console.log(
        `${pad(name, 18)} ${lpad(String(series), 7)} ${lpad(mo.toFixed(1), 9)} ${lpad(mw.toFixed(1), 9)} ${lpad(mp.toFixed(1), 11)} ${lpad((mo / mp).toFixed(2) + 'x', 7)} ${lpad((mw / mp).toFixed(2) + 'x', 11)}`,
      );
    }
    console.log(
      `pool ratio range: ${Math.min(...ratios).toFixed(2)}x - ${Math.max(...ratios).toFixed(2)}x of Prometheus's time`,
    );
  } finally {
    for (const c of closers) await c();
  }
}

async function rangeQueryStep(base: string, query: string, start: number, end: number, step: number): Promise<Answer> {
  const res = await fetch(`${base}/api/v1/query_range`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query, start: String(start), end: String(end), step: String(step) }).toString(),
  });
  return { status: res.status, body: await res.text() };
}

async function main(): Promise<void> {
  if (!prometheusAvailable())
    throw new BenchAbort(`${PROMETHEUS_BIN} not found (apt-get install prometheus): nothing to compare against`);
  if (!argv.includes('--scale-only')) await memoryFigures();
  if (argv.includes('--memory-only')) return;
  for (const range of RANGES) for (const size of SIZES) await scaleCase(size, range);
}

main().catch((e: unknown) => {
  console.error(e instanceof BenchAbort ? `bench:promql aborted: ${e.message}` : e);
  process.exit(1);
});
