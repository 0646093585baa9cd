// The Collector's spanmetrics connector (its defaults, with exemplars on): every span counts
// into a `calls` counter and a `duration` histogram (ms) keyed by its resource (service.name,
// service.namespace, service.instance.id) and the dimensions service.name, span.name, span.kind
// and status.code. The state is cumulative; every interval it is emitted as OTLP metrics into the
// metrics pipeline (which translates it to traces_span_metrics_calls_total and
// traces_span_metrics_duration_milliseconds_*), exactly as the Collector feeds its exporter.
import {
  findAttribute,
  anyValueToString,
  Temporality,
  type Exemplar,
  type HistogramDataPoint,
  type KeyValue,
  type Metric,
  type MetricsData,
  type NumberDataPoint,
  type ResourceMetrics,
  type TracesData,
} from '../../otlp/model.js';
import type { Component } from '../../component/component.js';
import { RefusedError, type MetricsConsumer, type TracesConsumer } from '../../consumer/consumer.js';
import { SPAN_KIND_LABELS, SPAN_METRICS, STATUS_CODE_LABELS } from '../../names/contract.js';
import type { SelfMetrics } from '../../selfmetrics/registry.js';

export interface SpanMetricsOptions {
  /** emit interval; default 10 s (the Collector's metrics_flush_interval is 60 s; the demo uses 10 s) */
  readonly intervalMs?: number;
  /** histogram bounds in ms (+Inf implied); default SPAN_METRICS.bucketsMs */
  readonly bucketsMs?: readonly number[];
  /** metric name prefix; default 'traces.span.metrics' */
  readonly namespace?: string;
  /** keep the trace/span ID of the latest span per bucket as an exemplar; default true */
  readonly exemplars?: boolean;
  /**
   * most series kept (the Collector's aggregation_cardinality_limit); spans beyond it count into
   * one overflow series per resource marked otel.metric.overflow=true. Default 20,000.
   */
  readonly maxSeries?: number;
  /** clock in ms; default Date.now */
  readonly now?: () => number;
}

const RESOURCE_KEYS = ['service.name', 'service.namespace', 'service.instance.id'] as const;

interface SeriesState {
  /** true for the cardinality-limit overflow series */
  readonly overflow: boolean;
  readonly attributes: readonly KeyValue[];
  readonly startTimeUnixNano: number;
  calls: number;
  sum: number;
  readonly buckets: Float64Array;
  /** latest span per bucket (undefined when exemplars are off) */
  readonly exTrace: (string | undefined)[] | undefined;
  /** 1 while a bucket's exemplar has not been flushed to the store yet */
  readonly exFresh: Uint8Array | undefined;
  readonly exSpan: string[] | undefined;
  readonly exValue: Float64Array | undefined;
  readonly exTime: Float64Array | undefined;
}

interface ResourceState {
  readonly attributes: readonly KeyValue[];
  readonly series: Map<string, SeriesState>;
  /** hot-path index: span name → slot kind * 3 + status (avoids building a key string per span) */
  readonly byName: Map<string, (SeriesState | undefined)[]>;
}

export class SpanMetricsConnector implements TracesConsumer, Component {
  readonly intervalMs: number;
  private readonly bounds: readonly number[];
  private readonly callsName: string;
  private readonly durationName: string;
  private readonly exemplars: boolean;
  private readonly maxSeries: number;
  private readonly now: () => number;
  private readonly resources = new Map<string, ResourceState>();
  private seriesCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private spans = 0;
  private overflowSpans = 0;

  constructor(
    private readonly next: MetricsConsumer,
    opts: SpanMetricsOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 10_000;
    this.bounds = opts.bucketsMs ?? SPAN_METRICS.bucketsMs;
    const ns = opts.namespace ?? 'traces.span.metrics';
    this.callsName = `${ns}.calls`;
    this.durationName = `${ns}.duration`;
    this.exemplars = opts.exemplars ?? true;
    this.maxSeries = opts.maxSeries ?? 20_000;
    this.now = opts.now ?? Date.now;
  }

