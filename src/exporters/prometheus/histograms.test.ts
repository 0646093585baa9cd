// Histograms through the translator into the real Head, read back with PromQL: delta
// exponential histograms whose scale changes between exports (as the OpenTelemetry Python SDK
// sends them), delta explicit histograms whose bounds change, and malformed bounds.
import { describe, expect, it } from 'vitest';
import type {
  ExponentialHistogramDataPoint,
  HistogramDataPoint,
  KeyValue,
  Metric,
  MetricsData,
} from '../../otlp/model.js';
import { Temporality } from '../../otlp/model.js';
import { Rejections } from '../../consumer/consumer.js';
import { Engine } from '../../promql/engine.js';
import type { QueryValue } from '../../promql/value.js';
import { SelfMetrics } from '../../selfmetrics/registry.js';
import { Head } from '../../tsdb/head.js';
import { PrometheusStorageExporter } from './exporter.js';
import { OtlpToPrometheus, REFUSAL_REASONS } from './translate.js';

const T = 1_700_000_000_000; // ms
const STEP = 10_000;
const engine = new Engine();

function batch(metrics: Metric[]): MetricsData {
  const resource: KeyValue[] = [{ key: 'service.name', value: { kind: 'string', value: 'py' } }];
  return {
    resourceMetrics: [
      {
        resource: { attributes: resource, droppedAttributesCount: 0 },
        scopeMetrics: [{ scope: { name: 's', version: '', attributes: [] }, metrics, schemaUrl: '' }],
        schemaUrl: '',
      },
    ],
  };
}

/** A metric `lat` holding one point of either histogram kind. */
function latency(data: Metric['data']): Metric {
  return { name: 'lat', description: '', unit: '', data };
}

function expMetric(temporality: Temporality, p: ExponentialHistogramDataPoint): Metric {
  return latency({ type: 'exponentialHistogram', aggregationTemporality: temporality, dataPoints: [p] });
}

function explicitMetric(temporality: Temporality, p: HistogramDataPoint): Metric {
  return latency({ type: 'histogram', aggregationTemporality: temporality, dataPoints: [p] });
}

function explicitPoint(t: number, bounds: number[], counts: number[], sum: number): HistogramDataPoint {
  return {
    attributes: [],
    startTimeUnixNano: (t - STEP) * 1e6,
    timeUnixNano: t * 1e6,
    count: counts.reduce((a, b) => a + b, 0),
    sum,
    bucketCounts: counts,
    explicitBounds: bounds,
    exemplars: [],
    flags: 0,
    min: undefined,
    max: undefined,
  };
}

/**
 * The Python SDK's base-2 exponential aggregation, as far as these tests need it: scale 20 and
 * at most 160 buckets per sign to start with; a value that would not fit lowers the scale (both
 * signs share it) until it does; zeros go to the zero bucket (threshold 0), negative values to
 * the negative buckets by magnitude. With delta temporality each collection empties the
 * buckets but keeps the scale reached (the SDK keeps its mapping), so consecutive exports have
 * their own offsets and, whenever one interval's range is wider, a lower scale.
 */
class PythonSdkExponentialHistogram {
  private scale = 20;
  private positive = new Map<number, number>();
  private negative = new Map<number, number>();
  private zeroCount = 0;
  private count = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;

  /** Bucket index of a magnitude: bucket i holds (base^i, base^(i+1)], base = 2^(2^-scale). */
  private static index(magnitude: number, scale: number): number {
    return Math.ceil(Math.log2(magnitude) * Math.pow(2, scale)) - 1;
  }

  record(v: number): void {
    this.count++;
    this.sum += v;
    this.min = Math.min(this.min, v);
    this.max = Math.max(this.max, v);
    if (v === 0) {
      this.zeroCount++;
      return;
    }
    for (;;) {
      const side = v > 0 ? this.positive : this.negative;
      const i = PythonSdkExponentialHistogram.index(Math.abs(v), this.scale);
      const keys = [...side.keys(), i];
      if (Math.max(...keys) - Math.min(...keys) + 1 <= 160) {
        side.set(i, (side.get(i) ?? 0) + 1);
        return;
      }
      this.scale--;
      this.positive = PythonSdkExponentialHistogram.halve(this.positive);
      this.negative = PythonSdkExponentialHistogram.halve(this.negative);
    }
  }

  private static halve(buckets: Map<number, number>): Map<number, number> {
    const out = new Map<number, number>();
    for (const [i, c] of buckets) out.set(Math.floor(i / 2), (out.get(Math.floor(i / 2)) ?? 0) + c);
    return out;
  }

