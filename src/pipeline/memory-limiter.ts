// The Collector's memory_limiter processor, extended to the bytes still arriving. It watches what
// really holds memory (the V8 heap plus every ArrayBuffer and Buffer outside it: the stores'
// segments, request bodies, gRPC frames), against two limits:
//   - soft (default 80% of the hard one, the Collector's 20% spike allowance): first collect
//     garbage (when node runs with --expose-gc), then make room by evicting the oldest traces;
//     still over → refuse input as "exhausted" (429 / RESOURCE_EXHAUSTED), the client backs off;
//   - hard (--memory-limit): refuse as "unavailable" (503 / UNAVAILABLE).
// Request bodies are bounded too: every receiver reserves the bytes of a body as they arrive from
// one budget shared by all connections and both transports; a request that would pass it is
// refused at once instead of being buffered (60 slow 15 MB uploads can hold at most the budget).
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Component } from '../component/component.js';
import type { LogsData, MetricsData, TracesData } from '../otlp/model.js';
import type { SelfMetrics } from '../selfmetrics/registry.js';
import {
  RefusedError,
  type RefusalKind,
  type Rejections,
  type LogsConsumer,
  type MetricsConsumer,
  type TracesConsumer,
} from '../consumer/consumer.js';

export interface MemoryLimiterOptions {
  /** the hard limit on memory used; default 85% of V8's heap size limit */
  readonly limitBytes?: number;
  /** the soft limit; default 80% of the hard limit */
  readonly softLimitBytes?: number;
  /** request body bytes all receivers together may hold while reading; default max(32 MiB, 20% of the hard limit) */
  readonly inFlightLimitBytes?: number;
  /** how often memory is sampled while idle; default 1000 ms (the Collector's check_interval) */
  readonly checkIntervalMs?: number;
  /** Retry-After suggested to clients; default 2 s */
  readonly retryAfterSeconds?: number;
  /** bytes in use, replaceable in tests; default V8 heap used + external memory + the runtime's own at start */
  readonly memoryUsed?: () => number;
  /** frees memory by dropping the oldest data; returns the bytes freed (the trace store's evictOldest) */
  readonly evict?: (bytes: number) => number;
  /** a full garbage collection; default V8's own (exposed at run time); null: none */
  readonly gc?: (() => void) | null;
  /** clock in ms, replaceable in tests */
  readonly now?: () => number;
}

export type MemoryState = 'ok' | 'soft' | 'hard';

/** The bytes one request holds while its body arrives; released whatever the outcome. */
export interface BodyReservation {
  /** adds bytes as they arrive; a RefusedError (and nothing added) when the shared budget cannot hold them */
  add(bytes: number): RefusedError | undefined;
  /** returns everything this request reserved; idempotent */
  release(): void;
}

/** What a receiver asks before and while reading a request. */
export interface RequestAdmission {
  /** a reservation for a new request's body, or why it must be refused now */
  admit(): BodyReservation | RefusedError;
}

const NO_RESERVATION: BodyReservation = { add: () => undefined, release: () => {} };

/** Admits everything: for receivers run without a limiter (tests, tools). */
export const UNLIMITED_ADMISSION: RequestAdmission = { admit: () => NO_RESERVATION };

/** How soon after a sample a request may trigger another one (memory moves fast under a burst). */
const RESAMPLE_MS = 50;
/** Without --expose-gc, evicted bytes are credited for this long, until a collection shows them freed. */
const EVICTION_CREDIT_MS = 5000;

/**
 * A full collection. Without one, bytes the limiter evicts stay counted until V8 gets round to
 * collecting them, and the limiter either refuses for nothing or evicts again and again (a 200 MB
 * limit under load emptied the trace store). node's --expose-gc flag can also be set at run time;
 * the function then lives in every new context.
 */
