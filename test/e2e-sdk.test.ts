// End to end through the real OpenTelemetry JS SDK, no build needed: the backend runs in-process
// on ephemeral ports; traces go in over OTLP http/protobuf, http/json and gRPC; they are found
// with Jaeger's search API by tag and read back whole; span metrics come out exact on /metrics and
// in the store; an SDK counter comes out under its Prometheus name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { createBackend, type Backend, type BackendPorts } from '../src/server/backend.js';

let backend: Backend;
let ports: BackendPorts;
let api: string;
const RUN = `run-${process.pid}-${Date.now()}`;

beforeAll(async () => {
  backend = createBackend({
    port: 0,
    otlpHttpPort: 0,
    otlpGrpcPort: 0,
    spanMetricsIntervalMs: 3_600_000, // flushed by hand with tick()
    consoleDir: mkdtempSync(path.join(tmpdir(), 'orrery-e2e-console-')),
  });
  ({ ports } = await backend.start());
  api = `http://127.0.0.1:${ports.api}`;
});

afterAll(async () => {
  await backend?.stop();
});

function provider(service: string, exporter: SpanExporter): BasicTracerProvider {
  return new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': service,
      'service.namespace': 'opentelemetry-demo',
      'service.instance.id': `${service}-1`,
      'deployment.environment': 'e2e',
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
}

/** A server span with a client child that fails; returns the trace id. */
function makeTrace(tracer: Tracer, transport: string): string {
  const parent = tracer.startSpan('GET /api/recommendations', {
    kind: SpanKind.SERVER,
    attributes: {
      'e2e.run': RUN,
      'e2e.transport': transport,
      'http.response.status_code': 200,
      'app.cache_hit': false,
      'app.ratio': 0.25,
    },
  });
  const ctx = parent.spanContext();
  const child = tracer.startSpan(
    'grpc.hipstershop.ProductCatalogService/ListProducts',
    { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'grpc', 'e2e.run': RUN } },
    trace.setSpan(context.active(), parent),
  );
  child.addEvent('exception', { 'exception.type': 'Error', 'exception.message': 'catalog unavailable' });
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'catalog unavailable' });
  child.end();
  parent.setStatus({ code: SpanStatusCode.OK });
  parent.end();
  return ctx.traceId;
}

interface JaegerKV {
  key: string;
  type: string;
  value: unknown;
}
interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; traceID: string; spanID: string }[];
  startTime: number;
  duration: number;
  tags: JaegerKV[];
  logs: { timestamp: number; fields: JaegerKV[] }[];
  processID: string;
}
interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: JaegerKV[] }>;
}

async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url);
  expect(r.status, url).toBe(200);
  return (await r.json()) as T;
}

const tag = (tags: JaegerKV[], key: string): unknown => tags.find((t) => t.key === key)?.value;

