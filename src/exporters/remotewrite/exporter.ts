// Prometheus remote write (protocol 1.0), as Prometheus's own queue manager sends: every sample
// the TSDB keeps (OTLP metrics, span metrics, self-metrics) goes to --remote-write URL too.
//
// The store's appender is wrapped (RemoteWriteAppender): a sample the head accepted is handed to
// the shard its series hashes to, so one series always goes through one shard. A shard gathers
// samples into a batch (up to maxSamplesPerSend, or what came within flushMs), encodes and
// snappy-compresses it and queues it in its own sending queue with one worker: batches of a shard
// leave in order, so every series' samples arrive in order. Retries: 5xx and 429 (waiting
// Retry-After), network faults; 4xx other than 429 are refused for good (Prometheus answers 400
// for samples it will never take). With --data-dir the shard queues are on disk.
//
// Input is held back, not dropped: when a shard's queue is 80 % full, admit() refuses, and the
// backend turns that into 503 + Retry-After for OTLP senders (the remaining 20 % takes what is
// already on its way, such as the span metrics of the next interval). Samples that still find a
// full queue are counted as failed.
import type { Component } from '../../component/component.js';
import { RefusedError } from '../../consumer/consumer.js';
import { labelsKey, type Labels } from '../../labels/labels.js';
import { ProtoWriter } from '../../otlp/protobuf-writer.js';
import type { SelfMetrics } from '../../selfmetrics/registry.js';
import type { AppendStatus, Appender, Exemplar, MetricMetadata } from '../../storage/storage.js';
import { parseRetryAfter } from '../otlp/responses.js';
import { SendingQueue, type BackoffOptions, type SendOutcome } from '../queue/queue.js';
import type { QueueStore } from '../queue/store.js';
import { encodeWriteRequest, REMOTE_WRITE_HEADERS, snappyCompress, type WriteSeries } from './encode.js';

export interface RemoteWriteOptions {
  /** the receiver, e.g. http://prometheus:9090/api/v1/write */
  readonly url: string;
  /** the remote_name label of the self-metrics; default the URL's host */
  readonly name?: string;
  /** sent with every request (authentication, tenant) */
  readonly headers?: Readonly<Record<string, string>>;
  /** default 4 */
  readonly shards?: number;
  /** samples per request; default 2000 (Prometheus's max_samples_per_send) */
  readonly maxSamplesPerSend?: number;
  /** a partial batch is sent after this long; default 1 s */
  readonly flushMs?: number;
  /** requests each shard may hold; default 500 */
  readonly capacityPerShard?: number;
  /** bytes each shard may hold; default 32 MiB */
  readonly capacityBytesPerShard?: number;
  /** per attempt; default 30 s (Prometheus's remote_timeout) */
  readonly timeoutMs?: number;
  readonly backoff?: BackoffOptions;
  /** a durable store per shard (--data-dir); default memory */
  readonly store?: (shard: number) => QueueStore;
  /** Retry-After given to senders while a shard is too full; default 5 s */
  readonly refusalRetryAfterSeconds?: number;
}

/** Checks a --remote-write URL at start; throws saying what is wrong. */
export function parseRemoteWriteUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${text}" is not a URL (example: http://prometheus:9090/api/v1/write)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`"${text}": unsupported scheme ${url.protocol}// (use http:// or https://)`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new Error(`"${text}": put credentials in --remote-write-header, not in the URL`);
  }
  return url;
}

/** FNV-1a over a series' key: which shard a series belongs to, the same in every run. */
function shardOf(key: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}

interface PendingSeries {
  readonly labels: Labels;
  readonly t: number[];
  readonly v: number[];
  readonly stale: number[];
  hasStale: boolean;
}

class Shard {
  readonly queue: SendingQueue;
  private batch = new Map<string, PendingSeries>();
  samples = 0;

  constructor(
    readonly index: number,
    queue: SendingQueue,
  ) {
    this.queue = queue;
  }

  add(key: string, labels: Labels, t: number, v: number, stale: boolean): void {
    let s = this.batch.get(key);
    if (s === undefined) {
      s = { labels, t: [], v: [], stale: [], hasStale: false };
      this.batch.set(key, s);
    }
    s.t.push(t);
    s.v.push(v);
    s.stale.push(stale ? 1 : 0);
    if (stale) s.hasStale = true;
    this.samples++;
  }

