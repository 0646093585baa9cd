// OTLP forwarding, the Collector's otlp / otlphttp exporters: every batch the pipeline accepts is
// queued for each --forward-otlp target as one request body: the protobuf bytes the receiver
// decoded it from when it came whole and unchanged (otlp/request-bytes.ts), and for a target that
// sends gzip the client's own gzip bytes when it sent them so (no compressing again), else the
// batch encoded once. Each target has a sending queue per signal (in memory, or on disk under
// --data-dir). A batch is taken by all targets or by none:
// when any queue is full the pipeline gets a RefusedError (503 + Retry-After to the sender) and
// nothing was queued anywhere, so the sender's retry cannot duplicate it.
//
// Self-metrics under the Collector's names, labelled exporter="otlp/<n>" (gRPC) or
// "otlphttp/<n>" (HTTP): otelcol_exporter_sent_*, _send_failed_* (refused for good, partial
// success included), _enqueue_failed_* (refused by a full queue), otelcol_exporter_queue_size and
// _queue_capacity (requests, per data_type).
import type { Component } from '../../component/component.js';
import type { LogsConsumer, MetricsConsumer, TracesConsumer } from '../../consumer/consumer.js';
import type { LogsData, MetricsData, TracesData } from '../../otlp/model.js';
import { ProtoWriter } from '../../otlp/protobuf-writer.js';
import { gzippedRequestBytesOf, requestBytesOf, type OtlpBatch } from '../../otlp/request-bytes.js';
import { countLogRecords, countMetricPoints, countSpans } from '../../receivers/observer.js';
import type { SelfMetrics } from '../../selfmetrics/registry.js';
import { SendingQueue, type BackoffOptions, type QueuedRequest } from '../queue/queue.js';
import type { QueueStore } from '../queue/store.js';
import { encodeLogsRequest, encodeMetricsRequest, encodeTracesRequest } from './encode.js';
import type { OtlpSignal, OtlpTarget } from './target.js';
import { createOtlpTransport, type OtlpTransport, type OtlpTransportOptions } from './transport.js';

export const OTLP_SIGNALS: readonly OtlpSignal[] = ['traces', 'metrics', 'logs'];

/** the Collector's item word per signal, as in otelcol_exporter_sent_<item>_total */
const ITEM: Readonly<Record<OtlpSignal, string>> = {
  traces: 'spans',
  metrics: 'metric_points',
  logs: 'log_records',
};

export interface ForwardQueueOptions {
  /** requests per signal; default 1000 */
  readonly capacity?: number;
  /** bytes per signal; default 64 MiB */
  readonly capacityBytes?: number;
  /** requests in flight per signal; default 4 */
  readonly concurrency?: number;
  readonly backoff?: BackoffOptions;
  /** Retry-After given to senders while a queue is full; default 5 s */
  readonly refusalRetryAfterSeconds?: number;
}

/**
 * A request still answered with an error that may be permanent (HTTP 500, gRPC INTERNAL/UNKNOWN)
 * this long after the first such answer is dropped and counted in otelcol_exporter_send_failed_*
 * (the Collector's max_elapsed_time default); backoff.maxElapsedMs sets another, 0 = never.
 */
export const DEFAULT_FORWARD_MAX_ELAPSED_MS = 5 * 60_000;

export interface OtlpForwarderOptions extends OtlpTransportOptions {
  readonly target: OtlpTarget;
  /** the exporter label, e.g. 'otlphttp/0' */
  readonly id: string;
  readonly queue?: ForwardQueueOptions;
  /** a durable store per signal (--data-dir); default memory */
  readonly store?: (signal: OtlpSignal) => QueueStore;
  /** how requests leave; default by the target's protocol */
  readonly transport?: OtlpTransport;
}

