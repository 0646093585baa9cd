// End to end through the real OpenTelemetry JS logs SDK, no build needed: the backend runs
// in-process on ephemeral ports; log records go in over OTLP http/protobuf, http/json and gRPC
// from a span's context; they are found with LogQL through the Loki API by a line filter and by
// trace ID, with severity, body, attributes and resource intact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as GrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { createBackend, type Backend, type BackendPorts } from '../src/server/backend.js';
import { waitUntil } from './support/poll.js';

let backend: Backend;
let ports: BackendPorts;
let api: string;
const RUN = `run-${process.pid}-${Date.now()}`;

beforeAll(async () => {
  backend = createBackend({
    port: 0,
    otlpHttpPort: 0,
    otlpGrpcPort: 0,
    spanMetricsIntervalMs: 3_600_000,
    consoleDir: mkdtempSync(path.join(tmpdir(), 'orrery-e2e-logs-console-')),
  });
  ({ ports } = await backend.start());
  api = `http://127.0.0.1:${ports.api}`;
});

afterAll(async () => {
  await backend?.stop();
});

const exporters: Record<string, () => LogRecordExporter> = {
  'http/protobuf': () => new ProtoExporter({ url: `http://127.0.0.1:${ports.otlpHttp}/v1/logs` }),
  'http/json': () => new JsonExporter({ url: `http://127.0.0.1:${ports.otlpHttp}/v1/logs` }),
  grpc: () => new GrpcExporter({ url: `http://127.0.0.1:${ports.otlpGrpc}` }),
};

interface StreamsAnswer {
  status: string;
  data: {
    resultType: string;
    result: {
      stream: Record<string, string>;
      values: [string, string, { structuredMetadata?: Record<string, string> }?][];
    }[];
  };
}

async function logql(query: string, categorize = true): Promise<StreamsAnswer['data']['result']> {
  const now = Date.now() * 1e6;
  const params = new URLSearchParams({ query, start: String(now - 600e9), end: String(now + 60e9), limit: '100' });
  const res = await fetch(`${api}/loki/api/v1/query_range?${params}`, {
    headers: categorize ? { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' } : {},
  });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  const body = JSON.parse(text) as StreamsAnswer;
  expect(body.data.resultType).toBe('streams');
  return body.data.result;
}

describe.each(Object.keys(exporters))('logs over OTLP %s', (transport) => {
  const service = `e2e-logs-${transport.replace(/\W/g, '-')}`;
  let traceId = '';
  let spanId = '';

  beforeAll(async () => {
    const resource = resourceFromAttributes({
      'service.name': service,
      'service.namespace': 'opentelemetry-demo',
      'deployment.environment': 'e2e',
      'host.name': 'e2e-host',
    });
    const loggers = new LoggerProvider({
      resource,
      processors: [new SimpleLogRecordProcessor({ exporter: exporters[transport]!() })],
    });
    const tracer = new BasicTracerProvider({ resource }).getTracer('e2e');
    const logger = loggers.getLogger('e2e-logger', '1.2.3');
    const span = tracer.startSpan('ListRecommendations');
    traceId = span.spanContext().traceId;
    spanId = span.spanContext().spanId;
    // the span's context given explicitly: no context manager is registered in this process
    logger.emit({
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      body: `cache miss ${RUN}`,
      attributes: { 'app.products.count': 10, 'app.cache_hit': false, 'e2e.transport': transport },
      context: trace.setSpan(context.active(), span),
    });
    logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: `request handled ${RUN}` });
    span.end();
    await loggers.forceFlush();
    await loggers.shutdown();
    await waitUntil(
      `two records of ${service}`,
      async () => (await logql(`{service_name="${service}"}`)).flatMap((s) => s.values).length === 2,
      10_000,
    );
  });

  it('finds the record by a line filter, with severity, body, attributes and resource intact', async () => {
    const result = await logql(`{service_name="${service}"} |= "cache miss"`);
    expect(result).toHaveLength(1);
    expect(result[0]!.stream).toEqual({
      service_name: service,
      service_namespace: 'opentelemetry-demo',
      deployment_environment: 'e2e',
    });
    const [ts, line, extra] = result[0]!.values[0]!;
    expect(line).toBe(`cache miss ${RUN}`);
    expect(Math.abs(Number(BigInt(ts) / 1_000_000n) - Date.now())).toBeLessThan(120_000);
    expect(extra?.structuredMetadata).toMatchObject({
      severity_text: 'WARN',
      severity_number: String(SeverityNumber.WARN),
      detected_level: 'warn',
      app_products_count: '10',
      app_cache_hit: 'false',
      e2e_transport: transport,
      trace_id: traceId,
      span_id: spanId,
      scope_name: 'e2e-logger',
      scope_version: '1.2.3',
      host_name: 'e2e-host',
    });
  });

  it('finds the record by trace ID and by span ID, and not the one outside the span', async () => {
    const byTrace = await logql(`{service_namespace="opentelemetry-demo"} | trace_id="${traceId}"`);
    expect(byTrace.flatMap((s) => s.values.map((v) => v[1]))).toEqual([`cache miss ${RUN}`]);
    const bySpan = await logql(`{service_name="${service}"} | span_id="${spanId}"`);
    expect(bySpan.flatMap((s) => s.values.map((v) => v[1]))).toEqual([`cache miss ${RUN}`]);
    const levels = await logql(`{service_name="${service}"} | detected_level="info"`);
    expect(levels.flatMap((s) => s.values.map((v) => v[1]))).toEqual([`request handled ${RUN}`]);
  });
});

describe('the log store behind the API', () => {
  it('lists the SDK services as stream label values and counts the stored records', async () => {
    const res = await fetch(`${api}/loki/api/v1/label/service_name/values`);
    const body = (await res.json()) as { status: string; data: string[] };
    expect(body.data).toEqual(
      expect.arrayContaining(['e2e-logs-grpc', 'e2e-logs-http-json', 'e2e-logs-http-protobuf']),
    );
    const metrics = await (await fetch(`${api}/metrics`)).text();
    expect(metrics).toMatch(/^orrery_log_store_records 6$/m);
  });
});