  take(): { series: WriteSeries[]; samples: number } {
    const series: WriteSeries[] = [];
    for (const s of this.batch.values()) {
      series.push(s.hasStale ? s : { labels: s.labels, t: s.t, v: s.v });
    }
    const samples = this.samples;
    this.batch = new Map();
    this.samples = 0;
    return { series, samples };
  }
}

export class RemoteWriteExporter implements Component {
  readonly url: string;
  readonly name: string;
  private readonly shards: Shard[];
  private readonly maxSamples: number;
  private readonly flushMs: number;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly refusalRetryAfter: number;
  private readonly writer = new ProtoWriter(1 << 20);
  private timer: NodeJS.Timeout | undefined;
  private readonly placed = new WeakMap<Labels, { readonly key: string; readonly shard: Shard }>();
  /** samples that found their shard's queue full (counted as failed) */
  droppedSamples = 0;
  sentBytes = 0;
  /** newest sample timestamp handed over, in ms */
  highestTimestampMs = 0;

  constructor(opts: RemoteWriteOptions) {
    const url = parseRemoteWriteUrl(opts.url);
    this.url = url.href;
    this.name = opts.name ?? url.host;
    this.maxSamples = opts.maxSamplesPerSend ?? 2000;
    this.flushMs = opts.flushMs ?? 1000;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.refusalRetryAfter = opts.refusalRetryAfterSeconds ?? 5;
    this.headers = { ...opts.headers, ...REMOTE_WRITE_HEADERS, 'user-agent': 'orrery-remote-write' };
    const n = Math.max(1, opts.shards ?? 4);
    this.shards = [];
    for (let i = 0; i < n; i++) {
      this.shards.push(
        new Shard(
          i,
          new SendingQueue({
            name: `remote write shard ${i} to ${this.url}`,
            capacity: opts.capacityPerShard ?? 500,
            capacityBytes: opts.capacityBytesPerShard ?? 32 * 1024 * 1024,
            concurrency: 1,
            backoff: { initialMs: 30, maxMs: 5000, ...opts.backoff },
            store: opts.store?.(i),
            send: (r) => this.post(r.body),
          }),
        ),
      );
    }
  }

  /** the appender the backend writes to: the store's own, plus every accepted sample sent here */
  wrap(store: Appender): Appender {
    return new RemoteWriteAppender(store, this);
  }

  /** a sample the store kept */
  add(labels: Labels, t: number, v: number, stale: boolean): void {
    // Writers reuse one Labels object per series (as the head's own cache expects): key it once.
    let placed = this.placed.get(labels);
    if (placed === undefined) {
      const key = labelsKey(labels);
      placed = { key, shard: this.shards[shardOf(key, this.shards.length)]! };
      this.placed.set(labels, placed);
    }
    const { key, shard } = placed;
    shard.add(key, labels, t, v, stale);
    if (t > this.highestTimestampMs) this.highestTimestampMs = t;
    if (shard.samples >= this.maxSamples) this.flushShard(shard);
  }

  private flushShard(shard: Shard): void {
    if (shard.samples === 0) return;
    const { series, samples } = shard.take();
    const body = snappyCompress(encodeWriteRequest(series, this.writer));
    const refused = shard.queue.offer({ body, items: samples });
    if (refused) this.droppedSamples += samples;
  }

  /** sends every partial batch now (the flush interval, shutdown, tests) */
  flush(): void {
    for (const s of this.shards) this.flushShard(s);
  }

  /** undefined while there is room; a RefusedError (503) once a shard's queue is 80 % full */
  admit(): RefusedError | undefined {
    for (const s of this.shards) {
      const q = s.queue;
      if (q.size >= q.capacity * 0.8 || q.bytes >= q.capacityBytes * 0.8) {
        return new RefusedError(
          `remote write to ${this.url} is behind (shard ${s.index}: ${q.size} of ${q.capacity} requests queued${q.lastError ? `; last error: ${q.lastError}` : ''}); retry later`,
          this.refusalRetryAfter,
          'unavailable',
        );
      }
    }
    return undefined;
  }