  consumeTraces(batch: TracesData): void {
    const nowNs = this.now() * 1e6;
    for (const rs of batch.resourceSpans) {
      const res = this.resourceState(rs.resource.attributes);
      const serviceName = findAttribute(rs.resource.attributes, 'service.name');
      const service = serviceName ? anyValueToString(serviceName) : '';
      for (const ss of rs.scopeSpans) {
        for (const span of ss.spans) {
          const kindIdx = span.kind >= 0 && span.kind < SPAN_KIND_LABELS.length ? span.kind : 0;
          const statusIdx =
            span.status.code >= 0 && span.status.code < STATUS_CODE_LABELS.length ? span.status.code : 0;
          let slots = res.byName.get(span.name);
          if (!slots) {
            slots = new Array<SeriesState | undefined>(SPAN_KIND_LABELS.length * 3);
            res.byName.set(span.name, slots);
          }
          const slot = kindIdx * 3 + statusIdx;
          let s = slots[slot];
          if (!s) {
            const kind = SPAN_KIND_LABELS[kindIdx]!;
            const status = STATUS_CODE_LABELS[statusIdx]!;
            s = this.newSeries(res, `${span.name}\x00${kind}\x00${status}`, service, span.name, kind, status, nowNs);
            slots[slot] = s;
          }
          // Times are doubles (~256 ns precision at today's epoch): round to whole microseconds so a
          // span of exactly 2 ms lands in le="2", not le="4".
          const ms = Math.max(0, Math.round((span.endTimeUnixNano - span.startTimeUnixNano) / 1e3) / 1e3);
          const b = bucketIndex(this.bounds, ms);
          if (s.overflow) this.overflowSpans++;
          s.calls++;
          s.sum += ms;
          s.buckets[b]!++;
          if (s.exTrace) {
            s.exTrace[b] = span.traceId;
            s.exSpan![b] = span.spanId;
            s.exValue![b] = ms;
            s.exTime![b] = span.endTimeUnixNano;
            s.exFresh![b] = 1;
          }
          this.spans++;
        }
      }
    }
  }

  private resourceState(attrs: readonly KeyValue[]): ResourceState {
    const kept: KeyValue[] = [];
    let key = '';
    for (const k of RESOURCE_KEYS) {
      const v = findAttribute(attrs, k);
      if (v) {
        kept.push({ key: k, value: v });
        key += anyValueToString(v);
      }
      key += '\x00';
    }
    let r = this.resources.get(key);
    if (!r) {
      r = { attributes: kept, series: new Map(), byName: new Map() };
      this.resources.set(key, r);
    }
    return r;
  }

  private newSeries(
    res: ResourceState,
    key: string,
    service: string,
    spanName: string,
    kind: string,
    status: string,
    nowNs: number,
  ): SeriesState {
    let attributes: KeyValue[];
    if (this.seriesCount >= this.maxSeries) {
      // Cardinality limit reached: fold into this resource's overflow series.
      const existing = res.series.get('\x00overflow');
      if (existing) return existing;
      key = '\x00overflow';
      attributes = [
        str('service.name', service),
        { key: 'otel.metric.overflow', value: { kind: 'bool', value: true } },
      ];
    } else {
      attributes = [
        str('service.name', service),
        str('span.name', spanName),
        str('span.kind', kind),
        str('status.code', status),
      ];
    }
    const n = this.bounds.length + 1;
    const s: SeriesState = {
      overflow: key === '\x00overflow',
      attributes,
      startTimeUnixNano: nowNs,
      calls: 0,
      sum: 0,
      buckets: new Float64Array(n),
      exTrace: this.exemplars ? new Array<string | undefined>(n) : undefined,
      exSpan: this.exemplars ? new Array<string>(n) : undefined,
      exValue: this.exemplars ? new Float64Array(n) : undefined,
      exTime: this.exemplars ? new Float64Array(n) : undefined,
      exFresh: this.exemplars ? new Uint8Array(n) : undefined,
    };
    res.series.set(key, s);
    this.seriesCount++;
    return s;
  }

