// Forwarding sends the bytes a receiver decoded a request from when the pipeline got that request
// whole and unchanged, and encodes the batch when it did not (JSON, a request the decoder had to
// change, the pieces of a large request the memory limiter cut short).
import {
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeTracesJson } from '../../otlp/decode-json.js';
import { decodeTracesRequest } from '../../otlp/decode-protobuf.js';
import type { TracesData } from '../../otlp/model.js';
import { ProtoWriter } from '../../otlp/protobuf-writer.js';
import { keepRequestBytes } from '../../otlp/request-bytes.js';
import { demoSpans } from '../../otlp/testing/demo-spans.js';
import { richLogs, sdkMetrics } from '../../otlp/testing/fixtures.js';
import { buildPipelines } from '../../pipeline/pipelines.js';
import { MemoryLimiter } from '../../pipeline/memory-limiter.js';
import { DecodePool } from '../../receivers/decode-pool.js';
import { createOtlpGrpcReceiver } from '../../receivers/otlp-grpc.js';
import { createOtlpHttpReceiver } from '../../receivers/otlp-http.js';
import { RecordingConsumer } from '../../receivers/testing.js';
import { encodeTracesRequest } from './encode.js';
import { OtlpForwarder, OtlpForwarding } from './forwarder.js';
import { readPartialSuccess } from './responses.js';
import { parseOtlpTarget, type OtlpSignal } from './target.js';
import { FakeUpstream } from './testing.js';
import { DiskQueueStore } from '../queue/disk-store.js';
import type { QueueStore } from '../queue/store.js';
import { GrpcOtlpTransport, HttpOtlpTransport } from './transport.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Front {
  readonly upstream: FakeUpstream;
  readonly forwarding: OtlpForwarding;
  readonly local: RecordingConsumer;
  /** sends raw bytes to the front's OTLP/HTTP receiver (gzip) or its OTLP/gRPC receiver */
  readonly http: HttpOtlpTransport;
  readonly grpc: GrpcOtlpTransport;
  readonly httpPort: number;
}

interface FrontOptions {
  readonly limiter?: MemoryLimiter;
  readonly decodePool?: DecodePool;
  /** --forward-compression; default gzip */
  readonly compression?: 'gzip' | 'none';
  /** a durable queue (--data-dir) */
  readonly store?: (signal: OtlpSignal) => QueueStore;
}

/** receivers → (memory limiter) → [forwarding to a fake upstream, a local recorder], as the backend builds them */
async function front(opts: FrontOptions = {}): Promise<Front> {
  const upstream = new FakeUpstream();
  await upstream.start();
  cleanups.push(() => upstream.stop());
  const forwarding = new OtlpForwarding([
    new OtlpForwarder({
      id: 'otlphttp/0',
      target: parseOtlpTarget(upstream.url),
      compression: opts.compression,
      store: opts.store,
      queue: { backoff: { initialMs: 5, maxMs: 20, jitter: 0 } },
    }),
  ]);
  await forwarding.start();
  cleanups.push(() => forwarding.shutdown());
  const local = new RecordingConsumer();
  const pipelines = buildPipelines({
    limiter: opts.limiter,
    traces: [forwarding, local],
    metrics: [forwarding, local],
    logs: [forwarding, local],
  });
  // the backend keeps gzip bodies whenever it forwards
  const receiverOpts = {
    port: 0,
    ...pipelines,
    admission: opts.limiter,
    decodePool: opts.decodePool,
    keepGzippedBodies: true,
  };
  const httpRx = createOtlpHttpReceiver(receiverOpts);
  const grpcRx = createOtlpGrpcReceiver(receiverOpts);
  await httpRx.start();
  await grpcRx.start();
  cleanups.push(
    () => httpRx.shutdown(),
    () => grpcRx.shutdown(),
  );
  const http = new HttpOtlpTransport(parseOtlpTarget(`http://127.0.0.1:${httpRx.port}`));
  const grpc = new GrpcOtlpTransport(parseOtlpTarget(`grpc://127.0.0.1:${grpcRx.port}`));
  cleanups.push(() => grpc.close());
  return { upstream, forwarding, local, http, grpc, httpPort: httpRx.port };
}

/**
 * `request` with a field no OTLP version defines appended (number 1000, a varint): a decoder
 * skips it and an encoder of the decoded batch cannot bring it back, so finding it upstream
 * shows the received bytes were sent, not a re-encoding.
 */
