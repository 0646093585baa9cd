import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPMetricExporter as HttpJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as HttpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { findAttribute } from '../otlp/model.js';
import { richLogs, richSpans, sdkMetrics, TRACE_ID } from '../otlp/testing/fixtures.js';
import { otlpRoot, TYPES } from '../otlp/testing/protobufjs-schema.js';
import { RefusedError } from '../consumer/consumer.js';
import { MemoryLimiter, type RequestAdmission } from '../pipeline/memory-limiter.js';
import { createOtlpHttpReceiver, type OtlpHttpReceiver } from './otlp-http.js';
import { CountingObserver, jsonSpanRequest, RecordingConsumer } from './testing.js';

const Status = otlpRoot().lookupType(TYPES.status);

const running: OtlpHttpReceiver[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

async function start(maxBodyBytes?: number, admission?: RequestAdmission) {
  const consumer = new RecordingConsumer();
  const observer = new CountingObserver();
  const receiver = createOtlpHttpReceiver({
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes,
    traces: consumer,
    metrics: consumer,
    logs: consumer,
    observer,
    admission,
  });
  running.push(receiver);
  await receiver.start();
  const port = receiver.port;
  return { consumer, observer, port, base: `http://127.0.0.1:${port}` };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A raw HTTP request (node:http, so the body can be streamed and framing controlled). */
function request(
  port: number,
  opts: {
    method?: string;
    path: string;
    headers?: Record<string, string | number>;
    body?: Uint8Array | string | (() => Iterable<Buffer>);
  },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'POST', path: opts.path, headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const body = opts.body;
    if (typeof body === 'function') {
      // stream chunk by chunk (chunked encoding), stopping once the server has answered
      let answered = false;
      req.once('response', () => (answered = true));
      const it = body()[Symbol.iterator]();
      const pump = (): void => {
        for (;;) {
          if (answered) return void req.end();
          const next = it.next();
          if (next.done) return void req.end();
          if (!req.write(next.value)) return void req.once('drain', pump);
        }
      };
      pump();
    } else req.end(body);
  });
}

const protobuf = { 'Content-Type': 'application/x-protobuf' };
const json = { 'Content-Type': 'application/json' };

function jsonStatus(reply: Reply): { code: number; message: string } {
  expect(reply.headers['content-type']).toBe('application/json');
  return JSON.parse(reply.body.toString()) as { code: number; message: string };
}

function protoStatus(reply: Reply): { code: number; message: string } {
  expect(reply.headers['content-type']).toBe('application/x-protobuf');
  return Status.toObject(Status.decode(reply.body), { defaults: true }) as { code: number; message: string };
}

function exportSpans(exporter: SpanExporter): Promise<{ root: string; child: string; traceId: string }> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'cartservice', 'service.instance.id': 'cartservice-1' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('orrery-receiver-test', '0.0.1');
  const root = tracer.startSpan('GET /api/cart', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.method': 'GET',
      'http.status_code': 200,
      'app.ratio': 0.5,
      'app.ok': true,
      'app.tags': ['a', 'b'],
    },
    links: [
      { context: { traceId: TRACE_ID, spanId: '00f067aa0ba902b7', traceFlags: 1 }, attributes: { why: 'batch' } },
    ],
  });
  root.addEvent('cache miss', { 'cache.key': 'cart:42' });
  const child = tracer.startSpan('HGET', { kind: SpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, root));
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'redis timeout' });
  child.end();
  root.end();
  return provider
    .forceFlush()
    .then(() => provider.shutdown())
    .then(() => ({
      root: root.spanContext().spanId,
      child: child.spanContext().spanId,
      traceId: root.spanContext().traceId,
    }));
}

