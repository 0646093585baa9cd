// The Collector's memory_limiter processor: refuses batches while the V8 heap is above a soft
// limit, so receivers answer 429/503 with Retry-After (HTTP) or RESOURCE_EXHAUSTED (gRPC) and the
// SDKs retry later, instead of the process running out of heap and losing everything. The heap
// is sampled on a timer and every 64 batches (reading it per batch costs more than it is worth).
import { getHeapStatistics } from 'node:v8';
import type { LogsData, MetricsData, TracesData } from '../otlp/model.js';
import {
  RefusedError,
  type Rejections,
  type LogsConsumer,
  type MetricsConsumer,
  type TracesConsumer,
} from './consumer.js';

export interface MemoryLimiterOptions {
  /** refuse while heap used exceeds this; default 85% of V8's heap size limit */
  readonly limitBytes?: number;
  /** how often the heap is sampled; default 1000 ms (the Collector's check_interval) */
  readonly checkIntervalMs?: number;
  /** Retry-After suggested to clients; default 2 s */
  readonly retryAfterSeconds?: number;
  /** heap reader, replaceable in tests */
  readonly heapUsed?: () => number;
}

export class MemoryLimiter {
  readonly limitBytes: number;
  private readonly retryAfter: number;
  private readonly heapUsed: () => number;
  private readonly checkIntervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private over = false;
  private batchesSinceCheck = 0;
  refusedBatches = 0;

  constructor(opts: MemoryLimiterOptions = {}) {
    this.limitBytes = opts.limitBytes ?? Math.floor(getHeapStatistics().heap_size_limit * 0.85);
    this.retryAfter = opts.retryAfterSeconds ?? 2;
    this.heapUsed = opts.heapUsed ?? (() => getHeapStatistics().used_heap_size);
    this.checkIntervalMs = opts.checkIntervalMs ?? 1000;
  }

  start(): void {
    if (this.timer) return;
    this.check();
    this.timer = setInterval(() => this.check(), this.checkIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Samples the heap now; returns true when over the limit. */
  check(): boolean {
    this.batchesSinceCheck = 0;
    this.over = this.heapUsed() > this.limitBytes;
    return this.over;
  }

  private admit(): void {
    // Re-sample every 64 batches as well, so a burst between timer ticks cannot run away.
    if (++this.batchesSinceCheck >= 64) this.check();
    if (this.over) {
      this.refusedBatches++;
      throw new RefusedError(
        `memory limit exceeded (heap over ${this.limitBytes} bytes); retry later`,
        this.retryAfter,
      );
    }
  }

  traces(next: TracesConsumer): TracesConsumer {
    return {
      consumeTraces: (batch: TracesData, rejections?: Rejections) => {
        this.admit();
        next.consumeTraces(batch, rejections);
      },
    };
  }

  metrics(next: MetricsConsumer): MetricsConsumer {
    return {
      consumeMetrics: (batch: MetricsData, rejections?: Rejections) => {
        this.admit();
        next.consumeMetrics(batch, rejections);
      },
    };
  }

  logs(next: LogsConsumer): LogsConsumer {
    return {
      consumeLogs: (batch: LogsData, rejections?: Rejections) => {
        this.admit();
        next.consumeLogs(batch, rejections);
      },
    };
  }
}