  /**
   * The cumulative state as OTLP metrics. With `drainExemplars` (the store's flush), only exemplars
   * not flushed before, marked flushed; without (GET /metrics), the latest exemplar of every bucket.
   */
  private build(drainExemplars: boolean): MetricsData {
    const timeNs = this.now() * 1e6;
    const out: ResourceMetrics[] = [];
    for (const res of this.resources.values()) {
      const calls: NumberDataPoint[] = [];
      const durations: HistogramDataPoint[] = [];
      for (const s of res.series.values()) {
        calls.push({
          attributes: s.attributes,
          startTimeUnixNano: s.startTimeUnixNano,
          timeUnixNano: timeNs,
          value: s.calls,
          exemplars: [],
          flags: 0,
        });
        const exemplars: Exemplar[] = [];
        if (s.exTrace) {
          for (let i = 0; i < s.exTrace.length; i++) {
            const traceId = s.exTrace[i];
            if (traceId === undefined || (drainExemplars && s.exFresh![i] === 0)) continue;
            exemplars.push({
              filteredAttributes: [],
              timeUnixNano: s.exTime![i]!,
              value: s.exValue![i]!,
              traceId,
              spanId: s.exSpan![i]!,
            });
            if (drainExemplars) s.exFresh![i] = 0;
          }
        }
        durations.push({
          attributes: s.attributes,
          startTimeUnixNano: s.startTimeUnixNano,
          timeUnixNano: timeNs,
          count: s.calls,
          sum: s.sum,
          bucketCounts: Array.from(s.buckets),
          explicitBounds: this.bounds,
          exemplars,
          flags: 0,
          min: undefined,
          max: undefined,
        });
      }
      if (calls.length === 0) continue;
      const metrics: Metric[] = [
        {
          name: this.callsName,
          description: 'Number of spans, by service, span name, span kind and status code.',
          unit: '',
          data: { type: 'sum', dataPoints: calls, aggregationTemporality: Temporality.CUMULATIVE, isMonotonic: true },
        },
        {
          name: this.durationName,
          description: 'Duration of spans, by service, span name, span kind and status code.',
          unit: 'ms',
          data: { type: 'histogram', dataPoints: durations, aggregationTemporality: Temporality.CUMULATIVE },
        },
      ];
      out.push({
        resource: { attributes: res.attributes, droppedAttributesCount: 0 },
        scopeMetrics: [
          { scope: { name: 'spanmetricsconnector', version: '', attributes: [] }, metrics, schemaUrl: '' },
        ],
        schemaUrl: '',
      });
    }
    return { resourceMetrics: out };
  }

  /** Emits the current state (with exemplars) into the metrics pipeline now. */
  flush(): void {
    const data = this.build(true);
    if (data.resourceMetrics.length > 0) this.next.consumeMetrics(data);
  }

  /** The current cumulative state with each bucket's latest exemplar, for GET /metrics. */
  snapshot(): MetricsData {
    return this.build(false);
  }

  /** Emits every interval until shutdown. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.flush();
      } catch (err) {
        // A refused flush (memory limit) is retried at the next interval with cumulative values.
        if (err instanceof RefusedError) return;
        console.error(`orrery: span metrics flush failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }, this.intervalMs);
    this.timer.unref();
  }

  shutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  registerMetrics(registry: SelfMetrics): void {
    registry.gauge('orrery_spanmetrics_series', 'Series held by the span metrics connector.', () => this.seriesCount);
    registry.counterFunc(
      'orrery_spanmetrics_overflow_spans_total',
      'Spans counted into the overflow series because the cardinality limit was reached.',
      () => this.overflowSpans,
    );
  }

  stats(): { spans: number; series: number; overflowSpans: number } {
    return { spans: this.spans, series: this.seriesCount, overflowSpans: this.overflowSpans };
  }
}

function str(key: string, value: string): KeyValue {
  return { key, value: { kind: 'string', value } };
}

/** Index of the first bound >= v (le semantics), bounds.length for +Inf. */
function bucketIndex(bounds: readonly number[], v: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bounds[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