/** One target: its transport and a sending queue per signal. */
export class OtlpForwarder implements Component {
  readonly id: string;
  readonly target: OtlpTarget;
  readonly queues: Readonly<Record<OtlpSignal, SendingQueue>>;
  /** the target takes gzip bodies as they are: queue a client's gzip bytes rather than the inflated ones */
  readonly takesGzip: boolean;
  private readonly transport: OtlpTransport;
  /** partial successes reported by the upstream, and the items they rejected */
  partialSuccesses = 0;
  private lastPartialLog = -Infinity;

  constructor(opts: OtlpForwarderOptions) {
    this.id = opts.id;
    this.target = opts.target;
    this.transport =
      opts.transport ??
      createOtlpTransport(opts.target, {
        ...opts,
        onPartialSuccess: (signal, rejected, message) => this.partialSuccess(signal, rejected, message),
      });
    const queue = (signal: OtlpSignal): SendingQueue =>
      new SendingQueue({
        name: `${this.id} ${signal} to ${opts.target.display}`,
        capacity: opts.queue?.capacity,
        capacityBytes: opts.queue?.capacityBytes,
        concurrency: opts.queue?.concurrency ?? 4,
        backoff: {
          ...opts.queue?.backoff,
          maxElapsedMs: opts.queue?.backoff?.maxElapsedMs ?? DEFAULT_FORWARD_MAX_ELAPSED_MS,
        },
        refusalRetryAfterSeconds: opts.queue?.refusalRetryAfterSeconds,
        store: opts.store?.(signal),
        send: (r) => this.transport.send(signal, r.body, r.gzipped),
      });
    this.takesGzip = this.transport.sendsGzip;
    this.queues = { traces: queue('traces'), metrics: queue('metrics'), logs: queue('logs') };
  }

  /** logged at most every 10 s: an upstream that rejects some items usually rejects many */
  private partialSuccess(signal: OtlpSignal, rejected: number, message: string): void {
    this.partialSuccesses++;
    const now = Date.now();
    if (now - this.lastPartialLog < 10_000) return;
    this.lastPartialLog = now;
    console.warn(
      `orrery: ${this.id} (${this.target.display}) rejected ${rejected} ${ITEM[signal].replace('_', ' ')} of a request: ${message || '(no message)'}`,
    );
  }

  async start(): Promise<void> {
    for (const s of OTLP_SIGNALS) await this.queues[s].start();
  }

  async shutdown(): Promise<void> {
    await Promise.all(OTLP_SIGNALS.map((s) => this.queues[s].shutdown()));
    this.transport.close();
  }

  /** resolves once every queue is empty (benchmarks, tests) */
  async idle(): Promise<void> {
    for (const s of OTLP_SIGNALS) await this.queues[s].idle();
  }
}

/** Every target together: the pipeline's consumer. */
export class OtlpForwarding implements TracesConsumer, MetricsConsumer, LogsConsumer, Component {
  private readonly writer = new ProtoWriter(1 << 20);
  /** items refused because a queue was full, per exporter and signal */
  private readonly enqueueFailed = new Map<string, number>();

  constructor(readonly forwarders: readonly OtlpForwarder[]) {}

  consumeTraces(batch: TracesData): void {
    const items = countSpans(batch);
    if (items > 0) this.offer('traces', this.requests(batch, items, encodeTracesRequest));
  }

  consumeMetrics(batch: MetricsData): void {
    const items = countMetricPoints(batch);
    if (items > 0) this.offer('metrics', this.requests(batch, items, encodeMetricsRequest));
  }

  consumeLogs(batch: LogsData): void {
    const items = countLogRecords(batch);
    if (items > 0) this.offer('logs', this.requests(batch, items, encodeLogsRequest));
  }

