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
// Delta exponential histograms are summed as exponential histograms (./exponential.ts), so a
// running total survives scale changes; when a histogram's bucket layout changes, the `le`
// series that left it get staleness markers, so old and new buckets are never live together.
// A data point the store refuses (or that is malformed) is counted by reason, for OTLP's
// partial success; the running total of a delta series only takes points the store kept.
import { nanosToMillis } from '../../otlp/time.js';
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
import { labelsKey, METRIC_NAME, sortLabels, type Label, type Labels } from '../../labels/labels.js';
import type { Appender, AppendStatus, Exemplar, MetricMetadata } from '../../storage/storage.js';
import {
  EMPTY_EXP_HISTOGRAM,
  MAX_SCALE,
  MIN_SCALE,
  explicitFromExponential,
  mergeExponential,
  type ExpHistogram,
} from './exponential.js';
import { formatFloatF, prometheusLabelName, prometheusMetricName, unitWord } from './naming.js';

export interface TranslationOptions {
  /** resource attributes copied onto every series (as sanitised label names); default ['service.name'] */
  readonly promoteResourceAttributes?: readonly string[];
  /** emit target_info for resources with non-identifying attributes; default true */
  readonly targetInfo?: boolean;
  /** clock for points without a timestamp (ms); default Date.now */
  readonly now?: () => number;
}

/** Why a data point was not stored: the store's refusals, or a histogram this translation cannot store. */
export type PointRefusal = Exclude<AppendStatus, 'ok'> | 'invalid-histogram';

/** The partial-success reason text for each refusal ("<count> <reason>"). */
export const REFUSAL_REASONS: Readonly<Record<PointRefusal, string>> = {
  'out-of-order': 'out of order (older than the newest sample of their series)',
  duplicate: 'duplicate sample for timestamp (another value is stored at that time)',
  'too-old': 'too old (before the retention window)',
  'too-far-in-future': "too far in the future (ahead of the server's clock by more than it accepts)",
  'invalid-histogram':
    'invalid histogram (bounds must be finite, sorted and distinct, with one bucket count more than bounds; exponential scale within -10..20)',
};

export interface TranslationStats {
  samples: number;
  exemplars: number;
  /** points of unsupported or empty kinds */
  skippedPoints: number;
  /** data points not stored, by why (samples of a refused point written before the refusal stay) */
  refusedPoints: Map<PointRefusal, number>;
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

/** A histogram as written: finite bounds (none when the point has no buckets) and per-bucket counts. */
interface HistogramValue {
  readonly bounds: readonly number[];
  /** bounds.length + 1 counts (the last for +Inf), or none */
  readonly counts: readonly number[];
  readonly count: number;
  readonly sum: number | undefined;
}

/** The running total of a delta histogram, in the layout it arrives in. */
type DeltaTotal =
  | {
      readonly kind: 'explicit';
      readonly count: number;
      readonly sum: number;
      readonly bounds: readonly number[];
      /** bounds.length + 1, or none while no point had bucket counts */
      readonly counts: readonly number[];
    }
  | { readonly kind: 'exponential'; readonly count: number; readonly sum: number; readonly buckets: ExpHistogram };

interface HistogramState {
  /** finite bounds of the bucket series last written, so the ones that leave the layout can be marked stale */
  readonly bounds: readonly number[];
  readonly lastSeenMs: number;
  readonly delta: DeltaTotal | undefined;
}

/** Writes the series of one data point, all at its timestamp; the first refusal refuses the point and stops it. */
class PointWriter {
  refusal: PointRefusal | undefined;
  constructor(
    private readonly out: Appender,
    private readonly t: number,
    private readonly stale: boolean,
    private readonly stats: TranslationStats,
  ) {}

  write(labels: Labels, v: number): void {
    if (this.refusal !== undefined) return;
    const status = this.stale ? this.out.appendStale(labels, this.t) : this.out.append(labels, this.t, v);
    if (status === 'ok') this.stats.samples++;
    else this.refusal = status;
  }

