// OTLP metrics → Prometheus series, samples, exemplars and metadata, appended into an Appender.
// Follows Prometheus's OTLP translator (storage/remote/otlptranslator/prometheusremotewrite):
//  - names and label names as in ./naming.ts;
//  - data point attributes become labels (sorted by key; keys that collide after sanitising have
//    their values joined with ';'), then promoted resource attributes (default service.name →
//    service_name) where no such label exists, then job (service.namespace/service.name) and
//    instance (service.instance.id), then __name__ and le/quantile;
//  - the other resource attributes go to a `target_info` gauge (value 1) per resource;
//  - histograms become cumulative _bucket{le}, _sum, _count; +Inf = count;
//  - exemplars keep trace_id/span_id as labels; on histograms each goes to the first bucket
//    whose bound is >= its value;
//  - FLAG_NO_RECORDED_VALUE becomes a staleness marker.
// Unlike Prometheus 2.x (which drops delta temporality), delta sums and delta histograms are
// accumulated here into cumulative series, so SDKs configured for delta still work with rate().
import {
  anyValueToString,
  Temporality,
  type Exemplar as OtlpExemplar,
  type ExponentialHistogramDataPoint,
  type HistogramDataPoint,
  type KeyValue,
  type Metric,
  type MetricsData,
  type NumberDataPoint,
  type Resource,
} from '../../otlp/model.js';
import { labelsKey, METRIC_NAME, sortLabels, type Label, type Labels } from '../../tsdb/labels.js';
import type { Appender, Exemplar, MetricMetadata } from '../../tsdb/storage.js';
import { formatFloatF, prometheusLabelName, prometheusMetricName, unitWord } from './naming.js';

export interface TranslationOptions {
  /** resource attributes copied onto every series (as sanitised label names); default ['service.name'] */
  readonly promoteResourceAttributes?: readonly string[];
  /** emit target_info for resources with non-identifying attributes; default true */
  readonly targetInfo?: boolean;
  /** clock for points without a timestamp (ms); default Date.now */
  readonly now?: () => number;
}

export interface TranslationStats {
  samples: number;
  exemplars: number;
  /** points of unsupported or empty kinds */
  skippedPoints: number;
}

const SERVICE_NAME = 'service.name';
const SERVICE_NAMESPACE = 'service.namespace';
const SERVICE_INSTANCE_ID = 'service.instance.id';
const FLAG_NO_RECORDED_VALUE = 1;

interface ResourceContext {
  /** labels every series of the resource gets after its own attributes: promoted, job, instance */
  readonly promoted: readonly (readonly [string, string])[];
  readonly job: string | undefined;
  readonly instance: string | undefined;
}

interface DeltaHistogramState {
  bounds: readonly number[];
  counts: number[];
  count: number;
  sum: number;
  lastSeenMs: number;
}

interface NameCacheEntry {
  readonly name: string;
  readonly metadata: MetricMetadata;
}

export class OtlpToPrometheus {
  private readonly promote: readonly string[];
  private readonly targetInfo: boolean;
  private readonly now: () => number;
  /** running totals of delta sums, by series key */
  private readonly deltaSums = new Map<string, { value: number; lastSeenMs: number }>();
  private readonly deltaHistograms = new Map<string, DeltaHistogramState>();
  private readonly nameCache = new Map<string, NameCacheEntry>();

  constructor(opts: TranslationOptions = {}) {
    this.promote = opts.promoteResourceAttributes ?? [SERVICE_NAME];
    this.targetInfo = opts.targetInfo ?? true;
    this.now = opts.now ?? Date.now;
  }

  /** Appends every series of the batch; returns counts. Never throws on odd input. */
  translate(batch: MetricsData, out: Appender): TranslationStats {
    const stats: TranslationStats = { samples: 0, exemplars: 0, skippedPoints: 0 };
    for (const rm of batch.resourceMetrics) {
      const ctx = this.resourceContext(rm.resource);
      let maxT = -Infinity;
      for (const sm of rm.scopeMetrics) {
        for (const metric of sm.metrics) {
          const t = this.translateMetric(metric, ctx, out, stats);
          if (t > maxT) maxT = t;
        }
      }
      if (this.targetInfo && Number.isFinite(maxT)) this.emitTargetInfo(rm.resource, ctx, maxT, out, stats);
    }
    return stats;
  }

