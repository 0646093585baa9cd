import * as grpc from '@grpc/grpc-js';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import protobuf from 'protobufjs';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { findAttribute } from '../otlp/model.js';
import { richLogs, richSpans, sdkMetrics, TRACE_ID } from '../otlp/testing/fixtures.js';
import { otlpRoot, TYPES } from '../otlp/testing/protobufjs-schema.js';
import { RefusedError } from '../consumer/consumer.js';
import { MemoryLimiter, type RequestAdmission } from '../pipeline/memory-limiter.js';
import { RETRY_INFO_TYPE_URL } from './grpc-status.js';
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

async function start(maxBodyBytes?: number, admission?: RequestAdmission) {
  const consumer = new RecordingConsumer();
  const observer = new CountingObserver();
  const receiver = createOtlpGrpcReceiver({
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes,
    admission,
    traces: consumer,
    metrics: consumer,
    logs: consumer,
    observer,
  });
  running.push(receiver);
  await receiver.start();
  const port = receiver.port;
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

// google.rpc.Status and RetryInfo as an independent decoder of grpc-status-details-bin.
const rpc = protobuf.Root.fromJSON({
  nested: {
    Any: { fields: { typeUrl: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
    Status: {
      fields: {
        code: { type: 'int32', id: 1 },
        message: { type: 'string', id: 2 },
        details: { type: 'Any', id: 3, rule: 'repeated' },
      },
    },
    Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
    RetryInfo: { fields: { retryDelay: { type: 'Duration', id: 1 } } },
  },
});

/** The status and retry delay (s) carried in grpc-status-details-bin, or undefined without them. */
function retryInfo(error: grpc.ServiceError | null | undefined) {
  const bin = error?.metadata.get('grpc-status-details-bin')[0];
  if (!(bin instanceof Buffer)) return undefined;
  const status = rpc.lookupType('Status').toObject(rpc.lookupType('Status').decode(bin), { longs: Number }) as {
    code: number;
    message: string;
    details: { typeUrl: string; value: Uint8Array }[];
  };
  const detail = status.details.find((d) => d.typeUrl === RETRY_INFO_TYPE_URL);
  if (!detail) return undefined;
  const info = rpc.lookupType('RetryInfo').toObject(rpc.lookupType('RetryInfo').decode(detail.value), {
    longs: Number,
    defaults: true,
  }) as { retryDelay: { seconds: number; nanos: number } };
  return { code: status.code, message: status.message, delay: info.retryDelay.seconds + info.retryDelay.nanos / 1e9 };
}

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

  it('UNAVAILABLE when the pipeline refuses (RefusedError), with RetryInfo', async () => {
    const { consumer, observer, address } = await start();
    consumer.refuseAll = new RefusedError('memory budget exceeded', 3);
    const { error } = await rawClient(address)('traces', spanRequest(TRACE_ID, '0102030405060708'));
    expect(error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(error?.details).toBe('memory budget exceeded');
    expect(error?.metadata.get('retry-after')).toEqual(['3']);
    expect(retryInfo(error)).toEqual({ code: grpc.status.UNAVAILABLE, message: 'memory budget exceeded', delay: 3 });
    expect(observer.get('refused', 'traces', 'grpc')).toBe(1);
    expect(consumer.traces).toHaveLength(0);
  });

  it('RESOURCE_EXHAUSTED with google.rpc.RetryInfo when the client sends too much', async () => {
    const { consumer, address } = await start();
    consumer.refuseAll = new RefusedError('slow down', 5, 'exhausted');
    const { error } = await rawClient(address)('traces', spanRequest(TRACE_ID, '0102030405060708'));
    expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(retryInfo(error)).toEqual({ code: grpc.status.RESOURCE_EXHAUSTED, message: 'slow down', delay: 5 });
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

describe('OTLP/gRPC receiver: memory', () => {
  it('over the memory limit, calls are refused before their message is read', async () => {
    let used = 0;
    const limiter = new MemoryLimiter({ limitBytes: 1000, softLimitBytes: 800, memoryUsed: () => used, now: () => 0 });
    const { consumer, address } = await start(undefined, limiter);
    const send = rawClient(address);
    used = 900;
    limiter.check();
    const soft = await send('traces', spanRequest(TRACE_ID, '0102030405060708'));
    expect(soft.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(retryInfo(soft.error)?.delay).toBeGreaterThan(0);
    used = 1100;
    limiter.check();
    const hard = await send('traces', spanRequest(TRACE_ID, '0102030405060708'));
    expect(hard.error?.code).toBe(grpc.status.UNAVAILABLE);
    used = 0;
    limiter.check();
    expect((await send('traces', spanRequest(TRACE_ID, '0102030405060708'))).error).toBeNull();
    expect(consumer.traces).toHaveLength(1);
    expect(limiter.inFlightBytes).toBe(0);
  });

  it('concurrent large messages on many connections hold at most the in-flight budget', async () => {
    const mib = 1024 * 1024;
    const budget = 8 * mib;
    const limiter = new MemoryLimiter({ limitBytes: 1e15, inFlightLimitBytes: budget, memoryUsed: () => 0 });
    const { consumer, address } = await start(4 * mib, limiter);
    const big = spanRequest(TRACE_ID, '0102030405060708', 'x'.repeat(3 * mib));
    // one client (and so one HTTP/2 connection) per call
    const results = await Promise.all(
      Array.from({ length: 24 }, () => rawClient(address)('traces', big).then((r) => r.error)),
    );
    expect(limiter.peakInFlightBytes).toBeLessThanOrEqual(budget);
    expect(limiter.inFlightBytes).toBe(0);
    const ok = results.filter((e) => e === null).length;
    const refused = results.filter((e) => e?.code === grpc.status.RESOURCE_EXHAUSTED);
    expect(ok + refused.length).toBe(24);
    expect(ok).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const e of refused) expect(retryInfo(e)?.delay).toBeGreaterThan(0);
    expect(consumer.traces).toHaveLength(ok);
  });
});
