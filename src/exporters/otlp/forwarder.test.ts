import { afterEach, describe, expect, it, vi } from 'vitest';
import { RefusedError } from '../../consumer/consumer.js';
import { decodeLogsRequest, decodeMetricsRequest, decodeTracesRequest } from '../../otlp/decode-protobuf.js';
import type { LogsData, MetricsData } from '../../otlp/model.js';
import { encodeExportResponseProtobuf, RpcCode } from '../../otlp/encode-response.js';
import { createOtlpGrpcReceiver, type OtlpGrpcReceiver } from '../../receivers/otlp-grpc.js';
import { RecordingConsumer } from '../../receivers/testing.js';
import { SelfMetrics } from '../../selfmetrics/registry.js';
import { batch, sid, span, tid } from '../../traces/testdata.js';
import {
  DEFAULT_FORWARD_MAX_ELAPSED_MS,
  OtlpForwarder,
  OtlpForwarding,
  type ForwardQueueOptions,
} from './forwarder.js';
import { parseOtlpTarget } from './target.js';
import { FakeUpstream, type UpstreamBehaviour } from './testing.js';

const fastQueue: ForwardQueueOptions = { backoff: { initialMs: 5, maxMs: 40, jitter: 0 }, concurrency: 1 };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function upstream(behaviour?: UpstreamBehaviour | ((n: number) => UpstreamBehaviour)): Promise<FakeUpstream> {
  const u = new FakeUpstream();
  if (behaviour) u.behaviour = behaviour;
  await u.start();
  cleanups.push(() => u.stop());
  return u;
}

async function forwarding(
  urls: string[],
  opts: { queue?: ForwardQueueOptions; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<OtlpForwarding> {
  const f = new OtlpForwarding(
    urls.map(
      (u, i) =>
        new OtlpForwarder({
          id: `otlphttp/${i}`,
          target: parseOtlpTarget(u),
          queue: { ...fastQueue, ...opts.queue },
          headers: opts.headers,
          timeoutMs: opts.timeoutMs,
        }),
    ),
  );
  await f.start();
  cleanups.push(() => f.shutdown());
  return f;
}

let nextSpan = 1;
/** one batch of n spans with IDs never used before */
function spans(n: number) {
  const out = [];
  for (let i = 0; i < n; i++, nextSpan++)
    out.push(
      span({ traceId: tid(nextSpan), spanId: sid(nextSpan), name: 'op', startMs: 1_764_000_000_000 + nextSpan }),
    );
  return batch({ service: 'checkout', spans: out });
}

function receivedSpanIds(u: FakeUpstream): string[] {
  return u.accepted.flatMap((r) =>
    decodeTracesRequest(r.body).resourceSpans.flatMap((rs) =>
      rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.spanId)),
    ),
  );
}

const metrics: MetricsData = {
  resourceMetrics: [
    {
      resource: { attributes: [], droppedAttributesCount: 0 },
      schemaUrl: '',
      scopeMetrics: [
        {
          scope: { name: 's', version: '', attributes: [] },
          schemaUrl: '',
          metrics: [
            {
              name: 'app.requests',
              description: '',
              unit: '1',
              data: {
                type: 'gauge',
                dataPoints: [
                  { attributes: [], startTimeUnixNano: 0, timeUnixNano: 1e18, value: 3, exemplars: [], flags: 0 },
                ],
              },
            },
          ],
        },
      ],
    },
  ],
};

const logs: LogsData = {
  resourceLogs: [
    {
      resource: { attributes: [], droppedAttributesCount: 0 },
      schemaUrl: '',
      scopeLogs: [
        {
          scope: { name: 's', version: '', attributes: [] },
          schemaUrl: '',
          logRecords: [
            {
              timeUnixNano: 1e18,
              observedTimeUnixNano: 1e18,
              severityNumber: 9,
              severityText: 'INFO',
              body: { kind: 'string', value: 'order placed' },
              attributes: [],
              traceId: '',
              spanId: '',
            },
          ],
        },
      ],
    },
  ],
};