  private async post(body: Uint8Array): Promise<SendOutcome> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: this.headers,
        // Queued bodies are never shared memory (the DOM typing of fetch, in the browser tests'
        // typecheck, accepts only ArrayBuffer-backed views).
        body: body as Uint8Array<ArrayBuffer>,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      const cause = (err as Error & { cause?: unknown }).cause;
      const detail = cause instanceof Error ? `: ${(cause as NodeJS.ErrnoException).code ?? cause.message}` : '';
      return { kind: 'retry', reason: `${err instanceof Error ? err.message : String(err)}${detail}` };
    }
    if (res.status >= 200 && res.status < 300) {
      this.sentBytes += body.length;
      return { kind: 'delivered' };
    }
    const reason = `HTTP ${res.status}${text.trim() ? `: ${text.trim().slice(0, 300)}` : ''}`;
    if (res.status >= 500 || res.status === 429) {
      return { kind: 'retry', reason, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) };
    }
    return { kind: 'permanent', reason };
  }

  async start(): Promise<void> {
    for (const s of this.shards) await s.queue.start();
    if (this.timer) return;
    this.timer = setInterval(() => this.flush(), this.flushMs);
    this.timer.unref();
  }

  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flush(); // into the queues: on disk they survive the restart
    await Promise.all(this.shards.map((s) => s.queue.shutdown()));
  }

  /** resolves once every batch so far is delivered or refused */
  async idle(): Promise<void> {
    this.flush();
    for (const s of this.shards) await s.queue.idle();
  }

  get queues(): readonly SendingQueue[] {
    return this.shards.map((s) => s.queue);
  }

  registerMetrics(registry: SelfMetrics): void {
    const labels = { remote_name: this.name, url: this.url };
    const sum = (read: (q: SendingQueue) => number) => () => [
      { labels, value: this.shards.reduce((n, s) => n + read(s.queue), 0) },
    ];
    registry.counterFunc(
      'prometheus_remote_storage_samples_total',
      'Total number of samples sent to remote storage.',
      sum((q) => q.sentItems),
    );
    registry.counterFunc(
      'prometheus_remote_storage_samples_failed_total',
      'Total number of samples which failed on send to remote storage, non-recoverable errors.',
      () => [{ labels, value: this.droppedSamples + this.shards.reduce((n, s) => n + s.queue.failedItems, 0) }],
    );
    registry.counterFunc(
      'prometheus_remote_storage_samples_retried_total',
      'Total number of samples which failed on send to remote storage but were retried because the send error was recoverable.',
      sum((q) => q.retriedItems),
    );
    registry.gauge(
      'prometheus_remote_storage_samples_pending',
      'The number of samples pending in the queues shards to be sent to the remote storage.',
      () => [{ labels, value: this.shards.reduce((n, s) => n + s.samples + s.queue.pendingItems, 0) }],
    );
    registry.gauge(
      'prometheus_remote_storage_shards',
      'The number of shards used for parallel sending to the remote storage.',
      () => [{ labels, value: this.shards.length }],
    );
    registry.counterFunc(
      'prometheus_remote_storage_bytes_total',
      'The total number of bytes of data (not metadata) sent by the queue after compression.',
      () => [{ labels, value: this.sentBytes }],
      'bytes',
    );
    registry.gauge(
      'prometheus_remote_storage_highest_timestamp_in_seconds',
      'Highest timestamp that has come into the remote storage via the Appender interface, in seconds since epoch.',
      () => [{ labels, value: this.highestTimestampMs / 1000 }],
      'seconds',
    );
  }
}

/** The store's appender, with each sample it kept also handed to remote write. */
class RemoteWriteAppender implements Appender {
  constructor(
    private readonly store: Appender,
    private readonly remote: RemoteWriteExporter,
  ) {}

  append(labels: Labels, t: number, v: number): AppendStatus {
    const status = this.store.append(labels, t, v);
    if (status === 'ok') this.remote.add(labels, t, v, false);
    return status;
  }

  appendStale(labels: Labels, t: number): AppendStatus {
    const status = this.store.appendStale(labels, t);
    if (status === 'ok') this.remote.add(labels, t, NaN, true);
    return status;
  }

  appendExemplar(seriesLabels: Labels, exemplar: Exemplar): void {
    // Prometheus sends exemplars only with send_exemplars: true (its receiver needs exemplar storage)
    this.store.appendExemplar(seriesLabels, exemplar);
  }

  setMetadata(metricName: string, metadata: MetricMetadata): void {
    this.store.setMetadata(metricName, metadata);
  }

  commit(): void {
    this.store.commit?.();
  }
}