  /** Forgets delta accumulators not updated since `cutoffMs` (bounded memory for departed series). */
  prune(cutoffMs: number): void {
    for (const [k, s] of this.deltaSums) if (s.lastSeenMs < cutoffMs) this.deltaSums.delete(k);
    for (const [k, s] of this.deltaHistograms) if (s.lastSeenMs < cutoffMs) this.deltaHistograms.delete(k);
  }

  private resourceContext(resource: Resource): ResourceContext {
    let serviceName: string | undefined;
    let namespace: string | undefined;
    let instance: string | undefined;
    const promoted: [string, string][] = [];
    for (const kv of resource.attributes) {
      if (kv.key === SERVICE_NAME) serviceName = anyValueToString(kv.value);
      else if (kv.key === SERVICE_NAMESPACE) namespace = anyValueToString(kv.value);
      else if (kv.key === SERVICE_INSTANCE_ID) instance = anyValueToString(kv.value);
      if (this.promote.includes(kv.key)) promoted.push([prometheusLabelName(kv.key), anyValueToString(kv.value)]);
    }
    const job = serviceName === undefined ? undefined : namespace ? `${namespace}/${serviceName}` : serviceName;
    return { promoted, job, instance };
  }

  private emitTargetInfo(
    resource: Resource,
    ctx: ResourceContext,
    t: number,
    out: Appender,
    stats: TranslationStats,
  ): void {
    const rest = resource.attributes.filter(
      (kv) => kv.key !== SERVICE_NAME && kv.key !== SERVICE_NAMESPACE && kv.key !== SERVICE_INSTANCE_ID,
    );
    if (rest.length === 0 || (ctx.job === undefined && ctx.instance === undefined)) return;
    const base = attributeLabels(rest);
    if (ctx.job !== undefined) base.set('job', ctx.job);
    if (ctx.instance !== undefined) base.set('instance', ctx.instance);
    out.setMetadata('target_info', { type: 'gauge', help: 'Target metadata', unit: '' });
    out.append(seriesLabels(base, 'target_info'), t, 1);
    stats.samples++;
  }

  private names(metric: Metric): NameCacheEntry {
    const d = metric.data;
    const monotonic = d.type === 'sum' && d.isMonotonic;
    const key = `${metric.name}\x00${metric.unit}\x00${d.type}\x00${monotonic ? 1 : 0}\x00${metric.description}`;
    let e = this.nameCache.get(key);
    if (!e) {
      const kind = d.type === 'empty' ? 'gauge' : d.type;
      const name = prometheusMetricName(metric.name, metric.unit, kind, monotonic);
      const type: MetricMetadata['type'] =
        d.type === 'sum'
          ? monotonic
            ? 'counter'
            : 'gauge'
          : d.type === 'histogram' || d.type === 'exponentialHistogram'
            ? 'histogram'
            : d.type === 'summary'
              ? 'summary'
              : 'gauge';
      e = { name, metadata: { type, help: metric.description, unit: unitWord(metric.unit) } };
      if (this.nameCache.size > 10_000) this.nameCache.clear();
      this.nameCache.set(key, e);
    }
    return e;
  }