  private static buckets(m: Map<number, number>): { offset: number; bucketCounts: number[] } {
    if (m.size === 0) return { offset: 0, bucketCounts: [] };
    const lo = Math.min(...m.keys());
    const hi = Math.max(...m.keys());
    const bucketCounts = new Array<number>(hi - lo + 1).fill(0);
    for (const [i, c] of m) bucketCounts[i - lo] = c;
    return { offset: lo, bucketCounts };
  }

  /** The data point of this collection; a delta aggregation then starts over. */
  collect(t: number, temporality: Temporality): ExponentialHistogramDataPoint {
    const p: ExponentialHistogramDataPoint = {
      attributes: [],
      startTimeUnixNano: (t - STEP) * 1e6,
      timeUnixNano: t * 1e6,
      count: this.count,
      sum: this.sum,
      scale: this.scale,
      zeroCount: this.zeroCount,
      zeroThreshold: 0,
      positive: PythonSdkExponentialHistogram.buckets(this.positive),
      negative: PythonSdkExponentialHistogram.buckets(this.negative),
      flags: 0,
      exemplars: [],
      min: this.count > 0 ? this.min : undefined,
      max: this.count > 0 ? this.max : undefined,
    };
    if (temporality === Temporality.DELTA) {
      this.positive = new Map();
      this.negative = new Map();
      this.zeroCount = this.count = this.sum = 0;
      this.min = Infinity;
      this.max = -Infinity;
    }
    return p;
  }
}

function scalarAt(head: Head, query: string, t: number): number {
  const v: QueryValue = engine.instantQuery(head, query, t);
  if (v.type !== 'vector' || v.samples.length !== 1) throw new Error(`${query}: ${JSON.stringify(v)}`);
  return v.samples[0]!.v;
}

/** Bucket series live at t: le → value. */
function bucketsAt(head: Head, t: number): Map<string, { v: number; t: number }> {
  const v = engine.instantQuery(head, 'lat_bucket', t);
  const ts = engine.instantQuery(head, 'timestamp(lat_bucket)', t);
  if (v.type !== 'vector' || ts.type !== 'vector') throw new Error('expected vectors');
  const le = (labels: { name: string; value: string }[]): string => labels.find((l) => l.name === 'le')!.value;
  const stamps = new Map(ts.samples.map((s) => [le([...s.metric]), s.v * 1000]));
  return new Map(v.samples.map((s) => [le([...s.metric]), { v: s.v, t: stamps.get(le([...s.metric]))! }]));
}

const leValue = (le: string): number => (le === '+Inf' ? Infinity : Number(le));

/** Bucket width (ratio of bounds) of the histogram live at t: its two largest finite bounds. */
function bucketBase(head: Head, t: number): number {
  const bounds = [...bucketsAt(head, t).keys()]
    .filter((le) => le !== '+Inf')
    .map(Number)
    .sort((a, b) => a - b);
  const base = bounds[bounds.length - 1]! / bounds[bounds.length - 2]!;
  expect(base).toBeGreaterThan(1);
  expect(base).toBeLessThan(1.5);
  return base;
}

/** Asserts the live buckets at t are one whole histogram written at t: no leftover layout, cumulative, +Inf = count. */
function expectOneLayoutAt(head: Head, t: number, count: number): void {
  const buckets = bucketsAt(head, t);
  expect(buckets.get('+Inf')!.v).toBe(count);
  const stale = [...buckets].filter(([, b]) => b.t !== t).map(([le]) => le);
  expect(stale).toEqual([]);
  const ordered = [...buckets].sort(([a], [b]) => leValue(a) - leValue(b)).map(([, b]) => b.v);
  for (let i = 1; i < ordered.length; i++) expect(ordered[i]!).toBeGreaterThanOrEqual(ordered[i - 1]!);
}