  /** True when every series was stored; otherwise counts the point as refused. */
  finish(): boolean {
    if (this.refusal === undefined) return true;
    refuse(this.stats, this.refusal);
    return false;
  }
}

function refuse(stats: TranslationStats, why: PointRefusal): void {
  stats.refusedPoints.set(why, (stats.refusedPoints.get(why) ?? 0) + 1);
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
  /** bucket layout (and running total, for delta) of each histogram, by series key */
  private readonly histograms = new Map<string, HistogramState>();
  private readonly nameCache = new Map<string, NameCacheEntry>();

  constructor(opts: TranslationOptions = {}) {
    this.promote = opts.promoteResourceAttributes ?? [SERVICE_NAME];
    this.targetInfo = opts.targetInfo ?? true;
    this.now = opts.now ?? Date.now;
  }

  /** Appends every series of the batch; returns counts. Never throws on odd input. */
  translate(batch: MetricsData, out: Appender): TranslationStats {
    const stats: TranslationStats = { samples: 0, exemplars: 0, skippedPoints: 0, refusedPoints: new Map() };
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
    for (const [k, s] of this.histograms) if (s.lastSeenMs < cutoffMs) this.histograms.delete(k);
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

  /** Returns the newest timestamp of a point stored (ms), or -Infinity. */
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
          if (this.numberPoint(name, p, ctx, t, delta, out, stats) && t > maxT) maxT = t;
        }
        break;
      }
      case 'histogram': {
        const delta = d.aggregationTemporality === Temporality.DELTA;
        for (const p of d.dataPoints) {
          const t = this.ts(p.timeUnixNano);
          if (!validExplicitLayout(p.explicitBounds, p.bucketCounts)) {
            refuse(stats, 'invalid-histogram');
            continue;
          }
          const value: HistogramValue = {
            bounds: p.bucketCounts.length > 0 ? p.explicitBounds : [],
            counts: p.bucketCounts,
            count: p.count,
            sum: p.sum,
          };
          if (this.histogramPoint(name, p, value, undefined, ctx, t, delta, out, stats) && t > maxT) maxT = t;
        }
        break;
      }
      case 'exponentialHistogram': {
        const delta = d.aggregationTemporality === Temporality.DELTA;
        for (const p of d.dataPoints) {
          const t = this.ts(p.timeUnixNano);
          const buckets = exponentialBuckets(p);
          if (buckets === undefined) {
            refuse(stats, 'invalid-histogram');
            continue;
          }
          const value: HistogramValue = { ...explicitFromExponential(buckets), count: p.count, sum: p.sum };
          if (this.histogramPoint(name, p, value, buckets, ctx, t, delta, out, stats) && t > maxT) maxT = t;
        }
        break;
      }
      case 'summary': {
        for (const p of d.dataPoints) {
          const t = this.ts(p.timeUnixNano);
          const base = this.baseLabels(p.attributes, ctx);
          const w = new PointWriter(out, t, (p.flags & FLAG_NO_RECORDED_VALUE) !== 0, stats);
          for (const q of p.quantileValues) {
            w.write(seriesLabels(base, name, 'quantile', formatFloatF(q.quantile)), q.value);
          }
          w.write(seriesLabels(base, name + '_sum'), p.sum);
          w.write(seriesLabels(base, name + '_count'), p.count);
          if (w.finish() && t > maxT) maxT = t;
        }
        break;
      }
    }
    return maxT;
  }

  private ts(timeUnixNano: number): number {
    return timeUnixNano > 0 ? nanosToMillis(timeUnixNano) : this.now();
  }

  private baseLabels(attrs: readonly KeyValue[], ctx: ResourceContext): Map<string, string> {
    const m = attributeLabels(attrs);
    for (const [k, v] of ctx.promoted) if (!m.has(k)) m.set(k, v);
    if (ctx.job !== undefined) m.set('job', ctx.job);
    if (ctx.instance !== undefined) m.set('instance', ctx.instance);
    return m;
  }

  /** Returns whether the point was stored. */
  private numberPoint(
    name: string,
    p: NumberDataPoint,
    ctx: ResourceContext,
    t: number,
    delta: boolean,
    out: Appender,
    stats: TranslationStats,
  ): boolean {
    const labels = seriesLabels(this.baseLabels(p.attributes, ctx), name);
    if ((p.flags & FLAG_NO_RECORDED_VALUE) !== 0) {
      const w = new PointWriter(out, t, true, stats);
      w.write(labels, NaN);
      return w.finish();
    }
    let v = p.value;
    const key = delta ? labelsKey(labels) : '';
    const total = delta ? this.deltaSums.get(key) : undefined;
    if (total) v += total.value;
    const w = new PointWriter(out, t, false, stats);
    w.write(labels, v);
    if (!w.finish()) return false;
    if (delta) {
      if (total) {
        total.value = v;
        total.lastSeenMs = t;
      } else {
        this.deltaSums.set(key, { value: v, lastSeenMs: t });
      }
    }
    for (const e of p.exemplars) {
      out.appendExemplar(labels, toExemplar(e, t));
      stats.exemplars++;
    }
    return true;
  }

  /**
   * Writes _sum, _count and the cumulative _bucket series of one histogram point (explicit, or
   * exponential given as `exp` with `value` its explicit form); returns whether it was stored.
   */
  private histogramPoint(
    name: string,
    p: {
      readonly attributes: readonly KeyValue[];
      readonly flags: number;
      readonly exemplars: readonly OtlpExemplar[];
    },
    value: HistogramValue,
    exp: ExpHistogram | undefined,
    ctx: ResourceContext,
    t: number,
    delta: boolean,
    out: Appender,
    stats: TranslationStats,
  ): boolean {
    const base = this.baseLabels(p.attributes, ctx);
    const key = labelsKey(seriesLabels(base, name));
    const prev = this.histograms.get(key);
    const stale = (p.flags & FLAG_NO_RECORDED_VALUE) !== 0;
    let shown = value;
    let total: DeltaTotal | undefined = prev?.delta;
    if (stale) {
      // The series ended: mark the buckets last written, whatever this (empty) point says.
      if (prev) shown = { ...value, bounds: prev.bounds, counts: new Array<number>(prev.bounds.length + 1).fill(0) };
    } else if (delta) {
      total = addDelta(prev, value, exp);
      shown = totalValue(total, value.sum !== undefined);
      if (!validExplicitLayout(shown.bounds, shown.counts)) {
        refuse(stats, 'invalid-histogram');
        return false;
      }
    }
    const w = new PointWriter(out, t, stale, stats);
    if (shown.sum !== undefined || stale) w.write(seriesLabels(base, name + '_sum'), shown.sum ?? NaN);
    w.write(seriesLabels(base, name + '_count'), shown.count);
    // Bucket series, cumulative; keep their labels for exemplar placement.
    const bucketName = name + '_bucket';
    const bucketLabels: Labels[] = [];
    let cumulative = 0;
    for (let i = 0; i < shown.bounds.length; i++) {
      cumulative += shown.counts[i]!;
      const labels = seriesLabels(base, bucketName, 'le', formatFloatF(shown.bounds[i]!));
      bucketLabels.push(labels);
      w.write(labels, cumulative);
    }
    const infLabels = seriesLabels(base, bucketName, 'le', '+Inf');
    bucketLabels.push(infLabels);
    w.write(infLabels, shown.count);
    if (!w.finish()) return false;
    if (stale) return true;
    if (prev && !sameBounds(prev.bounds, shown.bounds)) {
      const kept = new Set(shown.bounds);
      for (const b of prev.bounds) {
        if (!kept.has(b)) out.appendStale(seriesLabels(base, bucketName, 'le', formatFloatF(b)), t);
      }
    }
    this.histograms.set(key, { bounds: shown.bounds, lastSeenMs: t, delta: delta ? total : undefined });
    for (const e of p.exemplars) {
      let i = 0;
      while (i < shown.bounds.length && e.value > shown.bounds[i]!) i++;
      out.appendExemplar(bucketLabels[i]!, toExemplar(e, t));
      stats.exemplars++;
    }
    return true;
  }
}