  /** Returns the newest sample timestamp written (ms), or -Infinity. */
  private translateMetric(metric: Metric, ctx: ResourceContext, out: Appender, stats: TranslationStats): number {
    const d = metric.data;
    if (d.type === 'empty') return -Infinity;
    const { name, metadata } = this.names(metric);
    if (name === '') {
      stats.skippedPoints += d.dataPoints.length;
      return -Infinity;
    }
    out.setMetadata(name, metadata);
    let maxT = -Infinity;
    switch (d.type) {
      case 'gauge':
      case 'sum': {
        const delta = d.type === 'sum' && d.aggregationTemporality === Temporality.DELTA;
        for (const p of d.dataPoints) {
          const t = this.ts(p.timeUnixNano);
          this.numberPoint(name, p, ctx, t, delta, out, stats);
          if (t > maxT) maxT = t;
        }
        break;
      }
      case 'histogram': {
        const delta = d.aggregationTemporality === Temporality.DELTA;
        for (const p of d.dataPoints) {
          const t = this.ts(p.timeUnixNano);
          this.histogramPoint(name, p, ctx, t, delta, out, stats);
          if (t > maxT) maxT = t;
        }
        break;
      }
      case 'exponentialHistogram': {
        const delta = d.aggregationTemporality === Temporality.DELTA;
        for (const p of d.dataPoints) {
          const t = this.ts(p.timeUnixNano);
          this.histogramPoint(name, exponentialToExplicit(p), ctx, t, delta, out, stats);
          if (t > maxT) maxT = t;
        }
        break;
      }
      case 'summary': {
        for (const p of d.dataPoints) {
          const t = this.ts(p.timeUnixNano);
          const base = this.baseLabels(p.attributes, ctx);
          const stale = (p.flags & FLAG_NO_RECORDED_VALUE) !== 0;
          const write = (labels: Labels, v: number): void => {
            if (stale) out.appendStale(labels, t);
            else out.append(labels, t, v);
            stats.samples++;
          };
          for (const q of p.quantileValues) {
            write(seriesLabels(base, name, 'quantile', formatFloatF(q.quantile)), q.value);
          }
          write(seriesLabels(base, name + '_sum'), p.sum);
          write(seriesLabels(base, name + '_count'), p.count);
          if (t > maxT) maxT = t;
        }
        break;
      }
    }
    return maxT;
  }

  private ts(timeUnixNano: number): number {
    return timeUnixNano > 0 ? Math.floor(timeUnixNano / 1e6) : this.now();
  }

  private baseLabels(attrs: readonly KeyValue[], ctx: ResourceContext): Map<string, string> {
    const m = attributeLabels(attrs);
    for (const [k, v] of ctx.promoted) if (!m.has(k)) m.set(k, v);
    if (ctx.job !== undefined) m.set('job', ctx.job);
    if (ctx.instance !== undefined) m.set('instance', ctx.instance);
    return m;
  }

  private numberPoint(
    name: string,
    p: NumberDataPoint,
    ctx: ResourceContext,
    t: number,
    delta: boolean,
    out: Appender,
    stats: TranslationStats,
  ): void {
    const labels = seriesLabels(this.baseLabels(p.attributes, ctx), name);
    if ((p.flags & FLAG_NO_RECORDED_VALUE) !== 0) {
      out.appendStale(labels, t);
      stats.samples++;
      return;
    }
    let v = p.value;
    if (delta) {
      const key = labelsKey(labels);
      const s = this.deltaSums.get(key);
      if (s) {
        s.value += v;
        s.lastSeenMs = t;
        v = s.value;
      } else {
        this.deltaSums.set(key, { value: v, lastSeenMs: t });
      }
    }
    out.append(labels, t, v);
    stats.samples++;
    for (const e of p.exemplars) {
      out.appendExemplar(labels, toExemplar(e, t));
      stats.exemplars++;
    }
  }