async function checkSdkSpans(consumer: RecordingConsumer, ids: { root: string; child: string; traceId: string }) {
  const spans = consumer.spans();
  expect(spans).toHaveLength(2);
  const root = spans.find((s) => s.spanId === ids.root)!;
  const child = spans.find((s) => s.spanId === ids.child)!;
  expect(root).toMatchObject({ traceId: ids.traceId, parentSpanId: '', name: 'GET /api/cart', kind: 2 });
  expect(child).toMatchObject({ traceId: ids.traceId, parentSpanId: ids.root, name: 'HGET', kind: 3 });
  expect(child.status).toEqual({ code: 2, message: 'redis timeout' });
  expect(findAttribute(root.attributes, 'http.status_code')).toEqual({ kind: 'int', value: 200 });
  expect(findAttribute(root.attributes, 'app.ratio')).toEqual({ kind: 'double', value: 0.5 });
  expect(findAttribute(root.attributes, 'app.ok')).toEqual({ kind: 'bool', value: true });
  expect(findAttribute(root.attributes, 'app.tags')).toEqual({
    kind: 'array',
    value: [
      { kind: 'string', value: 'a' },
      { kind: 'string', value: 'b' },
    ],
  });
  expect(root.events).toMatchObject([
    { name: 'cache miss', attributes: [{ key: 'cache.key', value: { kind: 'string', value: 'cart:42' } }] },
  ]);
  expect(root.links).toMatchObject([{ traceId: TRACE_ID, spanId: '00f067aa0ba902b7' }]);
  expect(root.endTimeUnixNano).toBeGreaterThanOrEqual(root.startTimeUnixNano);
  const resource = consumer.traces[0]!.resourceSpans[0]!.resource;
  expect(findAttribute(resource.attributes, 'service.name')).toEqual({ kind: 'string', value: 'cartservice' });
  expect(consumer.traces[0]!.resourceSpans[0]!.scopeSpans[0]!.scope).toMatchObject({
    name: 'orrery-receiver-test',
    version: '0.0.1',
  });
}

function exportMetrics(
  exporter: PushMetricExporter,
  rm: Awaited<ReturnType<typeof sdkMetrics>>,
): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(rm, resolve));
}

describe('OTLP/HTTP receiver with the OpenTelemetry JS SDK', () => {
  for (const [name, make] of [
    ['http/protobuf', (url: string) => new ProtoTraceExporter({ url })],
    ['http/protobuf + gzip', (url: string) => new ProtoTraceExporter({ url, compression: CompressionAlgorithm.GZIP })],
    ['http/json', (url: string) => new HttpJsonTraceExporter({ url })],
    ['http/json + gzip', (url: string) => new HttpJsonTraceExporter({ url, compression: CompressionAlgorithm.GZIP })],
  ] as const) {
    it(`receives spans from the ${name} trace exporter intact`, async () => {
      const { consumer, observer, base } = await start();
      const exporter = make(`${base}/v1/traces`);
      const ids = await exportSpans(exporter);
      await checkSdkSpans(consumer, ids);
      expect(observer.get('accepted', 'traces', 'http')).toBe(2);
    });
  }

  for (const [name, make] of [
    ['http/protobuf', (url: string) => new ProtoMetricExporter({ url })],
    ['http/json', (url: string) => new HttpJsonMetricExporter({ url })],
  ] as const) {
    it(`receives metrics from the ${name} metric exporter`, async () => {
      const { consumer, observer, base } = await start();
      const rm = await sdkMetrics();
      const exporter = make(`${base}/v1/metrics`);
      const result = await exportMetrics(exporter, rm);
      await exporter.shutdown();
      expect(result.code).toBe(ExportResultCode.SUCCESS);
      const metrics = consumer.metrics[0]!.resourceMetrics[0]!.scopeMetrics[0]!.metrics;
      expect(metrics.map((m) => `${m.name}:${m.data.type}`).sort()).toEqual([
        'app.bytes:sum',
        'app.inflight:sum',
        'app.latency.exp:exponentialHistogram',
        'app.latency:histogram',
        'app.requests:sum',
        'app.temperature:gauge',
      ]);
      expect(metrics.find((m) => m.name === 'app.latency')!.data).toMatchObject({
        dataPoints: [{ count: 5, bucketCounts: [1, 2, 1, 1], explicitBounds: [1, 10, 100] }],
      });
      expect(observer.get('accepted', 'metrics', 'http')).toBe(6);
    });
  }

  it('retries after a 503 with Retry-After and then delivers', async () => {
    const { consumer, observer, base } = await start();
    let refusals = 1;
    consumer.refuseTraces = () => (refusals-- > 0 ? new RefusedError('over the memory budget', 1) : undefined);
    const ids = await exportSpans(new ProtoTraceExporter({ url: `${base}/v1/traces` }));
    await checkSdkSpans(consumer, ids);
    expect(observer.get('refused', 'traces', 'http')).toBeGreaterThanOrEqual(1);
  });
});

