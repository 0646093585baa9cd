// The sending queue in front of every exporter that talks to another process (the Collector's
// exporterhelper: sending_queue + retry_on_failure). Requests are encoded before they are queued,
// so the bound is exact in bytes, a request can live on disk as it is, and a retry sends the same
// bytes again. Bounded twice, by requests and by bytes: when either is reached, offer() refuses
// (the pipeline turns that into 503 + Retry-After for the sender) instead of holding more memory.
//
// A request stays in the queue (and counts towards its bound) until it is delivered or refused
// for good: while the upstream is down, retrying requests still hold their place, so memory stays
// bounded whatever the outage. Retries back off exponentially with jitter, or wait what the
// upstream asked (Retry-After, gRPC RetryInfo). By default they go on until delivered, since the
// refusals at the front already stop new data; with `maxElapsedMs` (the Collector's
// retry_on_failure max_elapsed_time, OTLP forwarding) a request whose error may be permanent (an
// HTTP 500) and still fails that long after the first such answer is dropped and counted as
// failed, so an error that only looks transient cannot hold the queue for ever, while an upstream
// that is down or overloaded loses nothing however long it takes. With one worker, requests leave in the order they came (remote write
// relies on it for per-series order).
import type { Component } from '../../component/component.js';
import { RefusedError } from '../../consumer/consumer.js';
import { formatDuration } from '../../promql/parser/format.js';
import { MemoryQueueStore, type QueueStore, type StoredRequest } from './store.js';

export interface QueuedRequest {
  /** the encoded request, sent as it is (and again on retry) */
  readonly body: Uint8Array;
  /** spans, metric points, log records or samples in it, for the counters */
  readonly items: number;
  /** the body is gzip-compressed (a client's compressed request passed on as it came) */
  readonly gzipped?: boolean;
}

/** What one attempt came to. */
export type SendOutcome =
  /** accepted; `rejected` items of it refused for good by the upstream (OTLP partial success) */
  | { readonly kind: 'delivered'; readonly rejected?: number }
  /**
   * worth another try (HTTP 429/500/502/503/504, gRPC UNAVAILABLE, a reset connection, a timeout);
   * `mayBePermanent` marks an error that only looks transient (HTTP 500): retried within the
   * backoff's maxElapsedMs only
   */
  | {
      readonly kind: 'retry';
      readonly reason: string;
      readonly retryAfterMs?: number;
      readonly mayBePermanent?: boolean;
    }
  /** will never succeed (HTTP 400, gRPC INVALID_ARGUMENT): dropped and counted as failed */
  | { readonly kind: 'permanent'; readonly reason: string };

export interface BackoffOptions {
  /** first wait after a failure; default 1 s */
  readonly initialMs?: number;
  /** longest wait; default 10 s */
  readonly maxMs?: number;
  /** growth per failure; default 1.5 (the Collector's) */
  readonly multiplier?: number;
  /** ± fraction of randomness; default 0.5 (the Collector's) */
  readonly jitter?: number;
  /** a Retry-After longer than this is cut to it; default 60 s */
  readonly maxRetryAfterMs?: number;
  /**
   * give up on a request once the next retry would start later than this after its first
   * attempt (dropped, counted as failed, logged); default: never (0 and Infinity too)
   */
  readonly maxElapsedMs?: number;
}

export interface SendingQueueOptions {
  /** for log lines: 'otlp http://collector:4318' */
  readonly name: string;
  /** most requests held; default 1000 (the Collector's queue_size) */
  readonly capacity?: number;
  /** most bytes held; default 64 MiB */
  readonly capacityBytes?: number;
  /** requests in flight at once; default 1 (in order) */
  readonly concurrency?: number;
  readonly send: (request: QueuedRequest) => Promise<SendOutcome>;
  readonly backoff?: BackoffOptions;
  /** where queued requests are kept; default memory (lost on restart) */
  readonly store?: QueueStore;
  /** Retry-After suggested to senders refused by a full queue; default 5 s */
  readonly refusalRetryAfterSeconds?: number;
  /** each permanent failure, for the exporter's log; default console.error */
  readonly onPermanentFailure?: (reason: string, request: QueuedRequest) => void;
}

