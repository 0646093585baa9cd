// Differential test: the same demo-shaped series go into a real Prometheus 2.42 (remote write)
// and into Orrery's Head; the Demo Dashboard's queries and a few hundred generated queries run as
// range queries through both HTTP APIs and must agree series by series (labels equal, values
// within 1e-6 relative, NaN = NaN). Error responses for bad requests must be byte-identical.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { HttpApp } from '../src/api/router.js';
import { registerPrometheusApi } from '../src/api/prometheus/api.js';
import { Head } from '../src/tsdb/head.js';
import type { QueryService } from '../src/promql/value.js';
import { startPrometheus, type PrometheusProcess } from '../src/api/prometheus/testing/prometheus-process.js';
import { remoteWrite } from '../src/api/prometheus/testing/remote-write.js';
import {
  appendAll,
  generateDemoData,
  timeWindows,
  type GeneratedSeries,
} from '../src/api/prometheus/testing/demo-data.js';
import { describeNeeding, needPrometheus } from './support/needs.js';
import { answerSize, compareAnswers, type Answer } from '../src/api/prometheus/testing/compare.js';

const RATE = '1m'; // $__rate_interval for a 10 s interval and a 15 s step (contracts.md)

/** The Demo Dashboard's queries (contracts.md), $service = recommendationservice. */
export const DASHBOARD_QUERIES: readonly string[] = [
  `100 * sum by (cpu_mode) (rate(process_cpu_time_seconds_total{service_name="recommendationservice"}[${RATE}]))`,
  `process_memory_usage{service_name="recommendationservice"}`,
  `sum(v8js_memory_heap_used_bytes{service_name="recommendationservice"})`,
  `sum by (recommendation_type) (increase(app_recommendations_counter_total{service_name="recommendationservice"}[${RATE}]))`,
  `100 * sum by (service_name) (rate(traces_span_metrics_calls_total{status_code="STATUS_CODE_ERROR"}[${RATE}])) / sum by (service_name) (rate(traces_span_metrics_calls_total[${RATE}]))`,
  ...[0.5, 0.95, 0.99, 0.999].map(
    (q) =>
      `histogram_quantile(${q}, sum(rate(traces_span_metrics_duration_milliseconds_bucket{service_name="recommendationservice"}[${RATE}])) by (le))`,
  ),
  `sum by (span_name) (rate(traces_span_metrics_calls_total{service_name="recommendationservice"}[${RATE}]))`,
];