describe.each([
  ['http/protobuf', (p: BackendPorts) => new ProtoExporter({ url: `http://127.0.0.1:${p.otlpHttp}/v1/traces` })],
  ['http/json', (p: BackendPorts) => new JsonExporter({ url: `http://127.0.0.1:${p.otlpHttp}/v1/traces` })],
  ['grpc', (p: BackendPorts) => new GrpcExporter({ url: `http://127.0.0.1:${p.otlpGrpc}` })],
])('traces over %s', (transport, makeExporter) => {
  it('are searchable by tag and read back whole', async () => {
    const service = `e2e-${transport.replace('/', '-')}`;
    const tp = provider(service, makeExporter(ports));
    const traceId = makeTrace(tp.getTracer('e2e', '1.0.0'), transport);
    await tp.forceFlush();
    await tp.shutdown();

    const tags = encodeURIComponent(JSON.stringify({ 'e2e.run': RUN, 'e2e.transport': transport }));
    const found = await getJson<{ data: JaegerTrace[]; total: number; errors: unknown }>(
      `${api}/api/traces?service=${service}&tags=${tags}&lookback=1h&limit=20`,
    );
    expect(found.errors).toBeNull();
    expect(found.data.map((t) => t.traceID)).toEqual([traceId]);

    const { data } = await getJson<{ data: JaegerTrace[] }>(`${api}/api/traces/${traceId}`);
    const t = data[0]!;
    expect(t.spans).toHaveLength(2);
    const parent = t.spans.find((s) => s.operationName === 'GET /api/recommendations')!;
    const child = t.spans.find((s) => s.operationName === 'grpc.hipstershop.ProductCatalogService/ListProducts')!;
    expect(parent.references).toEqual([]);
    expect(child.references).toEqual([{ refType: 'CHILD_OF', traceID: traceId, spanID: parent.spanID }]);
    expect(tag(parent.tags, 'e2e.transport')).toBe(transport);
    expect(tag(parent.tags, 'http.response.status_code')).toBe(200);
    expect(tag(parent.tags, 'app.cache_hit')).toBe(false);
    expect(tag(parent.tags, 'app.ratio')).toBe(0.25);
    expect(tag(parent.tags, 'span.kind')).toBe('server');
    expect(tag(parent.tags, 'otel.status_code')).toBe('OK');
    expect(tag(parent.tags, 'otel.scope.name')).toBe('e2e');
    expect(tag(child.tags, 'span.kind')).toBe('client');
    expect(tag(child.tags, 'otel.status_code')).toBe('ERROR');
    expect(tag(child.tags, 'error')).toBe(true);
    expect(child.logs).toHaveLength(1);
    expect(tag(child.logs[0]!.fields, 'event')).toBe('exception');
    expect(tag(child.logs[0]!.fields, 'exception.message')).toBe('catalog unavailable');
    expect(child.startTime).toBeGreaterThanOrEqual(parent.startTime);
    const proc = t.processes[parent.processID]!;
    expect(proc.serviceName).toBe(service);
    expect(tag(proc.tags, 'service.namespace')).toBe('opentelemetry-demo');
    expect(tag(proc.tags, 'deployment.environment')).toBe('e2e');

    // Every transport is counted under the Collector's self-metric names.
    const metrics = await (await fetch(`${api}/metrics`)).text();
    const wire = transport === 'grpc' ? 'grpc' : 'http';
    expect(metrics).toMatch(
      new RegExp(`otelcol_receiver_accepted_spans_total\\{receiver="otlp",transport="${wire}"\\} [1-9]`),
    );
  });
});