export class SendingQueue implements Component {
  readonly name: string;
  readonly capacity: number;
  readonly capacityBytes: number;
  /** how long after its first attempt a failing request is given up (Infinity: never) */
  readonly maxElapsedMs: number;
  private readonly concurrency: number;
  private readonly sendOne: (request: QueuedRequest) => Promise<SendOutcome>;
  private readonly backoff: Required<BackoffOptions>;
  private readonly store: QueueStore;
  private readonly refusalRetryAfter: number;
  private readonly onPermanentFailure: (reason: string, request: QueuedRequest) => void;
  /** waiting to be taken by a worker, oldest first */
  private readonly pending: StoredRequest[] = [];
  private held = 0;
  private heldBytes = 0;
  private running = false;
  private workers: Promise<void>[] = [];
  /** idle workers waiting for a request */
  private readonly waiting: (() => void)[] = [];
  private readonly sleeping = new Set<() => void>();
  private idleWaiters: (() => void)[] = [];
  /** items delivered, refused for good, and sent again after a failure */
  sentItems = 0;
  failedItems = 0;
  retriedItems = 0;
  refusedOffers = 0;
  lastError = '';

  constructor(opts: SendingQueueOptions) {
    this.name = opts.name;
    this.capacity = opts.capacity ?? 1000;
    this.capacityBytes = opts.capacityBytes ?? 64 * 1024 * 1024;
    this.concurrency = Math.max(1, opts.concurrency ?? 1);
    this.sendOne = opts.send;
    this.backoff = {
      initialMs: opts.backoff?.initialMs ?? 1000,
      maxMs: opts.backoff?.maxMs ?? 10_000,
      multiplier: opts.backoff?.multiplier ?? 1.5,
      jitter: opts.backoff?.jitter ?? 0.5,
      maxRetryAfterMs: opts.backoff?.maxRetryAfterMs ?? 60_000,
      maxElapsedMs: opts.backoff?.maxElapsedMs || Infinity,
    };
    this.maxElapsedMs = this.backoff.maxElapsedMs;
    this.store = opts.store ?? new MemoryQueueStore();
    this.refusalRetryAfter = opts.refusalRetryAfterSeconds ?? 5;
    this.onPermanentFailure =
      opts.onPermanentFailure ??
      ((reason, r) => console.error(`orrery: ${this.name}: dropped ${r.items} items: ${reason}`));
  }