  private histogramPoint(
    name: string,
    p: HistogramDataPoint,
    ctx: ResourceContext,
    t: number,
    delta: boolean,
    out: Appender,
    stats: TranslationStats,
  ): void {
    const base = this.baseLabels(p.attributes, ctx);
    const bounds = p.explicitBounds;
    const stale = (p.flags & FLAG_NO_RECORDED_VALUE) !== 0;
    let counts: readonly number[] = p.bucketCounts;
    let count = p.count;
    let sum = p.sum;
    if (delta && !stale) {
      const key = labelsKey(seriesLabels(base, name));
      let s = this.deltaHistograms.get(key);
      if (!s || !sameBounds(s.bounds, bounds)) {
        s = {
          bounds: bounds.slice(),
          counts: new Array<number>(bounds.length + 1).fill(0),
          count: 0,
          sum: 0,
          lastSeenMs: t,
        };
        this.deltaHistograms.set(key, s);
      }
      for (let i = 0; i < s.counts.length; i++) s.counts[i]! += p.bucketCounts[i] ?? 0;
      s.count += p.count;
      s.sum += p.sum ?? 0;
      s.lastSeenMs = t;
      counts = s.counts;
      count = s.count;
      sum = p.sum === undefined ? undefined : s.sum;
    }
    const write = (labels: Labels, v: number): void => {
      if (stale) out.appendStale(labels, t);
      else out.append(labels, t, v);
      stats.samples++;
    };
    if (sum !== undefined) write(seriesLabels(base, name + '_sum'), sum);
    write(seriesLabels(base, name + '_count'), count);
    // Bucket series, cumulative; keep their labels for exemplar placement.
    const bucketName = name + '_bucket';
    const bucketLabels: Labels[] = [];
    let cumulative = 0;
    if (counts.length > 0) {
      for (let i = 0; i < bounds.length; i++) {
        cumulative += counts[i] ?? 0;
        const labels = seriesLabels(base, bucketName, 'le', formatFloatF(bounds[i]!));
        bucketLabels.push(labels);
        write(labels, cumulative);
      }
    }
    const infLabels = seriesLabels(base, bucketName, 'le', '+Inf');
    bucketLabels.push(infLabels);
    write(infLabels, count);
    if (stale) return;
    for (const e of p.exemplars) {
      let i = 0;
      while (i < bucketLabels.length - 1 && i < bounds.length && e.value > bounds[i]!) i++;
      out.appendExemplar(bucketLabels[Math.min(i, bucketLabels.length - 1)]!, toExemplar(e, t));
      stats.exemplars++;
    }
  }
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Attributes → label map: sorted by key, sanitised, colliding keys' values joined with ';'. */
function attributeLabels(attrs: readonly KeyValue[]): Map<string, string> {
  const m = new Map<string, string>();
  const sorted = attrs.length > 1 ? [...attrs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) : attrs;
  for (const kv of sorted) {
    const name = prometheusLabelName(kv.key);
    if (name === '') continue;
    const value = anyValueToString(kv.value);
    const prev = m.get(name);
    m.set(name, prev === undefined ? value : `${prev};${value}`);
  }
  return m;
}

/** A sorted label set from base labels plus __name__ and an optional extra label (le, quantile). */
function seriesLabels(
  base: ReadonlyMap<string, string>,
  name: string,
  extraName?: string,
  extraValue?: string,
): Labels {
  const out: Label[] = [];
  for (const [n, v] of base) {
    if (n === METRIC_NAME || n === extraName) continue;
    out.push({ name: n, value: v });
  }
  out.push({ name: METRIC_NAME, value: name });
  if (extraName !== undefined) out.push({ name: extraName, value: extraValue ?? '' });
  return sortLabels(out);
}

function toExemplar(e: OtlpExemplar, pointT: number): Exemplar {
  const labels: Label[] = [];
  for (const kv of e.filteredAttributes)
    labels.push({ name: prometheusLabelName(kv.key), value: anyValueToString(kv.value) });
  if (e.traceId !== '') labels.push({ name: 'trace_id', value: e.traceId });
  if (e.spanId !== '') labels.push({ name: 'span_id', value: e.spanId });
  return {
    labels: sortLabels(labels),
    value: e.value,
    t: e.timeUnixNano > 0 ? Math.floor(e.timeUnixNano / 1e6) : pointT,
  };
}

/**
 * An exponential histogram as explicit buckets: positive bucket i covers (base^i, base^(i+1)],
 * base = 2^(2^-scale); the zero bucket and all negative buckets go to a first bucket with bound
 * zeroThreshold (Prometheus 2.x cannot store native histograms from OTLP either).
 */
export function exponentialToExplicit(p: ExponentialHistogramDataPoint): HistogramDataPoint {
  const bounds: number[] = [];
  const counts: number[] = [];
  let low = p.zeroCount;
  for (const c of p.negative.bucketCounts) low += c;
  const step = Math.pow(2, -p.scale);
  const positive = p.positive.bucketCounts;
  bounds.push(p.zeroThreshold);
  counts.push(low);
  for (let k = 0; k < positive.length; k++) {
    const upper = Math.pow(2, (p.positive.offset + k + 1) * step);
    if (upper <= p.zeroThreshold) {
      counts[0]! += positive[k]!;
      continue;
    }
    bounds.push(upper);
    counts.push(positive[k]!);
  }
  counts.push(0); // +Inf bucket: every value fits a finite bucket above
  return {
    attributes: p.attributes,
    startTimeUnixNano: p.startTimeUnixNano,
    timeUnixNano: p.timeUnixNano,
    count: p.count,
    sum: p.sum,
    bucketCounts: counts,
    explicitBounds: bounds,
    exemplars: p.exemplars,
    flags: p.flags,
    min: p.min,
    max: p.max,
  };
}
