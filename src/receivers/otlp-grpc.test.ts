import * as grpc from '@grpc/grpc-js';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { findAttribute } from '../otlp/model.js';
import { richLogs, richSpans, sdkMetrics, TRACE_ID } from '../otlp/testing/fixtures.js';
import { otlpRoot, TYPES } from '../otlp/testing/protobufjs-schema.js';
import { RefusedError } from '../pipeline/consumer.js';
import { createOtlpGrpcReceiver, OTLP_GRPC_METHODS, type OtlpGrpcReceiver } from './otlp-grpc.js';
import type { ReceiverSignal } from './observer.js';
import { CountingObserver, RecordingConsumer } from './testing.js';

const TraceRequest = otlpRoot().lookupType(TYPES.traceRequest);

const running: OtlpGrpcReceiver[] = [];
const clients: grpc.Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

async function start(maxBodyBytes?: number) {
  const consumer = new RecordingConsumer();
  const observer = new CountingObserver();
  const receiver = createOtlpGrpcReceiver({
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes,
    traces: consumer,
    metrics: consumer,
    logs: consumer,
    observer,
  });
  running.push(receiver);
  const { port } = await receiver.start();
  expect(port).toBeGreaterThan(0);
  return { consumer, observer, port, address: `127.0.0.1:${port}` };
}

/** A raw client: sends bytes as they are, so malformed requests can be tried. */
function rawClient(address: string, options: grpc.ClientOptions = {}) {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), options);
  clients.push(client);
  return (signal: ReceiverSignal, body: Uint8Array) =>
    new Promise<{ error: grpc.ServiceError | null; response?: Buffer }>((resolve) => {
      client.makeUnaryRequest(
        OTLP_GRPC_METHODS[signal],
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from(body),
        (error, response) => resolve({ error, response }),
      );
    });
}

const spanRequest = (traceId: string, spanId: string, name = 'op') =>
  TraceRequest.encode(
    TraceRequest.fromObject({
      resourceSpans: [
        {
          scopeSpans: [{ spans: [{ traceId: Buffer.from(traceId, 'hex'), spanId: Buffer.from(spanId, 'hex'), name }] }],
        },
      ],
    }),
  ).finish();

describe('OTLP/gRPC receiver with the OpenTelemetry JS SDK', () => {
  it('receives spans from the grpc trace exporter intact', async () => {
    const { consumer, observer, port } = await start();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'recommendationservice' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${port}` }))],
    });
    const tracer = provider.getTracer('grpc-test', '1.0.0');
    const root = tracer.startSpan('grpc.hipstershop.RecommendationService/ListRecommendations', {
      kind: SpanKind.SERVER,
      attributes: { 'rpc.system': 'grpc', 'app.products.count': 5 },
    });
    root.addEvent('recommendations ready', { count: 5 });
    const child = tracer.startSpan('get_product_list', { kind: SpanKind.INTERNAL }, trace.setSpan(ROOT_CONTEXT, root));
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'cache miss storm' });
    child.end();
    root.setStatus({ code: SpanStatusCode.OK });
    root.end();
    await provider.forceFlush();
    await provider.shutdown();

    const spans = consumer.spans();
    expect(spans).toHaveLength(2);
    const r = spans.find((s) => s.spanId === root.spanContext().spanId)!;
    const c = spans.find((s) => s.spanId === child.spanContext().spanId)!;
    expect(r).toMatchObject({ traceId: root.spanContext().traceId, parentSpanId: '', kind: 2, status: { code: 1 } });
    expect(c).toMatchObject({ traceId: root.spanContext().traceId, parentSpanId: r.spanId, kind: 1 });
    expect(c.status).toEqual({ code: 2, message: 'cache miss storm' });
    expect(findAttribute(r.attributes, 'app.products.count')).toEqual({ kind: 'int', value: 5 });
    expect(r.events[0]).toMatchObject({
      name: 'recommendations ready',
      attributes: [{ key: 'count', value: { kind: 'int', value: 5 } }],
    });
    expect(findAttribute(consumer.traces[0]!.resourceSpans[0]!.resource.attributes, 'service.name')).toEqual({
      kind: 'string',
      value: 'recommendationservice',
    });
    expect(observer.get('accepted', 'traces', 'grpc')).toBe(2);
  });

  it('receives metrics from the grpc metric exporter', async () => {
    const { consumer, observer, port } = await start();
    const exporter = new OTLPMetricExporter({ url: `http://127.0.0.1:${port}` });
    const rm = await sdkMetrics();
    const result = await new Promise<ExportResult>((resolve) => exporter.export(rm, resolve));
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    const metrics = consumer.metrics[0]!.resourceMetrics[0]!.scopeMetrics[0]!.metrics;
    expect(metrics.find((m) => m.name === 'app.requests')!.data).toMatchObject({
      type: 'sum',
      dataPoints: [{ value: 5 }],
    });
    expect(metrics.find((m) => m.name === 'app.latency.exp')!.data.type).toBe('exponentialHistogram');
    expect(observer.get('accepted', 'metrics', 'grpc')).toBe(6);
  });

  it('accepts gzip-compressed messages and logs', async () => {
    const { consumer, address } = await start();
    const send = rawClient(address, { 'grpc.default_compression_algorithm': 2 /* gzip */ });
    const { error, response } = await send('logs', ProtobufLogsSerializer.serializeRequest(richLogs())!);
    expect(error).toBeNull();
    expect(response).toHaveLength(0);
    expect(consumer.logs[0]!.resourceLogs[0]!.scopeLogs[0]!.logRecords).toHaveLength(2);
  });
});

