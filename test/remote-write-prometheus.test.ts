// `orrery serve --remote-write` against a real Prometheus 2.42 started with
// --web.enable-remote-write-receiver: OTLP metrics and spans go into Orrery through its OTLP/HTTP
// receiver (span metrics made by the connector, self-metrics by the backend's own collection),
// everything Orrery's TSDB keeps is remote-written, and the Demo Dashboard's queries
// (dashboards/demo.json) answer the same from Orrery's Prometheus API and from Prometheus's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeMetricsRequest, encodeTracesRequest } from '../src/exporters/otlp/encode.js';
import type { KeyValue, Metric, MetricsData, Span, TracesData } from '../src/otlp/model.js';
import { compareAnswers, type Answer } from '../src/api/prometheus/testing/compare.js';
import { startPrometheus, type PrometheusProcess } from '../src/api/prometheus/testing/prometheus-process.js';
import { createBackend, type Backend } from '../src/server/backend.js';
import { describeNeeding, needPrometheus } from './support/needs.js';
import { demoDashboardPromQL } from './fixtures/demo-dashboard.js';

const SERVICES = ['recommendationservice', 'frontend'];
const STEP_MS = 10_000;
const STEPS = 48; // 8 minutes of 10 s exports

const str = (key: string, value: string): KeyValue => ({ key, value: { kind: 'string', value } });

function resource(service: string) {
  return {
    attributes: [
      str('service.name', service),
      str('service.namespace', 'opentelemetry-demo'),
      str('service.instance.id', `${service}-1`),
    ],
    droppedAttributesCount: 0,
  };
}

/** the host and app metrics the dashboard reads, cumulative, one export per step in the past */
function metricsAt(service: string, step: number, startMs: number, seed: number): MetricsData {
  const t = (startMs + step * STEP_MS) * 1e6;
  const start = startMs * 1e6;
  const point = (value: number, attributes: KeyValue[] = []) => ({
    attributes,
    startTimeUnixNano: start,
    timeUnixNano: t + seed * 1e6,
    value,
    exemplars: [],
    flags: 0,
  });
  const sum = (name: string, unit: string, points: ReturnType<typeof point>[]): Metric => ({
    name,
    description: '',
    unit,
    data: { type: 'sum', dataPoints: points, aggregationTemporality: 2, isMonotonic: true },
  });
  const gauge = (name: string, unit: string, value: number): Metric => ({
    name,
    description: '',
    unit,
    data: { type: 'gauge', dataPoints: [point(value)] },
  });
  const wobble = Math.sin(step / 5 + seed) + 1.5;
  return {
    resourceMetrics: [
      {
        resource: resource(service),
        schemaUrl: '',
        scopeMetrics: [
          {
            scope: { name: 'host', version: '', attributes: [] },
            schemaUrl: '',
            metrics: [
              sum('process.cpu.time', 's', [
                point(step * 0.31 * wobble + seed, [str('cpu.mode', 'user')]),
                point(step * 0.07 * wobble, [str('cpu.mode', 'system')]),
              ]),
              gauge('process.memory.usage', '', 50e6 + step * 1e5 * wobble + seed),
              gauge('v8js.memory.heap.used', 'By', 20e6 + step * 7e4 + seed),
              sum('app.recommendations.counter', '', [
                point(step * 3 + seed, [str('recommendation.type', 'catalog')]),
                point(step * 2, [str('recommendation.type', 'related')]),
              ]),
            ],
          },
        ],
      },
    ],
  };
}

let spanNo = 0;
function spans(service: string, n: number, nowMs: number): TracesData {
  const list: Span[] = [];
  for (let i = 0; i < n; i++) {
    spanNo++;
    const duration = 1 + ((spanNo * 37) % 900);
    list.push({
      traceId: spanNo.toString(16).padStart(32, '0'),
      spanId: spanNo.toString(16).padStart(16, '0'),
      traceState: '',
      parentSpanId: '',
      flags: 1,
      name: i % 3 === 0 ? 'ListRecommendations' : 'GetProduct',
      kind: 2,
      startTimeUnixNano: (nowMs - duration) * 1e6,
      endTimeUnixNano: nowMs * 1e6,
      attributes: [],
      droppedAttributesCount: 0,
      events: [],
      droppedEventsCount: 0,
      links: [],
      droppedLinksCount: 0,
      status: { code: spanNo % 11 === 0 ? 2 : 0, message: '' },
    });
  }
  return {
    resourceSpans: [
      {
        resource: resource(service),
        schemaUrl: '',
        scopeSpans: [{ scope: { name: 's', version: '', attributes: [] }, spans: list, schemaUrl: '' }],
      },
    ],
  };
}

