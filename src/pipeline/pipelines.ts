// The composition of the three pipelines, as a Collector config would declare them:
//   traces:  receivers → memory_limiter → [trace store, spanmetrics connector]
//   metrics: receivers → memory_limiter → [tsdb exporter]   (the connector feeds the exporter too)
//   logs:    receivers → memory_limiter → [log store, counter]
// The trace store comes first in the fan-out so that if it refuses a batch, nothing (not even
// the span metrics) has counted it.
import type { LogsConsumer, MetricsConsumer, TracesConsumer } from '../consumer/consumer.js';
import { fanOutLogs, fanOutMetrics, fanOutTraces } from './fanout.js';
import type { MemoryLimiter } from './memory-limiter.js';

export interface PipelineParts {
  readonly limiter?: MemoryLimiter;
  /** trace sinks in order (store first, then connectors) */
  readonly traces: readonly TracesConsumer[];
  readonly metrics: readonly MetricsConsumer[];
  readonly logs: readonly LogsConsumer[];
}

export interface Pipelines {
  /** what the receivers call */
  readonly traces: TracesConsumer;
  readonly metrics: MetricsConsumer;
  readonly logs: LogsConsumer;
}

export function buildPipelines(parts: PipelineParts): Pipelines {
  const traces = fanOutTraces(parts.traces);
  const metrics = fanOutMetrics(parts.metrics);
  const logs = fanOutLogs(parts.logs);
  const l = parts.limiter;
  return l ? { traces: l.traces(traces), metrics: l.metrics(metrics), logs: l.logs(logs) } : { traces, metrics, logs };
}