function runtimeGc(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Heap used + external memory (every ArrayBuffer and Buffer: segments, bodies, frames) + what the
 * runtime itself held at start beyond those (code, stacks, malloc arenas: RSS at start less heap
 * and external then). Plain RSS would count pages the allocator keeps after a collection, so
 * after an eviction it would not fall and the limiter would evict the trace store to nothing;
 * heap + external alone ignores the runtime's ~50 MB and lets RSS run well past the limit.
 * Sampled through V8's heap statistics, which give the same two figures as
 * process.memoryUsage() at a twentieth of its cost (that one reads RSS from /proc every time;
 * under ingest it showed in profiles).
 */
export function memoryUsedMeter(): () => number {
  const start = process.memoryUsage();
  const runtime = Math.max(0, start.rss - start.heapUsed - start.external);
  return () => {
    const h = getHeapStatistics();
    return h.used_heap_size + h.external_memory + runtime;
  };
}

export class MemoryLimiter implements RequestAdmission, Component {
  readonly limitBytes: number;
  readonly softLimitBytes: number;
  readonly inFlightLimitBytes: number;
  private readonly retryAfter: number;
  private readonly memoryUsed: () => number;
  private readonly evict: ((bytes: number) => number) | undefined;
  private readonly gc: (() => void) | undefined;
  private readonly now: () => number;
  private readonly checkIntervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private state: MemoryState = 'ok';
  private lastCheck = -Infinity;
  private lastUsed = 0;
  private credit = 0;
  private creditUntil = -Infinity;
  private inFlight = 0;
  /** the most body bytes held at once since start (tests and benchmarks read it) */
  peakInFlightBytes = 0;
  refusedBatches = 0;
  readonly refusedRequests: Record<RefusalKind, number> = { exhausted: 0, unavailable: 0 };
  evictedBytes = 0;

  constructor(opts: MemoryLimiterOptions = {}) {
    this.limitBytes = opts.limitBytes ?? Math.floor(getHeapStatistics().heap_size_limit * 0.85);
    this.softLimitBytes = Math.min(opts.softLimitBytes ?? Math.floor(this.limitBytes * 0.8), this.limitBytes);
    this.inFlightLimitBytes = opts.inFlightLimitBytes ?? Math.max(32 * 1024 * 1024, Math.floor(this.limitBytes * 0.2));
    this.retryAfter = opts.retryAfterSeconds ?? 2;
    this.memoryUsed = opts.memoryUsed ?? memoryUsedMeter();
    this.evict = opts.evict;
    this.gc = opts.gc === null ? undefined : (opts.gc ?? runtimeGc());
    this.now = opts.now ?? Date.now;
    this.checkIntervalMs = opts.checkIntervalMs ?? 1000;
  }

  start(): void {
    if (this.timer) return;
    this.check();
    this.timer = setInterval(() => this.check(), this.checkIntervalMs);
    this.timer.unref();
  }

  shutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** bytes of request bodies held right now */
  get inFlightBytes(): number {
    return this.inFlight;
  }

  /** memory used at the last sample, less evicted bytes not yet collected */
  get usedBytes(): number {
    return this.lastUsed;
  }

  /** Samples memory now, collecting and evicting above the soft limit; returns the state. */
  check(): MemoryState {
    const now = this.now();
    this.lastCheck = now;
    if (now >= this.creditUntil) this.credit = 0;
    let used = this.memoryUsed() - this.credit;
    if (used > this.softLimitBytes && this.gc) {
      this.gc();
      this.credit = 0;
      used = this.memoryUsed();
    }
    if (used > this.softLimitBytes && this.evict) {
      // Evict below the soft limit (to 90% of it) so that the next few samples do not evict again.
      const freed = this.evict(used - Math.floor(this.softLimitBytes * 0.9));
      if (freed > 0) {
        this.evictedBytes += freed;
        if (this.gc) {
          this.gc();
          used = this.memoryUsed();
        } else {
          // Freed typed arrays go back only at the next collection; until it comes, count them as gone.
          this.credit += freed;
          this.creditUntil = now + EVICTION_CREDIT_MS;
          used -= freed;
        }
      }
    }
    this.lastUsed = used;
    this.state = used > this.limitBytes ? 'hard' : used > this.softLimitBytes ? 'soft' : 'ok';
    return this.state;
  }

  private current(): MemoryState {
    if (this.now() - this.lastCheck >= RESAMPLE_MS) this.check();
    return this.state;
  }

  private refusal(state: MemoryState): RefusedError | undefined {
    if (state === 'hard') {
      return new RefusedError(
        `memory limit exceeded (${this.lastUsed} bytes in use, hard limit ${this.limitBytes}); retry later`,
        this.retryAfter,
        'unavailable',
      );
    }
    if (state === 'soft') {
      return new RefusedError(
        `memory over its soft limit (${this.lastUsed} bytes in use, soft limit ${this.softLimitBytes}); retry later`,
        this.retryAfter,
        'exhausted',
      );
    }
    return undefined;
  }

  admit(): BodyReservation | RefusedError {
    const refused = this.refusal(this.current());
    if (refused) {
      this.refusedRequests[refused.kind]++;
      return refused;
    }
    let held = 0;
    return {
      add: (bytes) => {
        if (this.inFlight + bytes > this.inFlightLimitBytes) {
          this.refusedRequests.exhausted++;
          return new RefusedError(
            `too much request data in flight (${this.inFlight} bytes being received, limit ${this.inFlightLimitBytes}); retry later`,
            this.retryAfter,
            'exhausted',
          );
        }
        held += bytes;
        this.inFlight += bytes;
        if (this.inFlight > this.peakInFlightBytes) this.peakInFlightBytes = this.inFlight;
        return undefined;
      },
      release: () => {
        this.inFlight -= held;
        held = 0;
      },
    };
  }

  private admitBatch(): void {
    const refused = this.refusal(this.current());
    if (refused) {
      this.refusedBatches++;
      throw refused;
    }
  }

  traces(next: TracesConsumer): TracesConsumer {
    return {
      consumeTraces: (batch: TracesData, rejections?: Rejections) => {
        this.admitBatch();
        next.consumeTraces(batch, rejections);
      },
    };
  }

  metrics(next: MetricsConsumer): MetricsConsumer {
    return {
      consumeMetrics: (batch: MetricsData, rejections?: Rejections) => {
        this.admitBatch();
        next.consumeMetrics(batch, rejections);
      },
    };
  }

  logs(next: LogsConsumer): LogsConsumer {
    return {
      consumeLogs: (batch: LogsData, rejections?: Rejections) => {
        this.admitBatch();
        next.consumeLogs(batch, rejections);
      },
    };
  }

  registerMetrics(registry: SelfMetrics): void {
    registry.counterFunc(
      'orrery_memory_limiter_refused_batches_total',
      'Batches refused by the memory limiter.',
      () => this.refusedBatches,
    );
    registry.counterFunc(
      'orrery_memory_limiter_refused_requests_total',
      'OTLP requests refused before their body was read, by reason (exhausted: 429, unavailable: 503).',
      () => [
        { labels: { reason: 'exhausted' }, value: this.refusedRequests.exhausted },
        { labels: { reason: 'unavailable' }, value: this.refusedRequests.unavailable },
      ],
    );
    registry.gauge(
      'orrery_memory_limiter_used_bytes',
      'Memory in use as the memory limiter counts it (V8 heap and external buffers).',
      () => this.lastUsed,
      'bytes',
    );
    registry.gauge(
      'orrery_memory_limiter_in_flight_bytes',
      'Bytes of OTLP request bodies being received.',
      () => this.inFlight,
      'bytes',
    );
    registry.counterFunc(
      'orrery_memory_limiter_evicted_bytes_total',
      'Bytes of stored traces evicted to stay under the soft memory limit.',
      () => this.evictedBytes,
      'bytes',
    );
  }
}