describe('OTLP forwarding over HTTP', () => {
  it('sends traces, metrics and logs to <url>/v1/<signal>, gzipped, with the configured headers, and counts them', async () => {
    const u = await upstream();
    const f = await forwarding([`${u.url}/otlp/`], { headers: { authorization: 'Bearer s3cret' } });
    const traces = spans(3);
    f.consumeTraces(traces);
    f.consumeMetrics(metrics);
    f.consumeLogs(logs);
    await f.idle();
    expect(u.accepted.map((r) => r.path).sort()).toEqual(['/otlp/v1/logs', '/otlp/v1/metrics', '/otlp/v1/traces']);
    for (const r of u.accepted) {
      expect(r.headers['content-encoding']).toBe('gzip');
      expect(r.headers['content-type']).toBe('application/x-protobuf');
      expect(r.headers['authorization']).toBe('Bearer s3cret');
    }
    const byPath = (p: string) => u.accepted.find((r) => r.path.endsWith(p))!.body;
    expect(decodeTracesRequest(byPath('/v1/traces'))).toEqual(traces);
    expect(decodeMetricsRequest(byPath('/v1/metrics'))).toEqual(metrics);
    expect(decodeLogsRequest(byPath('/v1/logs'))).toEqual(logs);

    const m = new SelfMetrics();
    f.registerMetrics(m);
    expect(m.value('otelcol_exporter_sent_spans_total', { exporter: 'otlphttp/0' })).toBe(3);
    expect(m.value('otelcol_exporter_sent_metric_points_total', { exporter: 'otlphttp/0' })).toBe(1);
    expect(m.value('otelcol_exporter_sent_log_records_total', { exporter: 'otlphttp/0' })).toBe(1);
    expect(m.value('otelcol_exporter_queue_capacity', { exporter: 'otlphttp/0', data_type: 'traces' })).toBe(1000);
    expect(m.value('otelcol_exporter_queue_size', { exporter: 'otlphttp/0', data_type: 'traces' })).toBe(0);
  });

  it('503 and 429 with Retry-After, reset connections and a slow upstream are retried until delivered, once each', async () => {
    const faults: UpstreamBehaviour[] = [
      { kind: 'status', status: 503 },
      { kind: 'status', status: 429, retryAfter: '0' },
      { kind: 'reset' },
      { kind: 'slow', delayMs: 5000 },
      { kind: 'status', status: 502 },
      { kind: 'status', status: 504 },
    ];
    const u = await upstream((n) => faults[n - 1] ?? { kind: 'accept' });
    const f = await forwarding([u.url], { timeoutMs: 200 });
    const sent = spans(4);
    f.consumeTraces(sent);
    await f.idle();
    expect(u.attempts).toBe(faults.length + 1);
    expect(receivedSpanIds(u)).toEqual(sent.resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => s.spanId));
    const q = f.forwarders[0]!.queues.traces;
    expect(q.sentItems).toBe(4);
    expect(q.retriedItems).toBe(4 * faults.length);
    expect(q.failedItems).toBe(0);
  });

  it('Retry-After is waited for (seconds)', async () => {
    const u = await upstream((n) => (n === 1 ? { kind: 'status', status: 429, retryAfter: '1' } : { kind: 'accept' }));
    const f = await forwarding([u.url]);
    const t0 = Date.now();
    f.consumeTraces(spans(1));
    await f.idle();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(u.accepted).toHaveLength(1);
  });

  it('400, 401 and 404 are permanent: dropped once, counted as send failures', async () => {
    const answers: UpstreamBehaviour[] = [
      { kind: 'status', status: 400, body: 'bad request' },
      { kind: 'status', status: 401 },
      { kind: 'status', status: 404 },
    ];
    const u = await upstream((n) => answers[n - 1] ?? { kind: 'accept' });
    const f = await forwarding([u.url]);
    f.consumeTraces(spans(2));
    f.consumeTraces(spans(2));
    f.consumeTraces(spans(2));
    f.consumeTraces(spans(5));
    await f.idle();
    expect(u.attempts).toBe(4);
    const q = f.forwarders[0]!.queues.traces;
    expect(q.failedItems).toBe(6);
    expect(q.sentItems).toBe(5);
    expect(q.retriedItems).toBe(0);
  });

  it('an upstream answering 500 for a while (a proxy, a restart): everything is delivered once it accepts again', async () => {
    let failing = true;
    const u = await upstream(() =>
      failing ? { kind: 'status', status: 500, body: 'upstream restarting' } : { kind: 'accept' },
    );
    const f = await forwarding([u.url]);
    const sent: string[] = [];
    for (let i = 0; i < 3; i++) {
      const b = spans(4);
      f.consumeTraces(b);
      sent.push(...b.resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => s.spanId));
    }
    // the 500 phase: every request is tried and retried, none delivered or dropped
    while (u.attempts < 6) await new Promise((r) => setTimeout(r, 5));
    const q = f.forwarders[0]!.queues.traces;
    expect(u.accepted).toHaveLength(0);
    expect(q.size).toBe(3);
    expect(q.lastError).toMatch(/HTTP 500: upstream restarting/);
    failing = false;
    await f.idle();
    expect(receivedSpanIds(u).sort()).toEqual(sent.sort());
    const m = new SelfMetrics();
    f.registerMetrics(m);
    expect(m.value('otelcol_exporter_sent_spans_total', { exporter: 'otlphttp/0' })).toBe(12);
    expect(m.value('otelcol_exporter_send_failed_spans_total', { exporter: 'otlphttp/0' })).toBe(0);
    expect(m.value('orrery_exporter_retried_spans_total', { exporter: 'otlphttp/0' })).toBeGreaterThanOrEqual(12);
  });

  it('a 500 that lasts past the maximum elapsed time: the request is dropped, logged and counted as failed', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    cleanups.push(() => Promise.resolve(errors.mockRestore()));
    const u = await upstream({ kind: 'status', status: 500, body: 'broken for good' });
    const f = await forwarding([u.url], { queue: { backoff: { ...fastQueue.backoff, maxElapsedMs: 150 } } });
    const t0 = Date.now();
    f.consumeTraces(spans(3));
    await f.idle();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(u.attempts).toBeGreaterThan(1);
    const m = new SelfMetrics();
    f.registerMetrics(m);
    expect(m.value('otelcol_exporter_send_failed_spans_total', { exporter: 'otlphttp/0' })).toBe(3);
    expect(m.value('otelcol_exporter_sent_spans_total', { exporter: 'otlphttp/0' })).toBe(0);
    expect(errors).toHaveBeenCalledWith(
      expect.stringMatching(
        /dropped 3 items: still failing after \d+ attempts .*limit is 150ms.*HTTP 500: broken for good/,
      ),
    );
  });

  it('requests are given up 5 minutes after their first attempt unless told otherwise (0: never)', () => {
    const target = parseOtlpTarget('http://127.0.0.1:1');
    const byDefault = new OtlpForwarder({ id: 'otlphttp/0', target });
    const forEver = new OtlpForwarder({ id: 'otlphttp/1', target, queue: { backoff: { maxElapsedMs: 0 } } });
    const short = new OtlpForwarder({ id: 'otlphttp/2', target, queue: { backoff: { maxElapsedMs: 30_000 } } });
    expect(DEFAULT_FORWARD_MAX_ELAPSED_MS).toBe(300_000);
    expect(byDefault.queues.traces.maxElapsedMs).toBe(DEFAULT_FORWARD_MAX_ELAPSED_MS);
    expect(byDefault.queues.logs.maxElapsedMs).toBe(DEFAULT_FORWARD_MAX_ELAPSED_MS);
    expect(forEver.queues.metrics.maxElapsedMs).toBe(Infinity);
    expect(short.queues.traces.maxElapsedMs).toBe(30_000);
  });

  it('an oversized error answer is read only in part and the request still dropped as the status says', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    cleanups.push(() => Promise.resolve(errors.mockRestore()));
    const u = await upstream({ kind: 'status', status: 400, body: 'x'.repeat(8 * 2 ** 20) });
    const f = await forwarding([u.url]);
    f.consumeTraces(spans(2));
    await f.idle();
    const q = f.forwarders[0]!.queues.traces;
    expect(q.failedItems).toBe(2);
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/dropped 2 items: HTTP 400: x{300}$/));
  });

  it('partial success: the rejected items are counted as failed, the rest as sent, and nothing is retried', async () => {
    const u = await upstream({
      kind: 'accept',
      body: encodeExportResponseProtobuf({ rejected: 2, errorMessage: '2 out of order' }),
    });
    const f = await forwarding([u.url]);
    f.consumeTraces(spans(5));
    await f.idle();
    const fw = f.forwarders[0]!;
    expect(u.attempts).toBe(1);
    expect(fw.queues.traces.sentItems).toBe(3);
    expect(fw.queues.traces.failedItems).toBe(2);
    expect(fw.partialSuccesses).toBe(1);
  });

  it('upstream down: the queue fills to its bound, then the pipeline is refused with 503 + Retry-After; all is delivered once it is back', async () => {
    const u = await upstream();
    await u.stop(); // the port is known and now closed
    const f = await forwarding([u.url], { queue: { capacity: 5, refusalRetryAfterSeconds: 3 } });
    const offered: string[] = [];
    let refusal: unknown;
    for (let i = 0; i < 20 && refusal === undefined; i++) {
      const b = spans(2);
      try {
        f.consumeTraces(b);
        offered.push(...b.resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => s.spanId));
      } catch (err) {
        refusal = err;
      }
    }
    expect(refusal).toBeInstanceOf(RefusedError);
    expect((refusal as RefusedError).kind).toBe('unavailable');
    expect((refusal as RefusedError).retryAfterSeconds).toBe(3);
    expect((refusal as RefusedError).message).toMatch(/full/);
    expect(offered).toHaveLength(10);
    const m = new SelfMetrics();
    f.registerMetrics(m);
    expect(m.value('otelcol_exporter_queue_size', { exporter: 'otlphttp/0', data_type: 'traces' })).toBe(5);
    expect(m.value('otelcol_exporter_enqueue_failed_spans_total', { exporter: 'otlphttp/0' })).toBe(2);

    await new Promise((r) => setTimeout(r, 50));
    await u.start(); // back on the same port
    await f.idle();
    expect(receivedSpanIds(u).sort()).toEqual(offered.sort());
    expect(m.value('otelcol_exporter_sent_spans_total', { exporter: 'otlphttp/0' })).toBe(10);
    expect(m.value('otelcol_exporter_queue_size', { exporter: 'otlphttp/0', data_type: 'traces' })).toBe(0);
  });

  it('with two targets a batch is queued by both or by neither', async () => {
    const up = await upstream();
    const down = await upstream();
    await down.stop();
    const f = await forwarding([up.url, down.url], { queue: { capacity: 2 } });
    f.consumeTraces(spans(1));
    f.consumeTraces(spans(1));
    expect(() => f.consumeTraces(spans(1))).toThrow(RefusedError);
    await f.forwarders[0]!.idle();
    expect(receivedSpanIds(up)).toHaveLength(2); // not 3: the refused batch went nowhere
  });
});