describe('delta exponential histograms whose scale changes between exports', () => {
  it('keeps the running total across layouts: deltas 10, 1000, 100000 give _count 3, _sum 101010', () => {
    const head = new Head();
    const tr = new OtlpToPrometheus();
    const sdk = new PythonSdkExponentialHistogram();
    const values = [10, 1000, 100000];
    values.forEach((v, i) => {
      sdk.record(v);
      const p = sdk.collect(T + i * STEP, Temporality.DELTA);
      expect(p.scale).toBe(20); // one value: the SDK never needed to downscale
      tr.translate(batch([expMetric(Temporality.DELTA, p)]), head);
      expectOneLayoutAt(head, T + i * STEP, i + 1);
    });
    const end = T + 2 * STEP;
    expect(scalarAt(head, 'lat_count', end)).toBe(3);
    expect(scalarAt(head, 'lat_sum', end)).toBe(101010);
    // The median of {10, 1000, 100000} is 1000; the merged buckets must put it there, not below 10.
    const base = bucketBase(head, end);
    const median = scalarAt(head, 'histogram_quantile(0.5, lat_bucket)', end);
    expect(median).toBeGreaterThanOrEqual(1000 / base);
    expect(median).toBeLessThanOrEqual(1000 * base);
    const top = scalarAt(head, 'histogram_quantile(1, lat_bucket)', end);
    expect(top).toBeGreaterThanOrEqual(100000 / base);
    expect(top).toBeLessThanOrEqual(100000 * base);
  });

  it('with zeros and negative values over many exports: counts never decrease and quantiles stay within the recorded values', () => {
    const head = new Head();
    const tr = new OtlpToPrometheus();
    const sdk = new PythonSdkExponentialHistogram();
    let seed = 42;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const recorded: number[] = [];
    const exports = 30;
    const scales = new Set<number>();
    for (let e = 0; e < exports; e++) {
      // The recorded range widens export after export (a few values, or a burst), so the SDK
      // lowers its scale again and again, and offsets move.
      const n = 1 + Math.floor(rnd() * (e % 5 === 4 ? 200 : 5));
      for (let k = 0; k < n; k++) {
        const r = rnd();
        const v = r < 0.05 ? 0 : r < 0.2 ? -Math.exp(rnd() * (1 + e * 0.25)) : Math.exp(rnd() * (1 + e * 0.4));
        sdk.record(v);
        recorded.push(v);
      }
      const p = sdk.collect(T + e * STEP, Temporality.DELTA);
      scales.add(p.scale);
      tr.translate(batch([expMetric(Temporality.DELTA, p)]), head);
      expectOneLayoutAt(head, T + e * STEP, recorded.length);
    }
    expect(scales.size).toBeGreaterThan(3);
    const end = T + (exports - 1) * STEP;
    const counts = engine.rangeQuery(head, 'lat_count', T, end, STEP);
    if (counts.type !== 'matrix') throw new Error('expected a matrix');
    const series = counts.series[0]!.v;
    expect(series).toHaveLength(exports);
    for (let i = 1; i < series.length; i++) expect(series[i]!).toBeGreaterThanOrEqual(series[i - 1]!);
    expect(series[series.length - 1]).toBe(recorded.length);
    const trueSum = recorded.reduce((a, b) => a + b, 0);
    expect(scalarAt(head, 'lat_sum', end)).toBeCloseTo(trueSum, 6);

    const sorted = [...recorded].sort((a, b) => a - b);
    const base = bucketBase(head, end);
    for (const q of [0.02, 0.1, 0.5, 0.9, 0.99]) {
      const est = scalarAt(head, `histogram_quantile(${q}, lat_bucket)`, end);
      const truth = sorted[Math.ceil(q * sorted.length) - 1]!;
      expect(est).toBeGreaterThanOrEqual(sorted[0]! * base);
      expect(est).toBeLessThanOrEqual(sorted[sorted.length - 1]! * base);
      // Within one bucket of the true quantile, on its own side of zero.
      expect(Math.sign(est)).toBe(Math.sign(truth));
      expect(Math.abs(Math.log(Math.abs(est) / Math.abs(truth)))).toBeLessThanOrEqual(Math.log(base) * 1.0001);
    }
  });

  it('cumulative exponential histograms that downscale mark the buckets that left the layout stale', () => {
    const head = new Head();
    const tr = new OtlpToPrometheus();
    const sdk = new PythonSdkExponentialHistogram();
    sdk.record(3);
    const first = sdk.collect(T, Temporality.CUMULATIVE);
    tr.translate(batch([expMetric(Temporality.CUMULATIVE, first)]), head);
    sdk.record(3e6); // a far wider range: the SDK downscales
    const second = sdk.collect(T + STEP, Temporality.CUMULATIVE);
    expect(second.scale).toBeLessThan(first.scale);
    tr.translate(batch([expMetric(Temporality.CUMULATIVE, second)]), head);
    expectOneLayoutAt(head, T + STEP, 2);
  });
});