/** The running total after adding one delta point (a new total; the previous one is unchanged). */
function addDelta(prev: HistogramState | undefined, value: HistogramValue, exp: ExpHistogram | undefined): DeltaTotal {
  const was = prev?.delta;
  const count = (was?.count ?? 0) + value.count;
  const sum = (was?.sum ?? 0) + (value.sum ?? 0);
  if (exp !== undefined) {
    const buckets = mergeExponential(was?.kind === 'exponential' ? was.buckets : EMPTY_EXP_HISTOGRAM, exp);
    return { kind: 'exponential', count, sum, buckets };
  }
  const before = was?.kind === 'explicit' ? was : undefined;
  // A point without bucket counts adds to +Inf (= count) only.
  if (value.counts.length === 0)
    return { kind: 'explicit', count, sum, bounds: before?.bounds ?? [], counts: before?.counts ?? [] };
  // Carry the total into this point's bounds (exact where the bounds did not change).
  const carried =
    before && before.counts.length > 0 ? rebucket(before.bounds, before.counts, value.bounds, before.count) : undefined;
  const counts = value.counts.map((c, i) => c + (carried?.[i] ?? 0));
  return { kind: 'explicit', count, sum, bounds: value.bounds, counts };
}

function totalValue(total: DeltaTotal, hasSum: boolean): HistogramValue {
  const sum = hasSum ? total.sum : undefined;
  if (total.kind === 'exponential') return { ...explicitFromExponential(total.buckets), count: total.count, sum };
  // Without bucket counts only +Inf (= count) is known.
  if (total.counts.length === 0) return { bounds: [], counts: [], count: total.count, sum };
  return { bounds: total.bounds, counts: total.counts, count: total.count, sum };
}