  /**
   * The request each target queues: the client's gzip bytes for one that takes gzip as it is,
   * else the bytes received when they are the batch, else the batch encoded (once, however many
   * targets want it).
   */
  private requests<T extends OtlpBatch>(
    batch: T,
    items: number,
    encode: (batch: T, writer: ProtoWriter) => Uint8Array,
  ): (f: OtlpForwarder) => QueuedRequest {
    const gzipped = gzippedRequestBytesOf(batch);
    let gzippedRequest: QueuedRequest | undefined;
    let plain: QueuedRequest | undefined;
    return (f) => {
      if (f.takesGzip && gzipped !== undefined) {
        gzippedRequest ??= { body: ownBytes(gzipped), items, gzipped: true };
        return gzippedRequest;
      }
      if (plain === undefined) {
        const received = requestBytesOf(batch);
        plain = { body: received === undefined ? encode(batch, this.writer) : ownBytes(received), items };
      }
      return plain;
    };
  }

  private offer(signal: OtlpSignal, requestFor: (f: OtlpForwarder) => QueuedRequest): void {
    for (const f of this.forwarders) {
      const q = f.queues[signal];
      const request = requestFor(f);
      if (!q.hasRoomFor(request)) {
        const key = `${f.id}\u0000${signal}`;
        this.enqueueFailed.set(key, (this.enqueueFailed.get(key) ?? 0) + request.items);
        // the queue's own refusal, so the message and Retry-After are the ones it gives
        throw q.offer(request)!;
      }
    }
    for (const f of this.forwarders) f.queues[signal].offer(requestFor(f));
  }

  async start(): Promise<void> {
    for (const f of this.forwarders) await f.start();
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.forwarders.map((f) => f.shutdown()));
  }

  async idle(): Promise<void> {
    for (const f of this.forwarders) await f.idle();
  }

  registerMetrics(registry: SelfMetrics): void {
    const perSignal = (read: (f: OtlpForwarder, s: OtlpSignal) => number) => (signal: OtlpSignal) => () =>
      this.forwarders.map((f) => ({ labels: { exporter: f.id }, value: read(f, signal) }));
    for (const signal of OTLP_SIGNALS) {
      const item = ITEM[signal];
      const words = item.replace('_', ' ');
      registry.counterFunc(
        `otelcol_exporter_sent_${item}_total`,
        `Number of ${words} successfully sent to destination.`,
        perSignal((f, s) => f.queues[s].sentItems)(signal),
      );
      registry.counterFunc(
        `otelcol_exporter_send_failed_${item}_total`,
        `Number of ${words} in failed attempts to send to destination (refused for good, partial success included).`,
        perSignal((f, s) => f.queues[s].failedItems)(signal),
      );
      registry.counterFunc(
        `otelcol_exporter_enqueue_failed_${item}_total`,
        `Number of ${words} failed to be added to the sending queue (refused to the sender with 503).`,
        perSignal((f, s) => this.enqueueFailed.get(`${f.id}\u0000${s}`) ?? 0)(signal),
      );
      registry.counterFunc(
        `orrery_exporter_retried_${item}_total`,
        `Number of ${words} sent again after a retryable failure.`,
        perSignal((f, s) => f.queues[s].retriedItems)(signal),
      );
    }
    const queueGauge = (read: (q: SendingQueue) => number) => () =>
      this.forwarders.flatMap((f) =>
        OTLP_SIGNALS.map((s) => ({ labels: { exporter: f.id, data_type: s }, value: read(f.queues[s]) })),
      );
    registry.gauge(
      'otelcol_exporter_queue_size',
      'Current size of the retry queue (in batches).',
      queueGauge((q) => q.size),
    );
    registry.gauge(
      'otelcol_exporter_queue_capacity',
      'Fixed capacity of the retry queue (in batches).',
      queueGauge((q) => q.capacity),
    );
    registry.gauge(
      'orrery_exporter_queue_bytes',
      'Bytes of encoded requests held by the sending queue.',
      queueGauge((q) => q.bytes),
      'bytes',
    );
  }
}

/**
 * `bytes`, or a copy of just them when they are a view into a larger buffer (a pooled or shared
 * one): that would keep all of it alive while queued, unseen by the queue's byte bound.
 */
function ownBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}