/** Generated queries over functions, aggregations and operators. */
export function generatedQueries(): string[] {
  const counters = [
    'traces_span_metrics_calls_total',
    'traces_span_metrics_calls_total{service_name="frontend"}',
    'traces_span_metrics_calls_total{status_code="STATUS_CODE_ERROR"}',
    'traces_span_metrics_calls_total{service_name=~"shipping.*|ad.*"}',
    'traces_span_metrics_duration_milliseconds_sum{span_kind="SPAN_KIND_CLIENT"}',
    'process_cpu_time_seconds_total',
    'app_recommendations_counter_total',
  ];
  const gauges = [
    'process_memory_usage',
    'v8js_memory_heap_used_bytes{service_name!="frontend"}',
    'nodejs_eventloop_delay_p99_seconds',
    'process_memory_usage{service_name=~"ad.*|recommendation.*"}',
  ];
  const q: string[] = [];
  // range functions over counters
  for (const fn of ['rate', 'irate', 'increase', 'resets', 'changes']) {
    for (const c of counters) q.push(`${fn}(${c}[${fn === 'irate' ? '1m' : '2m30s'}])`);
  }
  for (const c of counters.slice(0, 3)) q.push(`rate(${c}[5m])`, `increase(${c}[45s])`, `rate(${c}[1m] offset 5m)`);
  // range functions over gauges
  for (const fn of [
    'avg_over_time',
    'min_over_time',
    'max_over_time',
    'sum_over_time',
    'count_over_time',
    'last_over_time',
    'stddev_over_time',
    'stdvar_over_time',
    'present_over_time',
    'delta',
    'idelta',
    'deriv',
  ]) {
    for (const g of gauges) q.push(`${fn}(${g}[2m])`);
  }
  for (const g of gauges.slice(0, 2)) {
    q.push(
      `quantile_over_time(0.9, ${g}[5m])`,
      `predict_linear(${g}[5m], 600)`,
      `holt_winters(${g}[5m], 0.5, 0.5)`,
      `max_over_time(rate(process_cpu_time_seconds_total[1m])[10m:1m])`,
      `${g} offset 10m`,
      `${g} @ end()`,
      `avg_over_time(${g}[10m:30s])`,
    );
  }
  // adservice stops reporting at 50 min (demo-data.ts): absent for the last minutes, present before.
  q.push(
    'absent_over_time(process_memory_usage{service_name="adservice"}[1m])',
    'absent_over_time(v8js_memory_heap_used_bytes{service_name="adservice",v8js_heap_space_name="old_space"}[2m])',
  );
  // instant functions
  const g0 = 'nodejs_eventloop_delay_p99_seconds';
  for (const fn of ['abs', 'ceil', 'floor', 'sqrt', 'ln', 'log2', 'log10', 'exp', 'sgn', 'timestamp', '-']) {
    q.push(`${fn}(${g0})`);
  }
  q.push(
    `round(${g0}, 0.005)`,
    `round(process_memory_usage / 1e6)`,
    `clamp(${g0}, 0.015, 0.025)`,
    `clamp_min(${g0}, 0.02)`,
    `clamp_max(${g0}, 0.02)`,
    `label_replace(process_memory_usage, "svc", "$1", "service_name", "(.*)service")`,
    `label_join(process_memory_usage, "both", "/", "service_name", "instance")`,
    `absent(nonexistent_metric)`,
    `absent(process_memory_usage{service_name="nope"})`,
    `vector(1)`,
    `time()`,
    `scalar(sum(process_memory_usage))`,
    `minute()`,
    `hour(process_memory_usage)`,
    `day_of_week()`,
    `day_of_month()`,
    `days_in_month()`,
    `month()`,
    `year()`,
    `sum(process_memory_usage) / scalar(count(process_memory_usage))`,
  );
  // aggregations
  const inner = ['rate(traces_span_metrics_calls_total[1m])', 'process_memory_usage', 'v8js_memory_heap_used_bytes'];
  const groupings = ['', ' by (service_name)', ' without (instance, job)', ' by (span_kind, status_code)'];
  for (const agg of ['sum', 'avg', 'min', 'max', 'count', 'stddev', 'stdvar', 'group']) {
    for (const x of inner) for (const g of groupings) q.push(`${agg}${g} (${x})`);
  }
  for (const x of inner) {
    q.push(
      `topk(3, ${x})`,
      `bottomk(2, ${x})`,
      `quantile(0.9, ${x})`,
      `quantile by (service_name) (0.5, ${x})`,
      `topk by (service_name) (1, ${x})`,
    );
  }
  q.push(
    `count_values("v", round(nodejs_eventloop_delay_p99_seconds * 100))`,
    `count_values by (service_name) ("k", ceil(rate(traces_span_metrics_calls_total[1m])))`,
  );
  // histograms
  for (const qq of [0, 0.25, 0.5, 0.9, 0.99, 1, 1.5, -1]) {
    q.push(
      `histogram_quantile(${qq}, sum by (le, service_name) (rate(traces_span_metrics_duration_milliseconds_bucket[2m])))`,
    );
  }
  q.push(
    `histogram_quantile(0.9, rate(traces_span_metrics_duration_milliseconds_bucket{service_name="frontend"}[1m]))`,
    `sum by (service_name) (rate(traces_span_metrics_duration_milliseconds_sum[5m])) / sum by (service_name) (rate(traces_span_metrics_duration_milliseconds_count[5m]))`,
  );
  // binary operators. Every query must return data on both sides (two empty answers agree by
  // default), so each filtering comparison keeps some services and drops others: error rates are
  // 1.5-9 % of call rates (20x straddles 1), call rates 6-14/s (10 straddles them), and services
  // have 8 call series except where one started late or ended (7).
  const a = 'sum by (service_name) (rate(traces_span_metrics_calls_total{status_code="STATUS_CODE_ERROR"}[2m]))';
  const b = 'sum by (service_name) (rate(traces_span_metrics_calls_total[2m]))';
  const calls = 'count by (service_name) (traces_span_metrics_calls_total)';
  for (const op of ['+', '-', '*', '/', '%', '^', 'atan2']) q.push(`${a} ${op} ${b}`);
  for (const op of ['>', '<', '!=', '>=', '<=']) q.push(`20 * ${a} ${op} ${b}`, `${b} ${op} 10`);
  q.push(`${calls} == on(service_name) 4 * count by (service_name) (process_cpu_time_seconds_total)`, `${calls} == 8`);
  for (const op of ['>', '<', '==', '!=', '>=', '<=']) q.push(`${a} ${op} bool ${b}`, `${b} ${op} bool 10`);
  for (const op of ['and', 'or', 'unless'])
    q.push(`${b} > 2 ${op} ${b} < 8`, `process_memory_usage ${op} on(service_name) ${b} > 10`);
  q.push(
    `2 * process_memory_usage + 1`,
    `1 - process_memory_usage / 1e9`,
    `process_memory_usage / on(service_name) group_left sum by (service_name) (v8js_memory_heap_used_bytes)`,
    `sum by (service_name) (v8js_memory_heap_used_bytes) / on(service_name) group_right process_memory_usage`,
    `v8js_memory_heap_used_bytes / ignoring(v8js_heap_space_name) group_left process_memory_usage`,
    `rate(traces_span_metrics_calls_total[1m]) / ignoring(status_code) group_left sum without (status_code) (rate(traces_span_metrics_calls_total[1m]))`,
    `-process_memory_usage`,
    `process_memory_usage % 1000`,
    `2 ^ 3 ^ 2`,
    `(1 + 2) * 3`,
    `process_memory_usage > 7e7`,
    `sort(process_memory_usage)`,
    `sort_desc(sum by (service_name) (rate(traces_span_metrics_calls_total[1m])))`,
  );
  return [...new Set(q)];
}