function withUnknownField(request: Uint8Array): Uint8Array {
  const w = new ProtoWriter();
  w.uint(1000, 42);
  return Buffer.concat([request, w.finish()]);
}

const traceRequest = () => withUnknownField(ProtobufTraceSerializer.serializeRequest(demoSpans(40))!);

function spanIds(batch: TracesData): string[] {
  return batch.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.spanId)));
}

describe('forwarding passes the received bytes through', () => {
  it('protobuf over OTLP/HTTP (gzip) and OTLP/gRPC: the upstream gets the very bytes each receiver decoded', async () => {
    const f = await front();
    const requests: [OtlpSignal, Uint8Array][] = [
      ['traces', traceRequest()],
      ['metrics', withUnknownField(ProtobufMetricsSerializer.serializeRequest(await sdkMetrics())!)],
      ['logs', withUnknownField(ProtobufLogsSerializer.serializeRequest(richLogs())!)],
    ];
    for (const [signal, bytes] of requests) {
      expect(await f.http.send(signal, bytes)).toEqual({ kind: 'delivered', rejected: 0 });
      expect(await f.grpc.send(signal, bytes)).toEqual({ kind: 'delivered', rejected: 0 });
    }
    await f.forwarding.idle();
    expect(f.upstream.accepted).toHaveLength(6);
    for (const [i, [signal, bytes]] of requests.entries()) {
      for (const got of f.upstream.accepted.slice(2 * i, 2 * i + 2)) {
        expect(got.path).toBe(`/v1/${signal}`);
        expect(got.headers['content-encoding']).toBe('gzip');
        expect(Buffer.from(got.body).equals(Buffer.from(bytes))).toBe(true);
      }
    }
    // the local stores got the decoded batches as before
    expect(f.local.traces).toHaveLength(2);
    expect(f.local.metrics).toHaveLength(2);
    expect(f.local.logs).toHaveLength(2);
  });

  it('OTLP/JSON is encoded as protobuf: the upstream decodes what the receiver decoded', async () => {
    const f = await front();
    const json = Buffer.from(JsonTraceSerializer.serializeRequest(demoSpans(12))!).toString('utf8');
    const res = await fetch(`http://127.0.0.1:${f.httpPort}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: json,
    });
    expect(res.status).toBe(200);
    await f.forwarding.idle();
    expect(f.upstream.accepted).toHaveLength(1);
    expect(decodeTracesRequest(f.upstream.accepted[0]!.body)).toEqual(decodeTracesJson(json));
  });

  it('a request the decoder changed (a span with an all-zero trace ID left out) is encoded from what was kept', async () => {
    const f = await front();
    const batch = decodeTracesRequest(ProtobufTraceSerializer.serializeRequest(demoSpans(5))!);
    const spans = batch.resourceSpans[0]!.scopeSpans[0]!.spans;
    const bad: TracesData = {
      resourceSpans: [
        {
          ...batch.resourceSpans[0]!,
          scopeSpans: [
            { ...batch.resourceSpans[0]!.scopeSpans[0]!, spans: [...spans, { ...spans[0]!, traceId: '0'.repeat(32) }] },
          ],
        },
      ],
    };
    const bytes = withUnknownField(encodeTracesRequest(bad));
    expect(await f.http.send('traces', bytes)).toEqual({ kind: 'delivered', rejected: 1 });
    await f.forwarding.idle();
    const got = f.upstream.accepted[0]!.body;
    expect(Buffer.from(got).equals(Buffer.from(bytes))).toBe(false);
    expect(spanIds(decodeTracesRequest(got))).toEqual(spans.map((s) => s.spanId));
  });

  it('a large request cut short by the memory limiter: only the pieces the pipeline accepted are forwarded', async () => {
    // memory is fine for the request's admission and its first two pieces, then over the hard limit
    let samples = 0;
    let clock = 0;
    const limiter = new MemoryLimiter({
      limitBytes: 1000,
      memoryUsed: () => (++samples <= 3 ? 10 : 2000),
      now: () => (clock += 100),
      gc: null,
    });
    const f = await front({ limiter, decodePool: new DecodePool({ thresholdBytes: 1, pieceItems: 10 }) });
    const bytes = traceRequest(); // 40 spans: 4 pieces of 10
    const sent = spanIds(decodeTracesRequest(bytes));
    const res = await fetch(`http://127.0.0.1:${f.httpPort}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: bytes,
    });
    expect(res.status).toBe(200);
    const partial = readPartialSuccess(new Uint8Array(await res.arrayBuffer()));
    expect(partial?.rejected).toBe(20);
    expect(partial?.message).toMatch(/memory limit exceeded/);
    await f.forwarding.idle();
    const forwarded = f.upstream.accepted.flatMap((r) => spanIds(decodeTracesRequest(r.body)));
    expect(forwarded).toEqual(sent.slice(0, 20));
    expect(f.local.spans().map((s) => s.spanId)).toEqual(sent.slice(0, 20));
  });
});

