// Holding input back while an exporter is behind: the pipelines wrapped so that a batch is
// refused (RefusedError: 503 + Retry-After to the sender) before any stage keeps it, while
// `admit` says so. Remote write uses it: its samples come out of the store, after the pipeline
// has kept them, so the only place to refuse them whole is at the front.
import { RefusedError, type LogsConsumer, type MetricsConsumer, type TracesConsumer } from '../../consumer/consumer.js';

export interface GatedPipelines {
  readonly traces: TracesConsumer;
  readonly metrics: MetricsConsumer;
  readonly logs: LogsConsumer;
}

/** `admit` is asked for every trace and metric batch (logs do not reach the metric store). */
export function gatePipelines(p: GatedPipelines, admit: () => RefusedError | undefined): GatedPipelines {
  const check = (): void => {
    const refused = admit();
    if (refused instanceof RefusedError) throw refused;
  };
  return {
    traces: {
      consumeTraces: (batch, rejections) => {
        check();
        p.traces.consumeTraces(batch, rejections);
      },
    },
    metrics: {
      consumeMetrics: (batch, rejections) => {
        check();
        p.metrics.consumeMetrics(batch, rejections);
      },
    },
    logs: p.logs,
  };
}
