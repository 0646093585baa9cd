// Cuts one decoded export into pieces of at most `maxItems` items (spans, metric data points, log
// records), keeping each piece's resource and scope, so a large export can be handed to the
// pipeline a piece at a time with the event loop free in between. Pieces share the original
// objects; nothing is copied but the arrays.
import type {
  LogsData,
  Metric,
  MetricData,
  MetricsData,
  ResourceLogs,
  ResourceMetrics,
  ResourceSpans,
  TracesData,
} from '../otlp/model.js';
import type { ExportBatch } from './decode.js';
import type { ReceiverSignal } from './observer.js';

export interface Piece<T> {
  readonly batch: T;
  readonly items: number;
}

/** Collects resources into pieces; `add` gives a resource with its part, `flush` closes a piece. */
class PieceBuilder<R, T> {
  readonly pieces: Piece<T>[] = [];
  private current: R[] = [];
  private items = 0;

  constructor(
    private readonly maxItems: number,
    private readonly wrap: (resources: R[]) => T,
  ) {}

  room(): number {
    return this.maxItems - this.items;
  }

  add(resource: R, items: number): void {
    this.current.push(resource);
    this.items += items;
    if (this.items >= this.maxItems) this.flush();
  }

  flush(): void {
    if (this.current.length === 0) return;
    this.pieces.push({ batch: this.wrap(this.current), items: this.items });
    this.current = [];
    this.items = 0;
  }
}

export function splitTraces(batch: TracesData, maxItems: number): Piece<TracesData>[] {
  const b = new PieceBuilder<ResourceSpans, TracesData>(maxItems, (resourceSpans) => ({ resourceSpans }));
  for (const rs of batch.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (let i = 0; i < ss.spans.length;) {
        const n = Math.min(b.room(), ss.spans.length - i);
        b.add({ ...rs, scopeSpans: [{ ...ss, spans: ss.spans.slice(i, i + n) }] }, n);
        i += n;
      }
    }
  }
  b.flush();
  return b.pieces;
}

export function splitLogs(batch: LogsData, maxItems: number): Piece<LogsData>[] {
  const b = new PieceBuilder<ResourceLogs, LogsData>(maxItems, (resourceLogs) => ({ resourceLogs }));
  for (const rl of batch.resourceLogs) {
    for (const sl of rl.scopeLogs) {
      for (let i = 0; i < sl.logRecords.length;) {
        const n = Math.min(b.room(), sl.logRecords.length - i);
        b.add({ ...rl, scopeLogs: [{ ...sl, logRecords: sl.logRecords.slice(i, i + n) }] }, n);
        i += n;
      }
    }
  }
  b.flush();
  return b.pieces;
}

function withPoints(metric: Metric, from: number, to: number): Metric {
  if (metric.data.type === 'empty') return metric;
  const data = { ...metric.data, dataPoints: metric.data.dataPoints.slice(from, to) } as MetricData;
  return { ...metric, data };
}

export function splitMetrics(batch: MetricsData, maxItems: number): Piece<MetricsData>[] {
  const b = new PieceBuilder<ResourceMetrics, MetricsData>(maxItems, (resourceMetrics) => ({ resourceMetrics }));
  for (const rm of batch.resourceMetrics) {
    for (const sm of rm.scopeMetrics) {
      for (const metric of sm.metrics) {
        const points = metric.data.type === 'empty' ? 0 : metric.data.dataPoints.length;
        if (points === 0) continue; // carries nothing the pipeline keeps
        for (let i = 0; i < points;) {
          const n = Math.min(b.room(), points - i);
          b.add({ ...rm, scopeMetrics: [{ ...sm, metrics: [withPoints(metric, i, i + n)] }] }, n);
          i += n;
        }
      }
    }
  }
  b.flush();
  return b.pieces;
}

export function splitBatch(signal: ReceiverSignal, batch: ExportBatch, maxItems: number): Piece<ExportBatch>[] {
  switch (signal) {
    case 'traces':
      return splitTraces(batch as TracesData, maxItems);
    case 'metrics':
      return splitMetrics(batch as MetricsData, maxItems);
    case 'logs':
      return splitLogs(batch as LogsData, maxItems);
  }
}