describe("a client's gzip bytes", () => {
  const delivered = { kind: 'delivered', rejected: 0 };
  // the forwarder's own gzip is level 1: a level-9 body that arrives byte for byte was not compressed again
  const clientGzip = (bytes: Uint8Array): Buffer => gzipSync(bytes, { level: 9 });

  it('reach an upstream that takes gzip byte for byte, and the local stores get the decoded batch', async () => {
    const f = await front();
    const bytes = traceRequest();
    const gz = clientGzip(bytes);
    expect(gz.equals(gzipSync(bytes, { level: 1 }))).toBe(false);
    expect(await f.http.send('traces', gz, true)).toEqual(delivered);
    await f.forwarding.idle();
    expect(f.upstream.accepted).toHaveLength(1);
    const got = f.upstream.accepted[0]!;
    expect(got.headers['content-encoding']).toBe('gzip');
    expect(Buffer.from(got.raw).equals(gz)).toBe(true);
    expect(spanIds(f.local.traces[0]!)).toEqual(spanIds(decodeTracesRequest(bytes)));
  });

  it('with --forward-compression none the upstream gets the inflated bytes, without Content-Encoding', async () => {
    const f = await front({ compression: 'none' });
    const bytes = traceRequest();
    expect(await f.http.send('traces', clientGzip(bytes), true)).toEqual(delivered);
    await f.forwarding.idle();
    const got = f.upstream.accepted[0]!;
    expect(got.headers['content-encoding']).toBeUndefined();
    expect(Buffer.from(got.raw).equals(bytes)).toBe(true);
  });

  it('an uncompressed client: the upstream gets gzip, or the bytes as they came with compression none', async () => {
    for (const compression of ['gzip', 'none'] as const) {
      const f = await front({ compression });
      const client = new HttpOtlpTransport(parseOtlpTarget(`http://127.0.0.1:${f.httpPort}`), { compression: 'none' });
      cleanups.push(() => client.close());
      const bytes = traceRequest();
      expect(await client.send('traces', bytes)).toEqual(delivered);
      await f.forwarding.idle();
      const got = f.upstream.accepted[0]!;
      expect(got.headers['content-encoding']).toBe(compression === 'gzip' ? 'gzip' : undefined);
      expect(Buffer.from(got.body).equals(bytes)).toBe(true);
    }
  });

  it('a corrupt gzip body is a 400 and goes nowhere; one with zero bytes after its end is compressed again', async () => {
    const f = await front();
    const bytes = traceRequest();
    const gz = clientGzip(bytes);
    const flipped = Buffer.from(gz);
    flipped[Math.floor(gz.length / 2)]! ^= 0xff;
    const post = (body: Buffer) =>
      fetch(`http://127.0.0.1:${f.httpPort}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
        body,
      });
    for (const bad of [flipped, gz.subarray(0, gz.length - 8), gzipSync(Buffer.from('not a protobuf request'))]) {
      const res = await post(bad);
      expect(res.status).toBe(400);
      await res.arrayBuffer();
    }
    expect(f.upstream.attempts).toBe(0);
    expect(f.local.traces).toHaveLength(0);

    // zlib passes over the zeros; an upstream's gzip reader might not, so it gets the forwarder's own
    const padded = Buffer.concat([gz, Buffer.alloc(16)]);
    expect((await post(padded)).status).toBe(200);
    await f.forwarding.idle();
    const got = f.upstream.accepted[0]!;
    expect(Buffer.from(got.raw).equals(padded)).toBe(false);
    expect(Buffer.from(got.body).equals(bytes)).toBe(true);
  });

  it('the gzip bytes kept beside the inflated ones count against the in-flight budget', async () => {
    const bytes = traceRequest();
    const gz = clientGzip(bytes);
    for (const [budget, status] of [
      [bytes.length + gz.length - 1, 429],
      [bytes.length + gz.length, 200],
    ] as const) {
      const limiter = new MemoryLimiter({
        limitBytes: 1e15,
        inFlightLimitBytes: budget,
        memoryUsed: () => 0,
        gc: null,
      });
      const f = await front({ limiter });
      const res = await fetch(`http://127.0.0.1:${f.httpPort}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
        body: gz,
      });
      expect(res.status).toBe(status);
      await res.arrayBuffer();
    }
  });

  it('two targets take the same batch each in its own form: the gzip bytes, and the inflated ones', async () => {
    const ups = [new FakeUpstream(), new FakeUpstream()];
    for (const u of ups) {
      await u.start();
      cleanups.push(() => u.stop());
    }
    const forwarding = new OtlpForwarding(
      (['gzip', 'none'] as const).map(
        (compression, i) =>
          new OtlpForwarder({ id: `otlphttp/${i}`, target: parseOtlpTarget(ups[i]!.url), compression }),
      ),
    );
    await forwarding.start();
    cleanups.push(() => forwarding.shutdown());
    const bytes = traceRequest();
    const gz = clientGzip(bytes);
    const batch = decodeTracesRequest(bytes);
    keepRequestBytes(batch, bytes, gz);
    forwarding.consumeTraces(batch);
    await forwarding.idle();
    expect(Buffer.from(ups[0]!.accepted[0]!.raw).equals(gz)).toBe(true);
    expect(ups[1]!.accepted[0]!.headers['content-encoding']).toBeUndefined();
    expect(Buffer.from(ups[1]!.accepted[0]!.raw).equals(bytes)).toBe(true);
  });

  it('a gRPC transport given a gzip body inflates it (grpc-js compresses messages itself)', async () => {
    const f = await front();
    const bytes = traceRequest();
    expect(await f.grpc.send('traces', clientGzip(bytes), true)).toEqual(delivered);
    expect(spanIds(f.local.traces[0]!)).toEqual(spanIds(decodeTracesRequest(bytes)));
    expect(await f.grpc.send('traces', Buffer.from('not gzip'), true)).toEqual({
      kind: 'permanent',
      reason: 'the queued gzip body does not inflate',
    });
  });

  it('a disk queue keeps which bodies are gzip: after a restart the upstream gets both kinds as it should', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'orrery-forward-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const upstream = new FakeUpstream();
    await upstream.start();
    const target = parseOtlpTarget(upstream.url);
    await upstream.stop(); // down: what is offered stays queued
    const forwarding = () =>
      new OtlpForwarding([
        new OtlpForwarder({
          id: 'otlphttp/0',
          target,
          store: (signal) => new DiskQueueStore({ dir: path.join(dir, signal) }),
          queue: { backoff: { initialMs: 5, maxMs: 20, jitter: 0 } },
        }),
      ]);
    const before = forwarding();
    await before.start();
    const gzBytes = traceRequest();
    const gz = clientGzip(gzBytes);
    const fromGzip = decodeTracesRequest(gzBytes);
    keepRequestBytes(fromGzip, gzBytes, gz);
    const plainBytes = withUnknownField(ProtobufTraceSerializer.serializeRequest(demoSpans(7))!);
    const fromPlain = decodeTracesRequest(plainBytes);
    keepRequestBytes(fromPlain, plainBytes);
    before.consumeTraces(fromGzip);
    before.consumeTraces(fromPlain);
    await before.shutdown();

    await upstream.start(); // the same port
    cleanups.push(() => upstream.stop());
    const after = forwarding();
    await after.start();
    cleanups.push(() => after.shutdown());
    await after.idle();
    expect(upstream.accepted).toHaveLength(2);
    // sent concurrently, so in either order
    const passed = upstream.accepted.filter((r) => Buffer.from(r.raw).equals(gz));
    const compressed = upstream.accepted.filter((r) => Buffer.from(r.body).equals(plainBytes));
    expect(passed).toHaveLength(1);
    expect(compressed).toHaveLength(1);
    expect(compressed[0]!.headers['content-encoding']).toBe('gzip');
  });
});