describe('OTLP/gRPC receiver: bad input', () => {
  it('INVALID_ARGUMENT with the decoder message for truncated protobuf', async () => {
    const { consumer, address } = await start();
    const bytes = ProtobufTraceSerializer.serializeRequest(richSpans())!;
    const { error } = await rawClient(address)('traces', bytes.subarray(0, bytes.length - 5));
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/^resourceSpans\[0\].*(truncated|overruns)/);
    expect(consumer.traces).toHaveLength(0);
  });

  it('INVALID_ARGUMENT for garbage bytes', async () => {
    const { consumer, address } = await start();
    const { error } = await rawClient(address)('metrics', Buffer.from('definitely not protobuf'));
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(consumer.metrics).toHaveLength(0);
  });

  it('INVALID_ARGUMENT naming the field for an ID of the wrong length', async () => {
    const { consumer, address } = await start();
    const { error } = await rawClient(address)('traces', spanRequest(TRACE_ID, '010203'));
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toBe('resourceSpans[0].scopeSpans[0].spans[0].spanId: expected 8 bytes, got 3');
    expect(consumer.traces).toHaveLength(0);
  });

  it('UNAVAILABLE when the pipeline refuses (RefusedError)', async () => {
    const { consumer, observer, address } = await start();
    consumer.refuseAll = new RefusedError('memory budget exceeded', 3);
    const { error } = await rawClient(address)('traces', spanRequest(TRACE_ID, '0102030405060708'));
    expect(error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(error?.details).toBe('memory budget exceeded');
    expect(error?.metadata.get('retry-after')).toEqual(['3']);
    expect(observer.get('refused', 'traces', 'grpc')).toBe(1);
    expect(consumer.traces).toHaveLength(0);
  });

  it('RESOURCE_EXHAUSTED for a message over the limit, and for gzip that inflates past it', async () => {
    const { consumer, address } = await start(64 * 1024);
    const big = spanRequest(TRACE_ID, '0102030405060708', 'x'.repeat(100 * 1024));
    const plain = await rawClient(address)('traces', big);
    expect(plain.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const zipped = await rawClient(address, { 'grpc.default_compression_algorithm': 2 })('traces', big);
    expect(zipped.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(consumer.traces).toHaveLength(0);
  });

  it('UNIMPLEMENTED for an unknown method', async () => {
    const { address } = await start();
    const client = new grpc.Client(address, grpc.credentials.createInsecure());
    clients.push(client);
    const error = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.makeUnaryRequest(
        '/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export',
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.alloc(0),
        (err) => resolve(err),
      ),
    );
    expect(error?.code).toBe(grpc.status.UNIMPLEMENTED);
  });

  it('concurrent good and bad calls: every span of every OK call arrives, nothing of a failed one', async () => {
    const { consumer, address } = await start(32 * 1024);
    consumer.refuseTraces = (batch) =>
      batch.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.name === 'refuse-me' ? new RefusedError('busy') : undefined;
    const send = rawClient(address);
    const hexOf = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0');
    const calls = Array.from({ length: 100 }, (_, i) => {
      const traceId = hexOf(i + 1, 16);
      const spanId = hexOf(i + 1, 8);
      let body: Uint8Array;
      switch (i % 5) {
        case 0:
          body = spanRequest(traceId, spanId);
          break;
        case 1:
          body = ProtobufTraceSerializer.serializeRequest(
            richSpans().map((s) => ({ ...s, spanContext: () => ({ ...s.spanContext(), traceId }) })),
          )!;
          break;
        case 2:
          body = spanRequest(traceId, '01');
          break;
        case 3:
          body = spanRequest(traceId, spanId, 'refuse-me');
          break;
        default:
          body = spanRequest(traceId, spanId, 'y'.repeat(40 * 1024));
      }
      return send('traces', body).then((r) => ({ i, traceId, code: r.error?.code ?? grpc.status.OK }));
    });
    const results = await Promise.all(calls);
    const codes = new Map<number, number>();
    for (const r of results) codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
    expect(Object.fromEntries(codes)).toEqual({
      [grpc.status.OK]: 40,
      [grpc.status.INVALID_ARGUMENT]: 20,
      [grpc.status.UNAVAILABLE]: 20,
      [grpc.status.RESOURCE_EXHAUSTED]: 20,
    });
    const received = new Map<string, number>();
    for (const s of consumer.spans()) received.set(s.traceId, (received.get(s.traceId) ?? 0) + 1);
    for (const r of results) {
      const expected = r.code === grpc.status.OK ? (r.i % 5 === 0 ? 1 : 2) : 0;
      expect(received.get(r.traceId) ?? 0).toBe(expected);
    }
  });
});