describe('delta explicit histograms whose bounds change', () => {
  it('carries the running total into the new bounds; shared bounds continue, old ones go stale', () => {
    const head = new Head();
    const tr = new OtlpToPrometheus();
    const send = (i: number, bounds: number[], counts: number[], sum: number): void => {
      tr.translate(batch([explicitMetric(Temporality.DELTA, explicitPoint(T + i * STEP, bounds, counts, sum))]), head);
    };
    send(0, [1, 10], [1, 1, 1], 105.5); // 0.5, 5, 100
    send(1, [1, 5, 10], [0, 1, 0, 0], 2); // 2
    send(2, [2, 20], [1, 0, 1], 51); // 1 (≤ 2), 50
    const end = T + 2 * STEP;
    expect(scalarAt(head, 'lat_count', end)).toBe(6);
    expect(scalarAt(head, 'lat_sum', end)).toBe(158.5);
    expectOneLayoutAt(head, end, 6);
    const b = bucketsAt(head, end);
    expect([...b.keys()].sort()).toEqual(['+Inf', '2', '20']);
    // le=2: 0.5 and 1 exactly; 2 was recorded in (1,5] and is credited upwards, to le=20.
    expect(b.get('2')!.v).toBe(2);
    expect(b.get('20')!.v).toBe(4);
    // le="1" was shared by the first two layouts: it continued without a reset.
    const le1 = engine.rangeQuery(head, 'lat_bucket{le="1"}', T, T + STEP, STEP);
    if (le1.type !== 'matrix') throw new Error('expected a matrix');
    expect(le1.series[0]!.v).toEqual([1, 1]);
  });
});

describe('histogram points the store cannot hold', () => {
  const cases: [string, number[], number[]][] = [
    ['unsorted bounds', [5, 1], [1, 1, 1]],
    ['duplicate bounds', [1, 1], [1, 1, 1]],
    ['a NaN bound', [1, NaN], [1, 1, 1]],
    ['an infinite bound', [1, Infinity], [1, 1, 1]],
    ['counts not one more than bounds', [1, 2], [1, 1]],
  ];
  for (const [what, bounds, counts] of cases) {
    it(`refuses a point with ${what}, keeps the others, and says so`, () => {
      const head = new Head();
      const exporter = new PrometheusStorageExporter(head);
      const rejections = new Rejections();
      const good = explicitPoint(T, [1, 2], [1, 1, 1], 4);
      const bad = {
        ...explicitPoint(T, bounds, counts, 3),
        attributes: [{ key: 'k', value: { kind: 'string' as const, value: 'bad' } }],
      };
      exporter.consumeMetrics(
        batch([
          latency({ type: 'histogram', aggregationTemporality: Temporality.CUMULATIVE, dataPoints: [bad, good] }),
        ]),
        rejections,
      );
      expect(rejections.entries()).toEqual([[REFUSAL_REASONS['invalid-histogram'], 1]]);
      expect(rejections.message()).toMatch(/^1 invalid histogram \(bounds must be finite, sorted and distinct/);
      expect(head.series([], -Infinity, Infinity).filter((l) => l.some((x) => x.name === 'k'))).toEqual([]);
      expect(scalarAt(head, 'lat_count', T)).toBe(3);
      expect(exporter.stats().refusedPoints.get('invalid-histogram')).toBe(1);
      const registry = new SelfMetrics();
      exporter.registerMetrics(registry);
      const family = registry.collect().find((f) => f.name === 'orrery_exporter_refused_metric_points_total')!;
      const invalid = family.samples.find((s) =>
        s.labels.some((l) => l.name === 'reason' && l.value === 'invalid_histogram'),
      );
      expect(invalid!.value).toBe(1);
    });
  }

  it('refuses exponential points with a scale outside -10..20 or offsets beyond the float range', () => {
    const tr = new OtlpToPrometheus();
    const head = new Head();
    const sdk = new PythonSdkExponentialHistogram();
    sdk.record(5);
    const p = sdk.collect(T, Temporality.CUMULATIVE);
    const stats = tr.translate(
      batch([
        expMetric(Temporality.CUMULATIVE, { ...p, scale: 21 }),
        expMetric(Temporality.CUMULATIVE, { ...p, scale: 0, positive: { offset: 2000, bucketCounts: [1] } }),
        expMetric(Temporality.CUMULATIVE, { ...p, zeroThreshold: NaN }),
      ]),
      head,
    );
    expect(stats.refusedPoints.get('invalid-histogram')).toBe(3);
    expect(head.stats().series).toBe(0);
  });
});