/**
 * Moves bucket counts from one set of bounds to another: the cumulative count at each new bound
 * is the old cumulative count at the largest old bound not above it. Exact for bounds both sets
 * share; values between old bounds are credited to the next new bucket up (never lost, never
 * counted twice), so no cumulative series decreases.
 */
function rebucket(from: readonly number[], counts: readonly number[], to: readonly number[], total: number): number[] {
  if (sameBounds(from, to) && counts.length === to.length + 1) return counts.slice();
  const out = new Array<number>(to.length + 1).fill(0);
  let j = 0;
  let cumFrom = 0;
  let cumTo = 0;
  for (let i = 0; i < to.length; i++) {
    while (j < from.length && from[j]! <= to[i]!) cumFrom += counts[j++] ?? 0;
    out[i] = cumFrom - cumTo;
    cumTo = cumFrom;
  }
  out[to.length] = total - cumTo;
  return out;
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * OTLP's rules for explicit buckets, which `le` series need: bounds finite, strictly increasing
 * (so no two buckets share an `le`), and either no counts or one more than bounds.
 */
function validExplicitLayout(bounds: readonly number[], counts: readonly number[]): boolean {
  if (counts.length !== 0 && counts.length !== bounds.length + 1) return false;
  for (let i = 0; i < bounds.length; i++) {
    const b = bounds[i]!;
    if (!Number.isFinite(b)) return false;
    if (i > 0 && !(b > bounds[i - 1]!)) return false;
  }
  return true;
}

/** Whether the buckets lie near where doubles can fall (2^-1074..2^1024), checked before merging allocates; exact bounds are checked after. */
function withinFloatRange(b: ExponentialHistogramDataPoint['positive'], scale: number): boolean {
  if (b.bucketCounts.length === 0) return true;
  if (!Number.isInteger(b.offset)) return false;
  const step = Math.pow(2, -scale);
  return b.offset * step >= -1100 && (b.offset + b.bucketCounts.length) * step <= 1100;
}

/** The buckets of an exponential point, within the bucket budget; undefined when OTLP does not allow them. */
function exponentialBuckets(p: ExponentialHistogramDataPoint): ExpHistogram | undefined {
  if (!Number.isInteger(p.scale) || p.scale < MIN_SCALE || p.scale > MAX_SCALE) return undefined;
  if (!(p.zeroThreshold >= 0) || !Number.isFinite(p.zeroThreshold)) return undefined;
  if (!withinFloatRange(p.positive, p.scale) || !withinFloatRange(p.negative, p.scale)) return undefined;
  const h = mergeExponential(EMPTY_EXP_HISTOGRAM, {
    scale: p.scale,
    zeroThreshold: p.zeroThreshold,
    zeroCount: p.zeroCount,
    positive: { offset: p.positive.offset, counts: p.positive.bucketCounts },
    negative: { offset: p.negative.offset, counts: p.negative.bucketCounts },
  });
  // Offsets beyond the float range give infinite or zero bounds, which no recorded value can have.
  const { bounds, counts } = explicitFromExponential(h);
  return validExplicitLayout(bounds, counts) ? h : undefined;
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
    t: e.timeUnixNano > 0 ? nanosToMillis(e.timeUnixNano) : pointT,
  };
}

/**
 * An exponential histogram as explicit buckets (see explicitFromExponential: negative buckets
 * keep negative `le` bounds, the zero bucket has bound zeroThreshold); undefined when its scale,
 * zero threshold or offsets are outside what OTLP allows.
 */
export function exponentialToExplicit(p: ExponentialHistogramDataPoint): HistogramDataPoint | undefined {
  const h = exponentialBuckets(p);
  if (h === undefined) return undefined;
  const { bounds, counts } = explicitFromExponential(h);
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
