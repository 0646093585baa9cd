// The doors between pipeline stages, in the Collector's shape: a receiver knows only a consumer;
// processors and connectors are consumers that hand batches on to further consumers; sinks
// (the stores, the self-metrics) are consumers at the end.
import type { LogsData, MetricsData, TracesData } from '../otlp/model.js';

/**
 * What the stages of one export could not keep, by reason: OTLP's partial success. A receiver
 * makes one per request and hands it down the pipeline; any stage (decoder, validator, store)
 * that drops items of an otherwise accepted batch says how many and why. The receiver answers
 * `partial_success { rejected_*: total, error_message: message() }`.
 */
export class Rejections {
  private readonly byReason = new Map<string, number>();

  /** `count` items were dropped for `reason` (a short phrase: "out of order", "too far in the future"). */
  add(reason: string, count = 1): void {
    if (count <= 0) return;
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + count);
  }

  get total(): number {
    let n = 0;
    for (const c of this.byReason.values()) n += c;
    return n;
  }

  /** counts by reason, in the order the reasons first occurred */
  entries(): [reason: string, count: number][] {
    return [...this.byReason];
  }

  /** e.g. "2 too far in the future (more than 10m after the server's clock); 1 out of order" */
  message(): string {
    return [...this.byReason].map(([reason, n]) => `${n} ${reason}`).join('; ');
  }
}

// `rejections` is optional so that a consumer used outside a receiver (tests, the connector's
// own flush) need not make one; a stage that drops items must record them when it is given.
export interface TracesConsumer {
  consumeTraces(batch: TracesData, rejections?: Rejections): void;
}

export interface MetricsConsumer {
  consumeMetrics(batch: MetricsData, rejections?: Rejections): void;
}

export interface LogsConsumer {
  consumeLogs(batch: LogsData, rejections?: Rejections): void;
}

/**
 * Why input is refused, which decides the answer (OTLP: both are retryable):
 * - 'exhausted': the client sends too much for now (request bytes in flight over their budget,
 *   memory over the soft limit): HTTP 429, gRPC RESOURCE_EXHAUSTED with RetryInfo;
 * - 'unavailable': the backend is unhealthy (memory over the hard limit): HTTP 503, gRPC
 *   UNAVAILABLE.
 */
export type RefusalKind = 'exhausted' | 'unavailable';

/**
 * Thrown by a consumer that cannot take a batch now (memory budget exceeded). Receivers turn it
 * into 429/503 with Retry-After (HTTP) or RESOURCE_EXHAUSTED/UNAVAILABLE (gRPC), so SDKs retry.
 * A consumer that throws must not have kept any part of the batch.
 */
export class RefusedError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number = 1,
    readonly kind: RefusalKind = 'unavailable',
  ) {
    super(message);
    this.name = 'RefusedError';
  }
}