describe('OTLP forwarding over gRPC', () => {
  async function grpcUpstream(consumer: RecordingConsumer): Promise<OtlpGrpcReceiver> {
    const rx = createOtlpGrpcReceiver({ port: 0, traces: consumer, metrics: consumer, logs: consumer });
    await rx.start();
    cleanups.push(() => rx.shutdown());
    return rx;
  }

  it('exports all three signals to an OTLP/gRPC server, gzip-compressed', async () => {
    const got = new RecordingConsumer();
    const rx = await grpcUpstream(got);
    const fw = new OtlpForwarder({
      id: 'otlp/0',
      target: parseOtlpTarget(`grpc://127.0.0.1:${rx.port}`),
      queue: fastQueue,
    });
    const f = new OtlpForwarding([fw]);
    await f.start();
    cleanups.push(() => f.shutdown());
    const traces = spans(2);
    f.consumeTraces(traces);
    f.consumeMetrics(metrics);
    f.consumeLogs(logs);
    await f.idle();
    expect(got.traces).toEqual([traces]);
    expect(got.metrics).toEqual([metrics]);
    expect(got.logs).toEqual([logs]);
    expect(fw.queues.traces.sentItems).toBe(2);
  });

  /** a forwarder to a gRPC receiver whose pipeline throws what `fail` gives for the first calls */
  async function failingFirst(fail: (call: number) => Error | undefined) {
    const got = new RecordingConsumer();
    const failing = new RecordingConsumer();
    let calls = 0;
    failing.consumeTraces = (b) => {
      const err = fail(++calls);
      if (err) throw err;
      got.consumeTraces(b);
    };
    const rx = await grpcUpstream(failing);
    const fw = new OtlpForwarder({
      id: 'otlp/0',
      target: parseOtlpTarget(`grpc://127.0.0.1:${rx.port}`),
      queue: fastQueue,
    });
    const f = new OtlpForwarding([fw]);
    await f.start();
    cleanups.push(() => f.shutdown());
    return { got, f, queue: fw.queues.traces };
  }

  it('UNAVAILABLE and RESOURCE_EXHAUSTED with RetryInfo are retried until accepted', async () => {
    const refusals = [new RefusedErrorFor('unavailable'), new RefusedErrorFor('exhausted')];
    const { got, f, queue } = await failingFirst((call) => refusals[call - 1]);
    f.consumeTraces(spans(3));
    await f.idle();
    expect(got.traces).toHaveLength(1);
    expect(queue.retriedItems).toBe(6);
    expect(queue.failedItems).toBe(0);
  });

  it('INTERNAL (a failing pipeline upstream) is retried until accepted', async () => {
    const { got, f, queue } = await failingFirst((call) => (call <= 2 ? new Error('store restarting') : undefined));
    f.consumeTraces(spans(3));
    await f.idle();
    expect(got.traces).toHaveLength(1);
    expect(queue.retriedItems).toBe(6);
    expect(queue.failedItems).toBe(0);
    expect(queue.sentItems).toBe(3);
  });

  it('INVALID_ARGUMENT is permanent', async () => {
    const got = new RecordingConsumer();
    const rx = await grpcUpstream(got);
    const fw = new OtlpForwarder({
      id: 'otlp/0',
      target: parseOtlpTarget(`grpc://127.0.0.1:${rx.port}`),
      queue: fastQueue,
    });
    await fw.start();
    cleanups.push(() => fw.shutdown());
    // not an ExportTraceServiceRequest: the receiver answers INVALID_ARGUMENT
    expect(fw.queues.traces.offer({ body: Uint8Array.from([0xff, 0xff, 0xff]), items: 1 })).toBeUndefined();
    await fw.idle();
    expect(fw.queues.traces.failedItems).toBe(1);
    expect(fw.queues.traces.retriedItems).toBe(0);
    expect(RpcCode.INVALID_ARGUMENT).toBe(3);
  });
});

/** what the receivers' memory limiter throws: gRPC turns it into UNAVAILABLE / RESOURCE_EXHAUSTED with RetryInfo */
class RefusedErrorFor extends RefusedError {
  constructor(kind: 'unavailable' | 'exhausted') {
    super(`refused (${kind})`, 0.01, kind);
  }
}
