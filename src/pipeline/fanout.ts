// Fan-out: one batch handed to several consumers in order, as the Collector's fanoutconsumer does
// when a pipeline has more than one exporter or connector. Consumers must treat batches as
// read-only (they are shared). If one consumer throws, the others still get the batch and the
// first error is rethrown afterwards, except that a RefusedError from the first consumer stops
// the batch before anyone keeps it (so "refused" really means nothing was kept).
import type { LogsData, MetricsData, TracesData } from '../otlp/model.js';
import {
  RefusedError,
  type Rejections,
  type LogsConsumer,
  type MetricsConsumer,
  type TracesConsumer,
} from '../consumer/consumer.js';

function fan<T>(consumers: readonly T[], call: (c: T) => void): void {
  let firstError: unknown;
  for (let i = 0; i < consumers.length; i++) {
    try {
      call(consumers[i]!);
    } catch (err) {
      if (i === 0 && err instanceof RefusedError) throw err;
      firstError ??= err;
    }
  }
  if (firstError !== undefined) throw firstError;
}

export function fanOutTraces(consumers: readonly TracesConsumer[]): TracesConsumer {
  if (consumers.length === 1) return consumers[0]!;
  return {
    consumeTraces: (batch: TracesData, rejections?: Rejections) =>
      fan(consumers, (c) => c.consumeTraces(batch, rejections)),
  };
}

export function fanOutMetrics(consumers: readonly MetricsConsumer[]): MetricsConsumer {
  if (consumers.length === 1) return consumers[0]!;
  return {
    consumeMetrics: (batch: MetricsData, rejections?: Rejections) =>
      fan(consumers, (c) => c.consumeMetrics(batch, rejections)),
  };
}

export function fanOutLogs(consumers: readonly LogsConsumer[]): LogsConsumer {
  if (consumers.length === 1) return consumers[0]!;
  return {
    consumeLogs: (batch: LogsData, rejections?: Rejections) => fan(consumers, (c) => c.consumeLogs(batch, rejections)),
  };
}
