import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPAN_METRICS } from '../../names/contract.js';
import { Engine } from '../../promql/engine.js';
import { TraceStore } from '../../traces/store.js';
import { Head } from '../../tsdb/head.js';
import { labelsFromRecord } from '../../labels/labels.js';
import { HttpApp } from '../router.js';
import { registerJaegerApi } from './index.js';
import { fillZeroErrors, protoTimestamp } from './metrics.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const END = T0 + 20 * 60_000;
const NOW = END + 3_600_000;
let server: Server;
let base: string;

/** A cumulative counter series growing by `perSample` every 10 s for 20 minutes. */
function counter(head: Head, labels: Record<string, string>, perSample: number): void {
  const l = labelsFromRecord(labels);
  for (let i = 0, t = T0; t <= END; i++, t += 10_000) head.append(l, t, i * perSample);
}

function calls(service: string, op: string, kind: string, code: string, perSample: number, head: Head): void {
  counter(
    head,
    { __name__: SPAN_METRICS.calls, service_name: service, span_name: op, span_kind: kind, status_code: code },
    perSample,
  );
}

beforeAll(async () => {
  const head = new Head();
  calls('frontend', 'GET /', 'SPAN_KIND_SERVER', 'STATUS_CODE_UNSET', 10, head); // 1/s
  calls('frontend', 'GET /', 'SPAN_KIND_SERVER', 'STATUS_CODE_ERROR', 2, head); // 0.2/s
  calls('frontend', 'POST /cart', 'SPAN_KIND_SERVER', 'STATUS_CODE_UNSET', 30, head); // 3/s
  calls('frontend', 'grpc call', 'SPAN_KIND_CLIENT', 'STATUS_CODE_UNSET', 50, head); // 5/s, a client span
  calls('recommendationservice', 'List', 'SPAN_KIND_SERVER', 'STATUS_CODE_UNSET', 5, head); // 0.5/s, no errors
  // names with regex metacharacters must match literally
  calls('a.b', 'op', 'SPAN_KIND_SERVER', 'STATUS_CODE_UNSET', 1, head);
  calls('axb', 'op', 'SPAN_KIND_SERVER', 'STATUS_CODE_UNSET', 100, head);
  // GET / latencies: 40 % ≤ 10 ms, 80 % ≤ 100 ms, all ≤ +Inf
  for (const [le, n] of [
    ['10', 4],
    ['100', 8],
    ['+Inf', 12],
  ] as const) {
    counter(
      head,
      {
        __name__: SPAN_METRICS.durationBucket,
        service_name: 'frontend',
        span_name: 'GET /',
        span_kind: 'SPAN_KIND_SERVER',
        status_code: 'STATUS_CODE_UNSET',
        le,
      },
      n,
    );
  }
  const app = new HttpApp();
  registerJaegerApi(app, new TraceStore({ now: () => NOW }), {
    now: () => NOW,
    metrics: { engine: new Engine(), querier: head },
  });
  const l = await app.listen('127.0.0.1', 0);
  server = l.server;
  base = `http://127.0.0.1:${l.port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

interface Family {
  name: string;
  type: string;
  help: string;
  metrics?: {
    labels: { name: string; value: string }[];
    metricPoints: { gaugeValue: { doubleValue: number | string }; timestamp: string }[];
  }[];
}

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(base + path);
  return { status: res.status, body: (await res.json()) as unknown };
}

async function family(path: string): Promise<Family> {
  const r = await get(path);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as Family;
}

/** endTs 20 min after the data starts, 5 min back at 1 min steps: every 10 min rate window is full. */
const WINDOW = `endTs=${END}&lookback=300000&step=60000&ratePer=600000`;

function labelsOf(f: Family): Record<string, string>[] {
  return (f.metrics ?? []).map((m) => Object.fromEntries(m.labels.map((l) => [l.name, l.value])));
}

function valuesOf(f: Family, i: number): number[] {
  return f.metrics![i]!.metricPoints.map((p) => Number(p.gaugeValue.doubleValue));
}

describe('Jaeger SPM metrics API', () => {
  it('calls: per-second rate of server spans per service, in Jaeger’s MetricFamily shape', async () => {
    const f = await family(`/api/metrics/calls?service=frontend&service=recommendationservice&${WINDOW}`);
    expect(f.name).toBe('service_call_rate');
    expect(f.type).toBe('GAUGE');
    expect(f.help).toBe('calls/sec, grouped by service');
    expect(labelsOf(f)).toEqual([{ service_name: 'frontend' }, { service_name: 'recommendationservice' }]);
    const points = f.metrics![0]!.metricPoints;
    expect(points.map((p) => p.timestamp)).toEqual([5, 4, 3, 2, 1, 0].map((k) => protoTimestamp(END - k * 60_000)));
    expect(points[0]!.timestamp).toBe('2025-01-01T12:15:00Z');
    // client spans are not counted: 1 + 0.2 + 3 per second
    for (const v of valuesOf(f, 0)) expect(v).toBeCloseTo(4.2, 9);
    for (const v of valuesOf(f, 1)) expect(v).toBeCloseTo(0.5, 9);
  });

  it('calls grouped by operation, and span kinds chosen by spanKind', async () => {
    const f = await family(`/api/metrics/calls?service=frontend&groupByOperation=true&${WINDOW}`);
    expect(f.name).toBe('service_operation_call_rate');
    expect(f.help).toBe('calls/sec, grouped by service & operation');
    expect(labelsOf(f)).toEqual([
      { service_name: 'frontend', operation: 'GET /' },
      { service_name: 'frontend', operation: 'POST /cart' },
    ]);
    expect(valuesOf(f, 0)[0]).toBeCloseTo(1.2, 9);
    const both = await family(
      `/api/metrics/calls?service=frontend&spanKind=server&spanKind=client&groupByOperation=1&${WINDOW}`,
    );
    expect(labelsOf(both).map((l) => l['operation'])).toEqual(['GET /', 'POST /cart', 'grpc call']);
    expect(valuesOf(both, 2)[0]).toBeCloseTo(5, 9);
  });

  it('service names are matched literally, not as regular expressions', async () => {
    const f = await family(`/api/metrics/calls?service=a.b&${WINDOW}`);
    expect(labelsOf(f)).toEqual([{ service_name: 'a.b' }]);
    expect(valuesOf(f, 0)[0]).toBeCloseTo(0.1, 9);
  });

  it('latencies: histogram_quantile over the duration buckets', async () => {
    const f = await family(`/api/metrics/latencies?service=frontend&quantile=0.5&${WINDOW}`);
    expect(f.name).toBe('service_latencies');
    expect(f.help).toBe('0.50th quantile latency, grouped by service');
    expect(labelsOf(f)).toEqual([{ service_name: 'frontend' }]);
    // buckets 0.4/s ≤ 10 ms, 0.8/s ≤ 100 ms, 1.2/s in all: rank 0.6 lies in (10, 100], 10 + 90 * 0.2 / 0.4
    for (const v of valuesOf(f, 0)) expect(v).toBeCloseTo(55, 6);
    const byOp = await family(`/api/metrics/latencies?service=frontend&quantile=0.95&groupByOperation=true&${WINDOW}`);
    expect(byOp.name).toBe('service_operation_latencies');
    expect(labelsOf(byOp)).toEqual([{ service_name: 'frontend', operation: 'GET /' }]);
    // rank 0.95 lies in (100, +Inf]: the upper finite bound
    expect(valuesOf(byOp, 0)[0]).toBe(100);
  });

  it('errors: errors/sec over calls/sec, and 0 (not absent) for a service with calls and no errors', async () => {
    const f = await family(`/api/metrics/errors?service=frontend&service=recommendationservice&${WINDOW}`);
    expect(f.name).toBe('service_error_rate');
    expect(f.help).toBe('error rate, computed as a fraction of errors/sec over calls/sec, grouped by service');
    expect(labelsOf(f)).toEqual([{ service_name: 'frontend' }, { service_name: 'recommendationservice' }]);
    expect(valuesOf(f, 0)[0]).toBeCloseTo(0.2 / 4.2, 9);
    expect(valuesOf(f, 1)).toEqual([0, 0, 0, 0, 0, 0]);
    const byOp = await family(`/api/metrics/errors?service=frontend&groupByOperation=true&${WINDOW}`);
    expect(byOp.name).toBe('service_operation_error_rate');
    expect(labelsOf(byOp).map((l) => l['operation'])).toEqual(['GET /', 'POST /cart']);
    expect(valuesOf(byOp, 0)[0]).toBeCloseTo(0.2 / 1.2, 9);
    expect(valuesOf(byOp, 1)[0]).toBe(0);
  });

  it('a service without span metrics: a family without metrics, as jsonpb omits empty lists', async () => {
    const r = await get(`/api/metrics/errors?service=nobody&${WINDOW}`);
    expect(r.body).toEqual({
      name: 'service_error_rate',
      type: 'GAUGE',
      help: 'error rate, computed as a fraction of errors/sec over calls/sec, grouped by service',
    });
  });

  it('defaults: endTs now, 1 h lookback, 5 s step, 10 min rate window', async () => {
    const f = await family(`/api/metrics/calls?service=frontend`);
    const points = f.metrics![0]!.metricPoints;
    // the data ends an hour before now: points while the 10 min window still reaches it
    expect(points[0]!.timestamp).toBe(protoTimestamp(NOW - 3_600_000));
    expect(points[1]!.timestamp).toBe(protoTimestamp(NOW - 3_600_000 + 5_000));
    // (the last that still holds two samples of it: END - 10 s and END)
    expect(points.at(-1)!.timestamp).toBe(protoTimestamp(END + 600_000 - 10_000));
  });

  it('minstep: 1 ms in Jaeger’s envelope', async () => {
    expect((await get('/api/metrics/minstep')).body).toEqual({ data: 1, total: 0, limit: 0, offset: 0, errors: null });
  });

  it.each([
    ['/api/metrics/calls', "unable to parse param 'service': please provide at least one service name"],
    ['/api/metrics/calls?service=a&spanKind=sever', "unable to parse param 'spanKind': unsupported span kind: 'sever'"],
    [
      '/api/metrics/calls?service=a&endTs=yesterday',
      'unable to parse param \'endTs\': strconv.ParseInt: parsing "yesterday": invalid syntax',
    ],
    ['/api/metrics/calls?service=a&step=0', "unable to parse param 'step': must be at least 1 ms, got 0"],
    ['/api/metrics/calls?service=a&lookback=-5', "unable to parse param 'lookback': must be at least 0 ms, got -5"],
    [
      '/api/metrics/calls?service=a&groupByOperation=yes',
      'unable to parse param \'groupByOperation\': strconv.ParseBool: parsing "yes": invalid syntax',
    ],
    [
      '/api/metrics/calls?service=a&lookback=86400000&step=1',
      'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
    ],
    [
      '/api/metrics/latencies?service=a',
      'unable to parse param \'quantile\': strconv.ParseFloat: parsing "": invalid syntax',
    ],
    [
      '/api/metrics/latencies?service=a&quantile=1.5',
      "unable to parse param 'quantile': must be between 0 and 1, got 1.5",
    ],
  ])('bad input %s → 400 with the reason', async (path, msg) => {
    const r = await get(path);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 400, msg }] });
  });

  it('hostile service names cannot break out of the query', async () => {
    const f = await family(`/api/metrics/calls?service=${encodeURIComponent('"}) or vector(1) #')}&${WINDOW}`);
    expect(f.metrics).toBeUndefined();
  });
});

describe('fillZeroErrors', () => {
  const a = labelsFromRecord({ service_name: 'a' });
  const b = labelsFromRecord({ service_name: 'b' });
  it('keeps error values, fills 0 at call timestamps without one, and adds series with no errors', () => {
    const out = fillZeroErrors(
      [{ metric: a, t: [2], v: [0.5] }],
      [
        { metric: a, t: [1, 2], v: [3, 3] },
        { metric: b, t: [1], v: [1] },
      ],
    );
    expect(out).toEqual([
      { metric: a, t: [1, 2], v: [0, 0.5] },
      { metric: b, t: [1], v: [0] },
    ]);
  });
});