  /** requests held (waiting, in flight or backing off): the Collector's queue size */
  get size(): number {
    return this.held;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  /** items in requests held, delivered or not yet */
  get pendingItems(): number {
    let n = 0;
    for (const r of this.pending) n += r.request.items;
    return n + this.inFlightItems;
  }
  private inFlightItems = 0;

  /**
   * Queues a request, or says why not: a RefusedError ('unavailable': 503 + Retry-After) when the
   * queue is full. Nothing is kept when refused.
   */
  offer(request: QueuedRequest): RefusedError | undefined {
    if (!this.hasRoomFor(request)) {
      this.refusedOffers++;
      return new RefusedError(
        `sending queue of ${this.name} is full (${this.held} requests, ${this.heldBytes} bytes; capacity ${this.capacity} requests, ${this.capacityBytes} bytes): ${this.lastError || 'the upstream is slower than the input'}; retry later`,
        this.refusalRetryAfter,
        'unavailable',
      );
    }
    this.hold(this.store.add(request));
    return undefined;
  }

  /** whether offer() would take the request now */
  hasRoomFor(request: QueuedRequest): boolean {
    return this.held + 1 <= this.capacity && this.heldBytes + request.body.length <= this.capacityBytes;
  }

  private hold(stored: StoredRequest): void {
    this.held++;
    this.heldBytes += stored.request.body.length;
    this.pending.push(stored);
    this.waiting.shift()?.();
  }

  async start(): Promise<void> {
    if (this.running) return;
    for (const stored of await this.store.load()) this.hold(stored);
    this.running = true;
    for (let i = 0; i < this.concurrency; i++) this.workers.push(this.work());
  }

  /**
   * Stops sending. Requests still held stay in the store (on disk they are sent after the next
   * start); a send in flight is awaited for at most `graceMs`.
   */
  async shutdown(graceMs = 2000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const w of this.waiting.splice(0)) w();
    for (const wakeUp of this.sleeping) wakeUp();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.workers),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    this.workers = [];
    await this.store.close();
  }

  /** resolves when nothing is held (benchmarks and tests) */
  idle(): Promise<void> {
    if (this.held === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async work(): Promise<void> {
    while (this.running) {
      const next = this.pending.shift();
      if (next === undefined) {
        await new Promise<void>((resolve) => this.waiting.push(resolve));
        continue;
      }
      this.inFlightItems += next.request.items;
      const done = await this.deliver(next);
      this.inFlightItems -= next.request.items;
      if (!done) {
        // shut down while it was still undelivered: it stays in the store
        this.pending.unshift(next);
        continue;
      }
      this.held--;
      this.heldBytes -= next.request.body.length;
      this.store.remove(next);
      if (this.held === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** true once the request has left the queue for good (delivered or refused), false on shutdown */
  private async deliver(stored: StoredRequest): Promise<boolean> {
    const { request } = stored;
    /** when the upstream first gave an answer that may be permanent */
    let firstDoubtful: number | undefined;
    for (let attempt = 0; this.running; attempt++) {
      if (attempt > 0) this.retriedItems += request.items;
      let outcome: SendOutcome;
      try {
        outcome = await this.sendOne(request);
      } catch (err) {
        outcome = { kind: 'retry', reason: err instanceof Error ? err.message : String(err) };
      }
      if (outcome.kind === 'delivered') {
        const rejected = Math.min(request.items, Math.max(0, outcome.rejected ?? 0));
        this.sentItems += request.items - rejected;
        this.failedItems += rejected;
        this.lastError = '';
        return true;
      }
      if (outcome.kind === 'permanent') {
        this.failedItems += request.items;
        this.onPermanentFailure(outcome.reason, request);
        return true;
      }
      this.lastError = outcome.reason;
      const wait = this.delay(attempt, outcome.retryAfterMs);
      if (outcome.mayBePermanent === true) firstDoubtful ??= Date.now();
      const elapsed = firstDoubtful === undefined ? 0 : Date.now() - firstDoubtful;
      if (firstDoubtful !== undefined && elapsed + wait > this.backoff.maxElapsedMs) {
        this.failedItems += request.items;
        const tries = attempt + 1;
        this.onPermanentFailure(
          `still failing after ${tries} attempt${tries === 1 ? '' : 's'} in ${formatDuration(elapsed >= 1000 ? Math.round(elapsed / 100) * 100 : elapsed)} (the retry limit is ${formatDuration(this.backoff.maxElapsedMs)}): ${outcome.reason}`,
          request,
        );
        return true;
      }
      await this.sleep(wait);
    }
    return false;
  }

  /** the wait before retry number attempt+1 */
  delay(attempt: number, retryAfterMs?: number): number {
    const b = this.backoff;
    if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, b.maxRetryAfterMs);
    const base = Math.min(b.maxMs, b.initialMs * b.multiplier ** attempt);
    return Math.max(0, Math.round(base * (1 + b.jitter * (2 * Math.random() - 1))));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wakeUp = (): void => {
        clearTimeout(timer);
        this.sleeping.delete(wakeUp);
        resolve();
      };
      const timer = setTimeout(wakeUp, ms);
      this.sleeping.add(wakeUp);
    });
  }
}