describe('span metrics', () => {
  it('known spans give exact counts and buckets on /metrics and in the store', async () => {
    const service = 'e2e-spanmetrics';
    const tp = provider(service, new ProtoExporter({ url: `http://127.0.0.1:${ports.otlpHttp}/v1/traces` }));
    const tracer = tp.getTracer('e2e');
    const t0 = Date.now() - 60_000;
    // durations in ms: 1 → le 2; 3, 3 → le 4; 60 → le 100; 20000 → +Inf
    for (const ms of [1, 3, 3, 60, 20000]) {
      tracer.startSpan('ListRecommendations', { kind: SpanKind.SERVER, startTime: t0 }).end(t0 + ms);
    }
    tracer
      .startSpan('ListRecommendations', { kind: SpanKind.SERVER, startTime: t0 })
      .setStatus({ code: SpanStatusCode.ERROR })
      .end(t0 + 5);
    await tp.forceFlush();
    await tp.shutdown();

    const text = await (await fetch(`${api}/metrics`)).text();
    const lbl = `instance="${service}-1",job="opentelemetry-demo/${service}"`;
    const rest = `service_name="${service}",span_kind="SPAN_KIND_SERVER",span_name="ListRecommendations"`;
    expect(text).toContain(`traces_span_metrics_calls_total{${lbl},${rest},status_code="STATUS_CODE_UNSET"} 5\n`);
    expect(text).toContain(`traces_span_metrics_calls_total{${lbl},${rest},status_code="STATUS_CODE_ERROR"} 1\n`);
    const bucket = (le: string) => {
      const m = new RegExp(
        `traces_span_metrics_duration_milliseconds_bucket\\{${lbl},le="${le.replace('+', '\\+')}",${rest},status_code="STATUS_CODE_UNSET"\\} (\\S+)\\n`,
      ).exec(text);
      return m ? Number(m[1]) : undefined;
    };
    expect([
      bucket('2'),
      bucket('4'),
      bucket('6'),
      bucket('50'),
      bucket('100'),
      bucket('15000'),
      bucket('+Inf'),
    ]).toEqual([1, 3, 3, 3, 4, 4, 5]);
    expect(text).toContain(
      `traces_span_metrics_duration_milliseconds_sum{${lbl},${rest},status_code="STATUS_CODE_UNSET"} 20067\n`,
    );
    expect(text).toContain(
      `traces_span_metrics_duration_milliseconds_count{${lbl},${rest},status_code="STATUS_CODE_UNSET"} 5\n`,
    );

    // The same numbers reach the store through the metrics pipeline, with exemplars.
    backend.tick();
    const q = await getJson<{
      status: string;
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    }>(
      `${api}/api/v1/query?query=${encodeURIComponent(`sum by (status_code) (traces_span_metrics_calls_total{service_name="${service}"})`)}`,
    );
    const byStatus = Object.fromEntries(q.data.result.map((r) => [r.metric['status_code'], r.value[1]]));
    expect(byStatus).toEqual({ STATUS_CODE_UNSET: '5', STATUS_CODE_ERROR: '1' });
    const ex = await getJson<{
      data: { seriesLabels: Record<string, string>; exemplars: { labels: Record<string, string>; value: string }[] }[];
    }>(
      `${api}/api/v1/query_exemplars?query=${encodeURIComponent(`traces_span_metrics_duration_milliseconds_bucket{service_name="${service}",le="+Inf"}`)}&start=0&end=${Date.now() / 1000 + 60}`,
    );
    const inf = ex.data.find((d) => d.seriesLabels['status_code'] === 'STATUS_CODE_UNSET')!;
    expect(inf.exemplars[0]!.value).toBe('20000');
    expect(inf.exemplars[0]!.labels['trace_id']).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('self-metrics', () => {
  it('reach the store as a self-scrape with job="orrery", one series per transport', async () => {
    // This test sends its own spans over both transports, so it does not rely on the others.
    for (const exporter of [
      new ProtoExporter({ url: `http://127.0.0.1:${ports.otlpHttp}/v1/traces` }),
      new GrpcExporter({ url: `http://127.0.0.1:${ports.otlpGrpc}` }),
    ]) {
      const tp = provider('e2e-selfmetrics', exporter);
      tp.getTracer('e2e').startSpan('self-metrics').end();
      await tp.forceFlush();
      await tp.shutdown();
    }
    backend.tick();
    const self = await getJson<{ data: { result: { metric: Record<string, string>; value: [number, string] }[] } }>(
      `${api}/api/v1/query?query=${encodeURIComponent('otelcol_receiver_accepted_spans_total{job="orrery"}')}`,
    );
    expect(self.data.result.map((r) => r.metric['transport']).sort()).toEqual(['grpc', 'http']);
    for (const r of self.data.result) expect(Number(r.value[1]), r.metric['transport']).toBeGreaterThanOrEqual(1);
  });
});

describe('SDK metrics', () => {
  it('an SDK counter appears under its Prometheus name with job, instance and service_name', async () => {
    const exporter = new OTLPMetricExporter({ url: `http://127.0.0.1:${ports.otlpHttp}/v1/metrics` });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const mp = new MeterProvider({
      resource: resourceFromAttributes({
        'service.name': 'e2e-metrics',
        'service.namespace': 'opentelemetry-demo',
        'service.instance.id': 'e2e-metrics-1',
      }),
      readers: [reader],
    });
    const counter = mp.getMeter('e2e').createCounter('app_recommendations_counter');
    counter.add(3, { 'recommendation.type': 'catalog' });
    mp.getMeter('e2e').createHistogram('rpc.server.duration', { unit: 'ms' }).record(12);
    await mp.forceFlush();
    await mp.shutdown();
    const q = await getJson<{ data: { result: { metric: Record<string, string>; value: [number, string] }[] } }>(
      `${api}/api/v1/query?query=${encodeURIComponent('app_recommendations_counter_total')}`,
    );
    expect(q.data.result).toHaveLength(1);
    expect(q.data.result[0]!.metric).toEqual({
      __name__: 'app_recommendations_counter_total',
      job: 'opentelemetry-demo/e2e-metrics',
      instance: 'e2e-metrics-1',
      service_name: 'e2e-metrics',
      recommendation_type: 'catalog',
    });
    expect(q.data.result[0]!.value[1]).toBe('3');
    const h = await getJson<{ data: { result: unknown[] } }>(
      `${api}/api/v1/query?query=${encodeURIComponent('rpc_server_duration_milliseconds_count{service_name="e2e-metrics"}')}`,
    );
    expect(h.data.result).toHaveLength(1);
  });
});
