// Test doubles for receiver tests: a consumer that records what it is given (and can be told to
// refuse), and an observer that tallies counts.
import type { LogsData, MetricsData, Span, TracesData } from '../otlp/model.js';
import { RefusedError, type LogsConsumer, type MetricsConsumer, type TracesConsumer } from '../consumer/consumer.js';
import type { ReceiverObserver, ReceiverSignal, ReceiverTransport } from './observer.js';

export class RecordingConsumer implements TracesConsumer, MetricsConsumer, LogsConsumer {
  readonly traces: TracesData[] = [];
  readonly metrics: MetricsData[] = [];
  readonly logs: LogsData[] = [];
  /** return a RefusedError to refuse a trace batch */
  refuseTraces: (batch: TracesData) => RefusedError | undefined = () => undefined;
  refuseAll: RefusedError | undefined;

  consumeTraces(batch: TracesData): void {
    const refusal = this.refuseAll ?? this.refuseTraces(batch);
    if (refusal) throw refusal;
    this.traces.push(batch);
  }
  consumeMetrics(batch: MetricsData): void {
    if (this.refuseAll) throw this.refuseAll;
    this.metrics.push(batch);
  }
  consumeLogs(batch: LogsData): void {
    if (this.refuseAll) throw this.refuseAll;
    this.logs.push(batch);
  }

  spans(): Span[] {
    return this.traces.flatMap((b) => b.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
  }
}

export class CountingObserver implements ReceiverObserver {
  readonly counts = new Map<string, number>();
  private add(kind: string, signal: ReceiverSignal, items: number, transport: ReceiverTransport): void {
    const key = `${kind} ${signal} ${transport}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + items);
  }
  accepted(signal: ReceiverSignal, items: number, transport: ReceiverTransport): void {
    this.add('accepted', signal, items, transport);
  }
  refused(signal: ReceiverSignal, items: number, transport: ReceiverTransport): void {
    this.add('refused', signal, items, transport);
  }
  get(kind: 'accepted' | 'refused', signal: ReceiverSignal, transport: ReceiverTransport): number {
    return this.counts.get(`${kind} ${signal} ${transport}`) ?? 0;
  }
}

/** A one-span OTLP/JSON request; `traceId` tells requests apart in concurrency tests. */
export function jsonSpanRequest(traceId: string, spanId: string, name = 'op'): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeSpans: [{ spans: [{ traceId, spanId, name, kind: 2, startTimeUnixNano: '1', endTimeUnixNano: '2' }] }],
      },
    ],
  });
}