async function httpGet(base: string, path: string, params: Record<string, string>): Promise<Answer> {
  const res = await fetch(`${base}${path}?${new URLSearchParams(params).toString()}`);
  return { status: res.status, body: await res.text() };
}

describeNeeding([needPrometheus()])('Orrery vs Prometheus 2.42 (differential)', () => {
  let prom: PrometheusProcess | undefined;
  let server: Server | undefined;
  let orreryUrl = '';
  let data: GeneratedSeries[] = [];
  let startS = 0;
  let endS = 0;
  let stopEngine: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    // The backend's engine: evaluation in worker threads over snapshots of the selected data.
    const mod = (await import('../src/promql/pool.js')) as {
      QueryPool: new () => QueryService & { shutdown(): Promise<void> };
    };
    const engine = new mod.QueryPool();
    stopEngine = () => engine.shutdown();
    const interval = 10_000;
    const start = Math.floor((Date.now() - 3_600_000) / interval) * interval;
    data = generateDemoData({ start, durationMs: 3_600_000, intervalMs: interval, seed: 7 });
    startS = Math.floor(start / 1000) + 300;
    endS = Math.floor(start / 1000) + 3600;
    const head = new Head();
    appendAll(head, data);
    const app = new HttpApp();
    registerPrometheusApi(app, { storage: head, engine });
    const s = await app.listen('127.0.0.1', 0);
    server = s.server;
    orreryUrl = `http://127.0.0.1:${s.port}`;
    prom = await startPrometheus();
    for (const batch of timeWindows(data, 600_000)) await remoteWrite(prom.url, batch);
  }, 600_000);

  afterAll(async () => {
    await prom?.stop();
    await stopEngine?.();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  /** A reason when either side answered an error or no data (they cannot disagree then). */
  function emptiness(o: Answer, p: Answer): string | undefined {
    const [os, ps] = [answerSize(o), answerSize(p)];
    if (os === undefined || ps === undefined) return `an error, not data: ${o.body.slice(0, 200)}`;
    if (os === 0 || ps === 0) return `no data: Orrery ${os} series, Prometheus ${ps} series`;
    return undefined;
  }

  async function runAll(queries: readonly string[], step: string, label: string): Promise<string[]> {
    const disagreements: string[] = [];
    for (const query of queries) {
      const params = { query, start: String(startS), end: String(endS), step };
      const [o, p] = await Promise.all([
        httpGet(orreryUrl, '/api/v1/query_range', params),
        httpGet(prom!.url, '/api/v1/query_range', params),
      ]);
      let diff: string | undefined;
      try {
        diff = compareAnswers(o, p) ?? emptiness(o, p);
      } catch (e) {
        diff = `unparseable answer: ${(e as Error).message}`;
      }
      if (diff) disagreements.push(`${query}\n    ${diff}`);
    }
    console.log(`[prometheus-diff] ${label}: ${queries.length - disagreements.length}/${queries.length} agreed`);
    for (const x of disagreements) console.log(`[prometheus-diff] DISAGREE ${x}`);
    return disagreements;
  }

  it('loaded the same series and samples', async () => {
    const sp = { 'match[]': '{__name__=~".+"}' };
    const [os, ps] = await Promise.all([
      httpGet(orreryUrl, '/api/v1/series', sp),
      httpGet(prom!.url, '/api/v1/series', sp),
    ]);
    expect(JSON.parse(os.body).data.length).toBe(data.length);
    expect(JSON.parse(ps.body).data.length).toBe(data.length);
    // Samples per metric name (staleness markers are not samples to PromQL).
    const expected = new Map<string, number>();
    for (const s of data) {
      const name = s.labels.find((l) => l.name === '__name__')!.value;
      let n = 0;
      for (let i = 0; i < s.t.length; i++) if (!(s.stale && s.stale[i] === 1)) n++;
      expected.set(name, (expected.get(name) ?? 0) + n);
    }
    for (const [name, n] of expected) {
      const q = { query: `sum(count_over_time(${name}[2h]))`, time: String(endS + 60) };
      const [o, p] = await Promise.all([
        httpGet(orreryUrl, '/api/v1/query', q),
        httpGet(prom!.url, '/api/v1/query', q),
      ]);
      expect(JSON.parse(o.body).data.result[0].value[1], name).toBe(String(n));
      expect(JSON.parse(p.body).data.result[0].value[1], name).toBe(String(n));
    }
  });

  it('agrees on the Demo Dashboard queries (1 h, 15 s step)', async () => {
    expect(await runAll(DASHBOARD_QUERIES, '15', 'dashboard queries')).toEqual([]);
  }, 300_000);

  it('agrees on the Demo Dashboard queries as instant queries', async () => {
    const disagreements: string[] = [];
    for (const query of DASHBOARD_QUERIES) {
      for (const t of [endS, endS - 1234.5]) {
        const params = { query, time: String(t) };
        const [o, p] = await Promise.all([
          httpGet(orreryUrl, '/api/v1/query', params),
          httpGet(prom!.url, '/api/v1/query', params),
        ]);
        const diff = compareAnswers(o, p) ?? emptiness(o, p);
        if (diff) disagreements.push(`${query} @${t}\n    ${diff}`);
      }
    }
    for (const x of disagreements) console.log(`[prometheus-diff] DISAGREE ${x}`);
    expect(disagreements).toEqual([]);
  }, 300_000);

  it('agrees on at least 200 generated queries over functions, aggregations and operators', async () => {
    const queries = generatedQueries();
    expect(queries.length).toBeGreaterThanOrEqual(200);
    expect(await runAll(queries, '60', 'generated queries')).toEqual([]);
  }, 600_000);

  it('agrees on series, label names and label values', async () => {
    const cases: [string, Record<string, string>][] = [
      ['/api/v1/labels', {}],
      ['/api/v1/label/service_name/values', {}],
      ['/api/v1/label/le/values', {}],
      ['/api/v1/label/span_name/values', { 'match[]': 'traces_span_metrics_calls_total{service_name="frontend"}' }],
      ['/api/v1/labels', { 'match[]': 'process_memory_usage' }],
      ['/api/v1/series', { 'match[]': 'process_memory_usage' }],
      ['/api/v1/series', { 'match[]': 'traces_span_metrics_calls_total{status_code="STATUS_CODE_ERROR"}' }],
    ];
    const problems: string[] = [];
    for (const [path, params] of cases) {
      const [o, p] = await Promise.all([httpGet(orreryUrl, path, params), httpGet(prom!.url, path, params)]);
      const norm = (b: string): string => {
        const j = JSON.parse(b) as { data: unknown[] };
        // Prometheus lists series in creation order; compare as sets.
        return JSON.stringify(j.data.map((x) => JSON.stringify(x)).sort());
      };
      if (o.status !== p.status || norm(o.body) !== norm(p.body))
        problems.push(`${path} ${JSON.stringify(params)}: ${o.body.slice(0, 300)} | ${p.body.slice(0, 300)}`);
    }
    for (const x of problems) console.log(`[prometheus-diff] DISAGREE ${x}`);
    expect(problems).toEqual([]);
  });

  it('writes byte-identical bodies for raw data, exemplars and metadata queries', async () => {
    const t = String(endS - 77.5);
    const cases: [string, Record<string, string>][] = [
      ['/api/v1/query_range', { query: 'process_memory_usage', start: String(startS), end: String(endS), step: '15' }],
      [
        '/api/v1/query_range',
        { query: 'nodejs_eventloop_delay_p99_seconds', start: String(startS), end: String(endS), step: '60' },
      ],
      [
        '/api/v1/query_range',
        {
          query: 'traces_span_metrics_duration_milliseconds_sum{service_name="frontend"}',
          start: String(startS),
          end: String(endS),
          step: '30',
        },
      ],
      ['/api/v1/query', { query: 'traces_span_metrics_calls_total{service_name="shippingservice"}', time: t }],
      ['/api/v1/query', { query: 'process_cpu_time_seconds_total[1m]', time: t }],
      ['/api/v1/query', { query: 'nodejs_eventloop_delay_p99_seconds[2m] offset 3m', time: t }],
      ['/api/v1/query', { query: 'scalar(process_memory_usage{service_name="frontend"})', time: t }],
      [
        '/api/v1/query_exemplars',
        {
          query: 'traces_span_metrics_duration_milliseconds_bucket{service_name="recommendationservice"}',
          start: String(startS),
          end: String(endS),
        },
      ],
      [
        '/api/v1/query_exemplars',
        {
          query:
            'histogram_quantile(0.9, rate(traces_span_metrics_duration_milliseconds_bucket{service_name=~"ad.*|cart.*"}[1m]))',
          start: String(endS - 900),
          end: String(endS),
        },
      ],
      ['/api/v1/labels', {}],
      ['/api/v1/label/span_kind/values', {}],
    ];
    const problems: string[] = [];
    for (const [path, params] of cases) {
      const [o, p] = await Promise.all([httpGet(orreryUrl, path, params), httpGet(prom!.url, path, params)]);
      // Guard against a hollow pass: every case here has data.
      const pj = JSON.parse(p.body) as { data: unknown };
      const pd = pj.data as { result?: unknown[] } | unknown[];
      const size = Array.isArray(pd) ? pd.length : Array.isArray(pd.result) ? pd.result.length : 1;
      if (size === 0) problems.push(`${path} ${JSON.stringify(params)}: Prometheus returned no data`);
      if (o.status !== p.status || o.body !== p.body) {
        let at = 0;
        while (at < o.body.length && o.body[at] === p.body[at]) at++;
        problems.push(
          `${path} ${JSON.stringify(params)}: first difference at byte ${at}:\n    Orrery     …${o.body.slice(Math.max(0, at - 80), at + 120)}\n    Prometheus …${p.body.slice(Math.max(0, at - 80), at + 120)}`,
        );
      }
    }
    console.log(
      `[prometheus-diff] byte-exact data responses: ${cases.length - problems.length}/${cases.length} agreed`,
    );
    for (const x of problems) console.log(`[prometheus-diff] DISAGREE ${x}`);
    expect(problems).toEqual([]);
  });

  it('answers bad and edge-case requests (GET and POST) byte-identically', async () => {
    const cases: [string, Record<string, string>][] = [
      ['/api/v1/query', { query: 'up', time: 'abc' }],
      ['/api/v1/query', { query: 'sum(' }],
      ['/api/v1/query', { query: 'rate(up)' }],
      ['/api/v1/query', { query: 'up', timeout: 'x' }],
      ['/api/v1/query', { query: 'up{', time: '1' }],
      ['/api/v1/query_range', { query: 'up', start: 'abc', end: '2', step: '1' }],
      ['/api/v1/query_range', { query: 'up', start: '3', end: '2', step: '1' }],
      ['/api/v1/query_range', { query: 'up', start: '1', end: '2', step: '0' }],
      ['/api/v1/query_range', { query: 'up', start: '1', end: '2', step: '-1s' }],
      ['/api/v1/query_range', { query: 'up', start: '1', end: '100000', step: '1' }],
      ['/api/v1/query_range', { query: 'up[5m]', start: '1', end: '2', step: '1' }],
      ['/api/v1/query_range', { query: 'up', start: '1', end: '2' }],
      ['/api/v1/series', {}],
      ['/api/v1/series', { 'match[]': 'up{' }],
      ['/api/v1/series', { 'match[]': '{a=""}' }],
      ['/api/v1/labels', { 'match[]': 'up{' }],
      ['/api/v1/label/foo-bar/values', {}],
      ['/api/v1/label/job/values', { 'match[]': '{a=~".*"}' }],
      ['/api/v1/label/job/values', { start: 'x' }],
      ['/api/v1/query_exemplars', { query: 'up', start: '5', end: '1' }],
      ['/api/v1/query_exemplars', { query: 'up{' }],
      ['/api/v1/metadata', { limit: 'x' }],
      ['/api/v1/query', { query: '"a<b>&"', time: '1.5' }],
      ['/api/v1/query', { query: 'vector(1e-7)', time: '1.05' }],
      ['/api/v1/query', { query: '1e-7', time: '2015-07-01T20:10:51.781Z' }],
      ['/api/v1/query_range', { query: 'vector(-0)', start: '1', end: '4', step: '1.5' }],
      ['/api/v1/query', {}],
      ['/api/v1/query', { query: 'foo bar' }],
      ['/api/v1/query', { query: 'time()', time: 'NaN' }],
      ['/api/v1/query', { query: 'time()', time: '2015-07-01T20:10:51.7819999+01:00' }],
      ['/api/v1/query', { query: 'time()', time: '-0.0005' }],
      ['/api/v1/query_range', { query: 'time()', start: '1', end: '2', step: '250ms' }],
      ['/api/v1/query_range', { query: 'time()', start: '1', end: '1', step: '0.0001' }],
      ['/api/v1/query_range', { query: 'up', start: '1', end: '2', step: '1e20' }],
      ['/api/v1/label/__name__/values', { 'match[]': 'process_memory_usage' }],
      [
        '/api/v1/series',
        { 'match[]': 'process_memory_usage{service_name="frontend"}', start: String(startS), end: String(endS) },
      ],
      ['/api/v1/metadata', { metric: 'nope' }],
      ['/api/v1/query_exemplars', { query: '1' }],
      ['/api/v1/query_exemplars', { query: 'nope_metric' }],
    ];
    const problems: string[] = [];
    for (const [path, params] of cases) {
      const [o, p] = await Promise.all([httpGet(orreryUrl, path, params), httpGet(prom!.url, path, params)]);
      if (o.status !== p.status || o.body !== p.body)
        problems.push(
          `${path} ${JSON.stringify(params)}:\n    Orrery     ${o.status} ${o.body}\n    Prometheus ${p.status} ${p.body}`,
        );
    }
    // POST forms, whose values take precedence over the URL's.
    const posts: [string, string, string][] = [
      ['/api/v1/query?query=vector(5)&time=9', 'query=vector(2)&time=3', ''],
      ['/api/v1/query_range', 'query=time()&start=10&end=70&step=15s', ''],
      ['/api/v1/series', 'match[]=process_memory_usage{service_name="adservice"}', ''],
      ['/api/v1/labels', 'match[]=process_memory_usage', ''],
      ['/api/v1/query_range', 'query=up&start=5&end=1&step=1', ''],
    ];
    for (const [path, form] of posts) {
      const send = async (base: string): Promise<Answer> => {
        const res = await fetch(base + path, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form,
        });
        return { status: res.status, body: await res.text() };
      };
      const [o, p] = await Promise.all([send(orreryUrl), send(prom!.url)]);
      if (o.status !== p.status || o.body !== p.body)
        problems.push(
          `POST ${path} ${form}:\n    Orrery     ${o.status} ${o.body}\n    Prometheus ${p.status} ${p.body}`,
        );
    }
    const total = cases.length + posts.length;
    console.log(`[prometheus-diff] byte-exact responses: ${total - problems.length}/${total} agreed`);
    for (const x of problems) console.log(`[prometheus-diff] DISAGREE ${x}`);
    expect(problems).toEqual([]);
  });
});

describe('answerSize (the guard against two empty answers agreeing)', () => {
  const ok = (data: unknown): Answer => ({ status: 200, body: JSON.stringify({ status: 'success', data }) });
  it('counts series with points, and calls an error no data', () => {
    expect(answerSize(ok({ resultType: 'matrix', result: [] }))).toBe(0);
    expect(answerSize(ok({ resultType: 'matrix', result: [{ metric: {}, values: [] }] }))).toBe(0);
    expect(answerSize(ok({ resultType: 'matrix', result: [{ metric: {}, values: [[1, '2']] }] }))).toBe(1);
    expect(answerSize(ok({ resultType: 'vector', result: [{ metric: {}, value: [1, '2'] }] }))).toBe(1);
    expect(answerSize(ok({ resultType: 'scalar', result: [1, '2'] }))).toBe(1);
    expect(
      answerSize({ status: 400, body: JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'x' }) }),
    ).toBeUndefined();
  });
});