async function postOtlp(port: number, signal: 'traces' | 'metrics', body: Uint8Array): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/${signal}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body,
  });
  if (res.status !== 200) throw new Error(`OTLP ${signal}: HTTP ${res.status} ${await res.text()}`);
}

async function get(base: string, params: Record<string, string>): Promise<Answer> {
  const res = await fetch(`${base}/api/v1/query_range?${new URLSearchParams(params)}`);
  return { status: res.status, body: await res.text() };
}

const describePrometheus = describeNeeding([needPrometheus()]);

describePrometheus('remote write into a real Prometheus 2.42', () => {
  let prom: PrometheusProcess | undefined;
  let backend: Backend | undefined;
  let apiPort = 0;
  let startMs = 0;
  const consoleDir = mkdtempSync(path.join(tmpdir(), 'orrery-rw-'));

  beforeAll(async () => {
    prom = await startPrometheus();
    backend = createBackend({
      port: 0,
      otlpHttpPort: 0,
      otlpGrpcPort: 0,
      consoleDir,
      remoteWrite: { url: `${prom.url}/api/v1/write`, flushMs: 100 },
    });
    const { ports } = await backend.start();
    apiPort = ports.api;
    startMs = Math.floor((Date.now() - STEPS * STEP_MS) / STEP_MS) * STEP_MS;
    for (let step = 0; step < STEPS; step++)
      for (const [i, svc] of SERVICES.entries())
        await postOtlp(ports.otlpHttp, 'metrics', encodeMetricsRequest(metricsAt(svc, step, startMs, i)));
    // span metrics: a few flushes of the connector with spans in between, as its interval would
    for (let round = 0; round < 4; round++) {
      for (const svc of SERVICES)
        await postOtlp(ports.otlpHttp, 'traces', encodeTracesRequest(spans(svc, 30 + round * 5, Date.now())));
      backend.tick();
      await new Promise((r) => setTimeout(r, 250));
    }
    // everything sent: nothing pending, and the count stops moving
    const labels = { remote_name: new URL(prom.url).host, url: `${prom.url}/api/v1/write` };
    const m = backend.selfMetrics;
    for (let i = 0; i < 100; i++) {
      if (m.value('prometheus_remote_storage_samples_pending', labels) === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(m.value('prometheus_remote_storage_samples_pending', labels)).toBe(0);
    expect(m.value('prometheus_remote_storage_samples_failed_total', labels)).toBe(0);
    expect(m.value('prometheus_remote_storage_samples_total', labels)).toBeGreaterThan(1000);
  }, 120_000);

  afterAll(async () => {
    await backend?.stop();
    await prom?.stop();
    rmSync(consoleDir, { recursive: true, force: true });
  });

  it('every Demo Dashboard query gives the same answer from Orrery and from Prometheus', async () => {
    const queries = demoDashboardPromQL();
    expect(queries.length).toBeGreaterThanOrEqual(10);
    const params = (query: string) => ({
      query,
      start: String(startMs / 1000),
      end: String(Math.ceil(Date.now() / 1000) + 15),
      step: '15',
    });
    const differences: string[] = [];
    let nonEmpty = 0;
    for (const q of queries) {
      const [o, p] = await Promise.all([get(`http://127.0.0.1:${apiPort}`, params(q)), get(prom!.url, params(q))]);
      const diff = compareAnswers(o, p);
      if (diff) differences.push(`${q}: ${diff}`);
      const result = (JSON.parse(o.body) as { data?: { result?: unknown[] } }).data?.result ?? [];
      if (result.length > 0) nonEmpty++;
    }
    expect(differences).toEqual([]);
    expect(nonEmpty).toBe(queries.length); // every panel has data: the comparison is not of two empty answers
  });

  it('span metrics and self-metrics reached Prometheus too, series for series', async () => {
    for (const q of ['count(traces_span_metrics_calls_total)', 'count({job="orrery"})']) {
      const [o, p] = await Promise.all([
        get(`http://127.0.0.1:${apiPort}`, {
          query: q,
          start: String(startMs / 1000),
          end: String(Date.now() / 1000),
          step: '15',
        }),
        get(prom!.url, { query: q, start: String(startMs / 1000), end: String(Date.now() / 1000), step: '15' }),
      ]);
      expect(compareAnswers(o, p)).toBeUndefined();
    }
  });
});
