// The doors between pipeline stages, in the Collector's shape: a receiver knows only a consumer;
// processors and connectors are consumers that hand batches on to further consumers; sinks
// (the stores, the self-metrics) are consumers at the end.
import type { LogsData, MetricsData, TracesData } from '../otlp/model.js';

export interface TracesConsumer {
  consumeTraces(batch: TracesData): void;
}

export interface MetricsConsumer {
  consumeMetrics(batch: MetricsData): void;
}

export interface LogsConsumer {
  consumeLogs(batch: LogsData): void;
}

/**
 * Thrown by a consumer that cannot take a batch now (memory budget exceeded). Receivers turn it
 * into 429/503 with Retry-After (HTTP) or RESOURCE_EXHAUSTED/UNAVAILABLE (gRPC), so SDKs retry.
 * A consumer that throws must not have kept any part of the batch.
 */
export class RefusedError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number = 1,
  ) {
    super(message);
    this.name = 'RefusedError';
  }
}