describe('OTLP/HTTP receiver: requests and answers', () => {
  it('answers success with an empty Export*ServiceResponse in the request encoding', async () => {
    const { consumer, port } = await start();
    const pb = await request(port, {
      path: '/v1/traces',
      headers: protobuf,
      body: ProtobufTraceSerializer.serializeRequest(richSpans())!,
    });
    expect(pb.status).toBe(200);
    expect(pb.headers['content-type']).toBe('application/x-protobuf');
    expect(pb.body).toHaveLength(0);
    const js = await request(port, {
      path: '/v1/traces',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: jsonSpanRequest(TRACE_ID, '0102030405060708'),
    });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('application/json');
    expect(JSON.parse(js.body.toString())).toEqual({});
    expect(consumer.spans()).toHaveLength(3);
  });

  it('partial success: spans with all-zero IDs are rejected and counted, the others kept', async () => {
    const { consumer, observer, port } = await start();
    const spans = (...ids: [string, string][]) =>
      JSON.stringify({
        resourceSpans: [
          { scopeSpans: [{ spans: ids.map(([traceId, spanId]) => ({ traceId, spanId, name: 'op', kind: 2 })) }] },
        ],
      });
    const zeroTrace = '0'.repeat(32);
    const zeroSpan = '0'.repeat(16);
    const mixed = await request(port, {
      path: '/v1/traces',
      headers: { 'Content-Type': 'application/json' },
      body: spans([zeroTrace, '0102030405060708'], [TRACE_ID, '0102030405060708'], [TRACE_ID, zeroSpan]),
    });
    expect(mixed.status).toBe(200);
    expect(JSON.parse(mixed.body.toString())).toEqual({
      partialSuccess: {
        rejectedSpans: '2',
        errorMessage: '1 invalid (trace ID all zeros); 1 invalid (span ID all zeros)',
      },
    });
    expect(consumer.spans().map((s) => s.spanId)).toEqual(['0102030405060708']);
    expect(observer.get('accepted', 'traces', 'http')).toBe(1);
    expect(observer.get('refused', 'traces', 'http')).toBe(2);

    const allInvalid = await request(port, {
      path: '/v1/traces',
      headers: { 'Content-Type': 'application/json' },
      body: spans([zeroTrace, zeroSpan]),
    });
    expect(JSON.parse(allInvalid.body.toString())).toMatchObject({ partialSuccess: { rejectedSpans: '1' } });
    expect(consumer.traces).toHaveLength(1);
  });

  it('partial success: invalid UTF-8 is replaced with U+FFFD, the span kept and the message says so', async () => {
    const { consumer, port } = await start();
    const TraceRequest = otlpRoot().lookupType(TYPES.traceRequest);
    const TraceResponse = otlpRoot().lookupType(TYPES.traceResponse);
    const valid = TraceRequest.encode(
      TraceRequest.fromObject({
        resourceSpans: [
          {
            scopeSpans: [
              { spans: [{ traceId: Buffer.from(TRACE_ID, 'hex'), spanId: Buffer.alloc(8, 1), name: 'ab' }] },
            ],
          },
        ],
      }),
    ).finish();
    // the name "ab" is the last field of every enclosing message: turn its "b" into a lone 0xff
    const body = Buffer.from(valid);
    body[body.length - 1] = 0xff;
    const reply = await request(port, { path: '/v1/traces', headers: protobuf, body });
    expect(reply.status).toBe(200);
    expect(TraceResponse.toObject(TraceResponse.decode(reply.body))).toEqual({
      partialSuccess: { errorMessage: '1 string with invalid UTF-8 replaced by U+FFFD (spans kept, altered)' },
    });
    expect(consumer.spans().map((s) => s.name)).toEqual(['a\ufffd']);
  });

  it('partial success: an OTLP/JSON body with invalid UTF-8 is kept with U+FFFD and the message says so', async () => {
    const { consumer, port } = await start();
    const text = JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE_ID, spanId: '0101010101010101', name: 'aX' }] }] }],
    });
    const body = Buffer.from(text, 'utf8');
    body[text.indexOf('aX') + 1] = 0xff; // "X" becomes a lone continuation-less byte
    const reply = await request(port, { path: '/v1/traces', headers: { 'Content-Type': 'application/json' }, body });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body.toString())).toEqual({
      partialSuccess: { errorMessage: 'invalid UTF-8 in the request body replaced by U+FFFD (spans kept, altered)' },
    });
    expect(consumer.spans().map((s) => s.name)).toEqual(['a\ufffd']);
  });

  it('accepts logs, and deflate as well as gzip', async () => {
    const { consumer, port, observer } = await start();
    const body = ProtobufLogsSerializer.serializeRequest(richLogs())!;
    const reply = await request(port, {
      path: '/v1/logs',
      headers: { ...protobuf, 'Content-Encoding': 'deflate' },
      body: zlib.deflateSync(body),
    });
    expect(reply.status).toBe(200);
    expect(consumer.logs[0]!.resourceLogs[0]!.scopeLogs[0]!.logRecords).toHaveLength(2);
    expect(observer.get('accepted', 'logs', 'http')).toBe(2);
  });

  it('400: truncated protobuf, with the decoder message as a protobuf google.rpc.Status', async () => {
    const { consumer, port } = await start();
    const bytes = ProtobufTraceSerializer.serializeRequest(richSpans())!;
    const reply = await request(port, {
      path: '/v1/traces',
      headers: protobuf,
      body: bytes.subarray(0, bytes.length - 7),
    });
    expect(reply.status).toBe(400);
    const status = protoStatus(reply);
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/^resourceSpans\[0\].*(truncated|overruns)/);
    expect(consumer.traces).toHaveLength(0);
  });

  it('400: garbage bytes', async () => {
    const { consumer, port } = await start();
    const reply = await request(port, {
      path: '/v1/metrics',
      headers: protobuf,
      body: Buffer.from('GET / HTTP/1.1\r\n\r\n'),
    });
    expect(reply.status).toBe(400);
    expect(protoStatus(reply).message).toMatch(/wire type|truncated|field/);
    expect(consumer.metrics).toHaveLength(0);
  });

  it('400: JSON with wrong types, as a JSON google.rpc.Status naming the path', async () => {
    const { consumer, port } = await start();
    const body = JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE_ID, spanId: '0102030405060708', name: 42 }] }] }],
    });
    const reply = await request(port, { path: '/v1/traces', headers: json, body });
    expect(reply.status).toBe(400);
    expect(jsonStatus(reply)).toEqual({
      code: 3,
      message: 'resourceSpans[0].scopeSpans[0].spans[0].name: expected a string, got a number',
    });
    expect(consumer.traces).toHaveLength(0);
  });

  it('400: IDs of the wrong length', async () => {
    const { consumer, port } = await start();
    const reply = await request(port, {
      path: '/v1/traces',
      headers: json,
      body: jsonSpanRequest('abcd', '0102030405060708'),
    });
    expect(reply.status).toBe(400);
    expect(jsonStatus(reply).message).toBe(
      'resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 32 hex characters',
    );
    expect(consumer.traces).toHaveLength(0);
  });

  it('400: malformed JSON and broken gzip', async () => {
    const { port } = await start();
    const bad = await request(port, { path: '/v1/logs', headers: json, body: '{"resourceLogs": [' });
    expect(bad.status).toBe(400);
    expect(jsonStatus(bad).message).toMatch(/^invalid JSON/);
    const gz = await request(port, {
      path: '/v1/logs',
      headers: { ...json, 'Content-Encoding': 'gzip' },
      body: 'not gzip',
    });
    expect(gz.status).toBe(400);
    expect(jsonStatus(gz).message).toMatch(/invalid gzip body/);
  });

  it('415: unknown content type, and unknown content encoding', async () => {
    const { consumer, port } = await start();
    const reply = await request(port, { path: '/v1/traces', headers: { 'Content-Type': 'text/plain' }, body: 'hello' });
    expect(reply.status).toBe(415);
    expect(jsonStatus(reply).message).toMatch(/unsupported content type "text\/plain"/);
    const none = await request(port, { path: '/v1/traces', body: 'hello' });
    expect(none.status).toBe(415);
    const br = await request(port, { path: '/v1/traces', headers: { ...json, 'Content-Encoding': 'br' }, body: 'x' });
    expect(br.status).toBe(415);
    expect(jsonStatus(br).message).toMatch(/content encoding "br"/);
    expect(consumer.traces).toHaveLength(0);
  });

  it('413: body over the limit, declared by Content-Length', async () => {
    const { consumer, port } = await start(64 * 1024);
    const reply = await request(port, { path: '/v1/traces', headers: protobuf, body: Buffer.alloc(200 * 1024, 0x0a) });
    expect(reply.status).toBe(413);
    expect(protoStatus(reply).message).toMatch(/exceeds the limit of 65536 bytes/);
    expect(consumer.traces).toHaveLength(0);
  });

  it('413: chunked body over the limit is refused while streaming, without reading it all', async () => {
    const { consumer, port } = await start(64 * 1024);
    let sent = 0;
    function* chunks(): Iterable<Buffer> {
      for (let i = 0; i < 100_000; i++) {
        sent += 16 * 1024;
        yield Buffer.alloc(16 * 1024, 0x0a);
      }
    }
    const reply = await request(port, { path: '/v1/traces', headers: protobuf, body: chunks });
    expect(reply.status).toBe(413);
    expect(sent).toBeLessThan(100_000 * 16 * 1024); // the client stopped long before its 1.6 GB
    expect(consumer.traces).toHaveLength(0);
  });

  it('413: gzip that expands past the limit (a gzip bomb) is stopped while inflating', async () => {
    const { consumer, port } = await start(1024 * 1024);
    // gzip members may be concatenated: 64 members of 1 MiB of zeros each, about 64 KB on the wire
    const member = zlib.gzipSync(Buffer.alloc(1024 * 1024), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 64 }, () => member));
    expect(bomb.length).toBeLessThan(256 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    const reply = await request(port, {
      path: '/v1/traces',
      headers: { ...protobuf, 'Content-Encoding': 'gzip' },
      body: bomb,
    });
    expect(reply.status).toBe(413);
    expect(protoStatus(reply).message).toMatch(/after decompression exceeds the limit of 1048576 bytes/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    expect(consumer.traces).toHaveLength(0);
  });

  it('503 with Retry-After when the pipeline refuses (RefusedError), nothing kept', async () => {
    const { consumer, port, observer } = await start();
    consumer.refuseAll = new RefusedError('memory budget exceeded', 7);
    const reply = await request(port, {
      path: '/v1/traces',
      headers: json,
      body: jsonSpanRequest(TRACE_ID, '0102030405060708'),
    });
    expect(reply.status).toBe(503);
    expect(reply.headers['retry-after']).toBe('7');
    expect(jsonStatus(reply)).toEqual({ code: 14, message: 'memory budget exceeded' });
    const pb = await request(port, { path: '/v1/metrics', headers: protobuf, body: new Uint8Array(0) });
    expect(pb.status).toBe(200); // an empty request never reaches the pipeline
    expect(observer.get('refused', 'traces', 'http')).toBe(1);
    expect(observer.get('accepted', 'traces', 'http')).toBe(0);
    expect(consumer.traces).toHaveLength(0);
  });

  it('500 when a consumer fails unexpectedly', async () => {
    const { consumer, port } = await start();
    consumer.refuseTraces = () => {
      throw new Error('disk on fire');
    };
    const reply = await request(port, {
      path: '/v1/traces',
      headers: json,
      body: jsonSpanRequest(TRACE_ID, '0102030405060708'),
    });
    expect(reply.status).toBe(500);
    expect(jsonStatus(reply).message).toMatch(/disk on fire/);
  });

  it('404 for an unknown path, 405 for a wrong method', async () => {
    const { port } = await start();
    const nf = await request(port, { path: '/v1/profiles', headers: json, body: '{}' });
    expect(nf.status).toBe(404);
    const get = await request(port, { method: 'GET', path: '/v1/traces' });
    expect(get.status).toBe(405);
    expect(get.headers['allow']).toBe('POST, OPTIONS');
  });

  it('CORS: answers preflight and marks responses for the calling origin', async () => {
    const { port } = await start();
    const pre = await request(port, {
      method: 'OPTIONS',
      path: '/v1/traces',
      headers: {
        Origin: 'http://localhost:5173',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-custom',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(pre.headers['access-control-allow-methods']).toContain('POST');
    // Only the headers OTLP needs (plus configured ones), never whatever the caller asks for.
    expect(pre.headers['access-control-allow-headers']).toBe('Content-Type, Content-Encoding');
    const post = await request(port, {
      path: '/v1/traces',
      headers: { ...json, Origin: 'http://localhost:5173' },
      body: jsonSpanRequest(TRACE_ID, '0102030405060708'),
    });
    expect(post.status).toBe(200);
    expect(post.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    const plain = await request(port, { path: '/v1/traces', headers: { 'Content-Type': 'x' }, body: 'x' });
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('survives a client that disconnects mid-body, keeping nothing of it', async () => {
    const { consumer, port } = await start();
    const bytes = Buffer.from(ProtobufTraceSerializer.serializeRequest(richSpans())!);
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/traces',
        headers: { ...protobuf, 'Content-Length': bytes.length },
      });
      req.on('error', () => resolve());
      req.write(bytes.subarray(0, 100), () => setTimeout(() => req.destroy(), 50));
      req.on('close', () => resolve());
    });
    await new Promise((r) => setTimeout(r, 100));
    const after = await request(port, { path: '/v1/traces', headers: protobuf, body: bytes });
    expect(after.status).toBe(200);
    expect(consumer.traces).toHaveLength(1);
  });

  it('concurrent good and bad requests: every span of every 200 arrives, nothing of a rejected one', async () => {
    const { consumer, port } = await start(32 * 1024);
    consumer.refuseTraces = (batch) =>
      batch.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.name === 'refuse-me' ? new RefusedError('busy') : undefined;
    const hexOf = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0');
    const jobs: Promise<{ traceId: string; status: number }>[] = [];
    for (let i = 0; i < 120; i++) {
      const traceId = hexOf(i + 1, 16);
      const spanId = hexOf(i + 1, 8);
      let send: Promise<Reply>;
      switch (i % 6) {
        case 0: // good JSON
          send = request(port, { path: '/v1/traces', headers: json, body: jsonSpanRequest(traceId, spanId) });
          break;
        case 1: {
          // good protobuf, gzip, several spans
          const spans = richSpans().map((s) => ({ ...s, spanContext: () => ({ ...s.spanContext(), traceId }) }));
          const body = zlib.gzipSync(ProtobufTraceSerializer.serializeRequest(spans)!);
          send = request(port, { path: '/v1/traces', headers: { ...protobuf, 'Content-Encoding': 'gzip' }, body });
          break;
        }
        case 2: // bad span ID in the last span of the request
          send = request(port, {
            path: '/v1/traces',
            headers: json,
            body: JSON.stringify({
              resourceSpans: [
                {
                  scopeSpans: [
                    {
                      spans: [
                        JSON.parse(jsonSpanRequest(traceId, spanId)).resourceSpans[0].scopeSpans[0].spans[0],
                        { traceId, spanId: 'x' },
                      ],
                    },
                  ],
                },
              ],
            }),
          });
          break;
        case 3: {
          // truncated protobuf carrying this trace ID
          const spans = richSpans().map((s) => ({ ...s, spanContext: () => ({ ...s.spanContext(), traceId }) }));
          const bytes = ProtobufTraceSerializer.serializeRequest(spans)!;
          send = request(port, { path: '/v1/traces', headers: protobuf, body: bytes.subarray(0, bytes.length - 3) });
          break;
        }
        case 4: // refused by the pipeline
          send = request(port, {
            path: '/v1/traces',
            headers: json,
            body: jsonSpanRequest(traceId, spanId, 'refuse-me'),
          });
          break;
        default: {
          // over the size limit once inflated
          const big = jsonSpanRequest(traceId, spanId, 'x'.repeat(64 * 1024));
          send = request(port, {
            path: '/v1/traces',
            headers: { ...json, 'Content-Encoding': 'gzip' },
            body: zlib.gzipSync(big),
          });
        }
      }
      jobs.push(send.then((r) => ({ traceId, status: r.status })));
    }
    const results = await Promise.all(jobs);
    const byStatus = new Map<number, number>();
    for (const r of results) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    expect(Object.fromEntries(byStatus)).toEqual({ 200: 40, 400: 40, 503: 20, 413: 20 });
    const received = new Map<string, number>();
    for (const s of consumer.spans()) received.set(s.traceId, (received.get(s.traceId) ?? 0) + 1);
    for (const [i, r] of results.entries()) {
      const expected = r.status === 200 ? (i % 6 === 0 ? 1 : 2) : 0;
      expect(received.get(r.traceId) ?? 0).toBe(expected);
    }
  });
});

