// What receivers report about their traffic, in the Collector's terms: items accepted (handed to
// the pipeline) and refused (the pipeline said no, e.g. over its memory budget). Items are spans,
// metric data points or log records. The self-metrics component implements this interface to
// produce otelcol_receiver_accepted_spans_total and friends. Malformed requests are neither:
// nothing could be counted in them.
import type { LogsData, MetricsData, TracesData } from '../otlp/model.js';

export type ReceiverSignal = 'traces' | 'metrics' | 'logs';
export type ReceiverTransport = 'http' | 'grpc';

export interface ReceiverObserver {
  accepted(signal: ReceiverSignal, items: number, transport: ReceiverTransport): void;
  refused(signal: ReceiverSignal, items: number, transport: ReceiverTransport): void;
}

export function countSpans(batch: TracesData): number {
  let n = 0;
  for (const rs of batch.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}

/** Data points of every metric type, as the Collector counts metric points. */
export function countMetricPoints(batch: MetricsData): number {
  let n = 0;
  for (const rm of batch.resourceMetrics)
    for (const sm of rm.scopeMetrics)
      for (const m of sm.metrics) if (m.data.type !== 'empty') n += m.data.dataPoints.length;
  return n;
}

export function countLogRecords(batch: LogsData): number {
  let n = 0;
  for (const rl of batch.resourceLogs) for (const sl of rl.scopeLogs) n += sl.logRecords.length;
  return n;
}