/** A request with a keep-alive agent; resolves with the reply or the socket error's code. */
function agentRequest(
  agent: http.Agent,
  port: number,
  headers: Record<string, string | number>,
  body: Uint8Array | string,
): Promise<Reply | { error: string }> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end(body);
  });
}

/**
 * Opens a raw socket and sends the head of a POST declaring `declared` bytes and then `sent` of
 * them, and no more. Resolves with the status line once the server answers (or '' if it does not
 * within the test); `socket` can be destroyed later.
 */
function unfinishedUpload(port: number, declared: number, sent: number, chunk: Buffer) {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  let answer = '';
  const answered = new Promise<string>((resolve) => {
    socket.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
      if (answer.includes('\r\n\r\n')) resolve(answer);
    });
    socket.on('close', () => resolve(answer));
  });
  socket.write(
    `POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${declared}\r\n\r\n`,
  );
  for (let n = 0; n < sent; n += chunk.length) socket.write(chunk.subarray(0, Math.min(chunk.length, sent - n)));
  return { socket, answered };
}

describe('OTLP/HTTP receiver: refusals and memory', () => {
  it("413 closes the connection cleanly: a keep-alive client's next request succeeds", async () => {
    const { consumer, port } = await start(64 * 1024);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let round = 0; round < 5; round++) {
        const big = await agentRequest(agent, port, protobuf, Buffer.alloc(200 * 1024, 0x0a));
        expect(big).toMatchObject({ status: 413, headers: { connection: 'close' } });
        const next = await agentRequest(agent, port, json, jsonSpanRequest(TRACE_ID, '0102030405060708'));
        expect(next).toMatchObject({ status: 200 });
      }
      expect(consumer.traces).toHaveLength(5);
    } finally {
      agent.destroy();
    }
  });

  it('429 with Retry-After and RESOURCE_EXHAUSTED when the client sends too much, 503 when unhealthy', async () => {
    const { consumer, port, observer } = await start();
    consumer.refuseAll = new RefusedError('slow down', 4, 'exhausted');
    const body = jsonSpanRequest(TRACE_ID, '0102030405060708');
    const exhausted = await request(port, { path: '/v1/traces', headers: json, body });
    expect(exhausted.status).toBe(429);
    expect(exhausted.headers['retry-after']).toBe('4');
    expect(jsonStatus(exhausted)).toEqual({ code: 8, message: 'slow down' });
    consumer.refuseAll = new RefusedError('unwell', 2, 'unavailable');
    const pb = Buffer.from(ProtobufTraceSerializer.serializeRequest(richSpans())!);
    const unavailable = await request(port, { path: '/v1/traces', headers: protobuf, body: pb });
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers['retry-after']).toBe('2');
    expect(protoStatus(unavailable)).toMatchObject({ code: 14, message: 'unwell' });
    expect(observer.get('refused', 'traces', 'http')).toBe(1 + richSpans().length);
  });

  it('over the memory limit, requests are refused before their body is read (soft: 429, hard: 503)', async () => {
    let used = 0;
    const limiter = new MemoryLimiter({ limitBytes: 1000, softLimitBytes: 800, memoryUsed: () => used, now: () => 0 });
    const { consumer, port } = await start(undefined, limiter);
    const body = jsonSpanRequest(TRACE_ID, '0102030405060708');
    used = 900;
    limiter.check();
    const soft = await request(port, { path: '/v1/traces', headers: json, body });
    expect(soft.status).toBe(429);
    expect(Number(soft.headers['retry-after'])).toBeGreaterThan(0);
    used = 1100;
    limiter.check();
    const hard = await request(port, { path: '/v1/traces', headers: json, body });
    expect(hard.status).toBe(503);
    used = 10;
    limiter.check();
    expect((await request(port, { path: '/v1/traces', headers: json, body })).status).toBe(200);
    expect(consumer.traces).toHaveLength(1);
    expect(limiter.refusedRequests).toEqual({ exhausted: 1, unavailable: 1 });
  });

  it('many slow unfinished bodies hold at most the in-flight budget; the rest get 429, and aborts give it back', async () => {
    const budget = 4 * 1024 * 1024;
    const limiter = new MemoryLimiter({ limitBytes: 1e15, inFlightLimitBytes: budget, memoryUsed: () => 0 });
    const { consumer, port } = await start(16 * 1024 * 1024, limiter);
    const chunk = Buffer.alloc(256 * 1024, 0x0a); // one buffer for every client: the client side stays small
    const uploads = Array.from({ length: 30 }, () => unfinishedUpload(port, 15 * 1024 * 1024, 1024 * 1024, chunk));
    const answers: string[] = [];
    for (const u of uploads) void u.answered.then((a) => answers.push(a));
    // Each upload sends 1 MiB and stalls: it is either held whole (no answer, it is unfinished) or
    // refused with 429 (and its bytes given back). Wait until every one is one or the other.
    const mib = 1024 * 1024;
    const deadline = Date.now() + 10_000;
    while (answers.length + limiter.inFlightBytes / mib < 30 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(limiter.peakInFlightBytes).toBeLessThanOrEqual(budget);
    expect(limiter.inFlightBytes).toBe(4 * mib); // four uploads fit in the budget and are held
    expect(answers).toHaveLength(26);
    for (const a of answers) {
      expect(a).toMatch(/^HTTP\/1\.1 429 /);
      expect(a).toMatch(/\r\nRetry-After: \d+\r\n/i);
      expect(a).toMatch(/\r\nConnection: close\r\n/i);
    }

    const body = jsonSpanRequest(TRACE_ID, '0102030405060708');
    const meanwhile = await request(port, { path: '/v1/traces', headers: json, body });
    expect(meanwhile.status).toBe(429);
    expect(meanwhile.headers['retry-after']).toBeDefined();

    for (const u of uploads) u.socket.destroy();
    const until = Date.now() + 5000;
    while (limiter.inFlightBytes > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(limiter.inFlightBytes).toBe(0);
    expect((await request(port, { path: '/v1/traces', headers: json, body })).status).toBe(200);
    expect(consumer.traces).toHaveLength(1);
  });
});
