import { describe, expect, it } from 'vitest';
import { Head } from '../tsdb/head.js';
import { labelsFromRecord } from '../labels/labels.js';
import { Engine } from './engine.js';
import { QueryError, type QueryValue } from './value.js';

const S = 1000;
const M = 60 * S;

function lbl(r: Record<string, string>) {
  return labelsFromRecord(r);
}

/** Loads series given as {labels, values at t=0, step, 2*step, ...}; null skips a point, 'stale' marks staleness. */
function load(step: number, series: [Record<string, string>, (number | null | 'stale')[]][]): Head {
  const h = new Head();
  for (const [r, vals] of series) {
    const l = lbl(r);
    vals.forEach((v, i) => {
      if (v === null) return;
      if (v === 'stale') h.appendStale(l, i * step);
      else h.append(l, i * step, v);
    });
  }
  return h;
}

function vectorOf(v: QueryValue): Record<string, number> {
  if (v.type !== 'vector') throw new Error(`expected vector, got ${v.type}`);
  const out: Record<string, number> = {};
  for (const s of v.samples) out[s.metric.map((l) => `${l.name}=${l.value}`).join(',')] = s.v;
  return out;
}

function errorOf(f: () => unknown): QueryError {
  try {
    f();
  } catch (e) {
    if (e instanceof QueryError) return e;
    throw e;
  }
  throw new Error('expected a QueryError');
}

describe('rate/increase/delta extrapolation', () => {
  const counter = (start: number) => Array.from({ length: 11 }, (_, i) => start + 240 * i);
  const h = load(4 * M, [
    [{ __name__: 'c', start: '0m' }, counter(0)],
    [{ __name__: 'c', start: '5m' }, counter(300)],
  ]);
  const e = new Engine();

  it('extrapolates to the counter zero point instead of below zero', () => {
    // Prometheus's functions.test: zero cutoff for left-side extrapolation.
    const r = vectorOf(e.instantQuery(h, 'rate(c[20m])', 10 * M));
    expect(r['start=0m']).toBeCloseTo(0.5, 12);
    expect(r['start=5m']).toBeCloseTo(0.6, 12);
  });

  it('extrapolates by half an interval when the edge is far from the first sample', () => {
    const r = vectorOf(e.instantQuery(h, 'rate(c[20m])', 50 * M));
    expect(r['start=0m']).toBeCloseTo(0.6, 12);
    expect(r['start=5m']).toBeCloseTo(0.6, 12);
  });

  it('corrects counter resets for increase but not delta', () => {
    const h2 = load(5 * M, [[{ __name__: 'x' }, [0, 1, 2, 3, 2, 3, 4]]]);
    expect(vectorOf(e.instantQuery(h2, 'increase(x[30m])', 30 * M))['']).toBeCloseTo(7, 12);
    // delta: (4 - 0) over 30m sampled, extrapolated by the 0 distance to the window's end only.
    expect(vectorOf(e.instantQuery(h2, 'delta(x[30m])', 30 * M))['']).toBeCloseTo(4, 12);
  });

  it('corrects resets the same way while the window slides as at a single step', () => {
    // Resets at the first samples, back to back and at the end: the range query keeps its place
    // in the resets from step to step, an instant query finds them afresh.
    const vals = [5, 1, 0, 4, 9, 2, 1, 1, 7, 8, 12, 3, 6, 6, 20, 2];
    const h2 = load(S * 10, [[{ __name__: 'x', a: '1' }, vals]]);
    for (const q of ['increase(x[35s])', 'rate(x[1m])', 'sum(increase(x[25s]))', 'delta(x[35s])']) {
      const r = e.rangeQuery(h2, q, 0, 160 * S, 5 * S);
      if (r.type !== 'matrix') throw new Error('expected a matrix');
      const series = r.series[0]!;
      expect(series.t.length).toBeGreaterThan(20);
      series.t.forEach((t, i) => {
        const at = e.instantQuery(h2, q, t);
        if (at.type !== 'vector') throw new Error('expected a vector');
        expect(at.samples[0]!.v).toBe(series.v[i]);
      });
    }
  });

  it('needs two samples in the window', () => {
    const r = e.instantQuery(h, 'rate(c[1m])', 10 * M);
    expect(r).toEqual({ type: 'vector', samples: [] });
  });

  it('irate uses the last two samples and treats a drop as a reset', () => {
    const h2 = load(5 * M, [[{ __name__: 'x' }, [0, 10, 20, 5]]]);
    expect(vectorOf(e.instantQuery(h2, 'irate(x[20m])', 15 * M))['']).toBeCloseTo(5 / 300, 12);
    expect(vectorOf(e.instantQuery(h2, 'idelta(x[20m])', 15 * M))['']).toBe(-15);
  });
});

describe('histogram_quantile', () => {
  const e = new Engine();
  const buckets = (name: string, les: [string, number][], extra: Record<string, string> = {}) =>
    les.map(([le, v]): [Record<string, string>, number[]] => [{ __name__: name, le, ...extra }, [v]]);

  it('interpolates inside the bucket and returns the highest finite bound in the +Inf bucket', () => {
    const h = load(
      M,
      buckets('h_bucket', [
        ['1', 10],
        ['2', 20],
        ['+Inf', 30],
      ]),
    );
    expect(vectorOf(e.instantQuery(h, 'histogram_quantile(0.25, h_bucket)', 0))['']).toBeCloseTo(0.75, 12);
    expect(vectorOf(e.instantQuery(h, 'histogram_quantile(0.5, h_bucket)', 0))['']).toBeCloseTo(1.5, 12);
    expect(vectorOf(e.instantQuery(h, 'histogram_quantile(0.9, h_bucket)', 0))['']).toBe(2);
  });

  it('follows the NaN and infinity rules', () => {
    const h = load(M, [
      ...buckets('h_bucket', [
        ['1', 10],
        ['+Inf', 10],
      ]),
      ...buckets('noinf_bucket', [
        ['1', 10],
        ['2', 20],
      ]),
      ...buckets('empty_bucket', [
        ['1', 0],
        ['+Inf', 0],
      ]),
      ...buckets('single_bucket', [['+Inf', 5]]),
    ]);
    const q = (s: string) => vectorOf(e.instantQuery(h, s, 0))[''];
    expect(q('histogram_quantile(-1, h_bucket)')).toBe(-Infinity);
    expect(q('histogram_quantile(2, h_bucket)')).toBe(Infinity);
    expect(q('histogram_quantile(NaN, h_bucket)')).toBeNaN();
    expect(q('histogram_quantile(0.5, noinf_bucket)')).toBeNaN();
    expect(q('histogram_quantile(0.5, empty_bucket)')).toBeNaN();
    expect(q('histogram_quantile(0.5, single_bucket)')).toBeNaN();
  });

  it('fixes non-monotonic bucket counts', () => {
    const h = load(
      M,
      buckets('nm_bucket', [
        ['0.1', 20],
        ['1', 10],
        ['10', 50],
        ['100', 40],
        ['1000', 90],
        ['+Inf', 80],
      ]),
    );
    expect(vectorOf(e.instantQuery(h, 'histogram_quantile(0.5, nm_bucket)', 0))['']).toBeCloseTo(8.5, 12);
    expect(vectorOf(e.instantQuery(h, 'histogram_quantile(0.99, nm_bucket)', 0))['']).toBeCloseTo(979.75, 12);
  });

  it('returns the lowest bound when it is not positive', () => {
    const h = load(
      M,
      buckets('neg_bucket', [
        ['-1', 5],
        ['0', 5],
        ['+Inf', 10],
      ]),
    );
    expect(vectorOf(e.instantQuery(h, 'histogram_quantile(0.2, neg_bucket)', 0))['']).toBe(-1);
  });

  it('keeps histograms with different names apart and fails on the clash of their outputs', () => {
    const h = load(M, [
      ...buckets('a_bucket', [
        ['1', 1],
        ['+Inf', 2],
      ]),
      ...buckets('b_bucket', [
        ['1', 1],
        ['+Inf', 2],
      ]),
    ]);
    const err = errorOf(() => e.instantQuery(h, 'histogram_quantile(0.5, {__name__=~".+_bucket"})', 0));
    expect(err.errorType).toBe('execution');
    expect(err.message).toBe('vector cannot contain metrics with the same labelset');
  });
});

describe('vector matching', () => {
  const h = load(M, [
    [{ __name__: 'a', job: 'x', instance: '1' }, [1]],
    [{ __name__: 'a', job: 'x', instance: '2' }, [2]],
    [{ __name__: 'b', job: 'x' }, [10]],
    [{ __name__: 'b', job: 'x', extra: 'e' }, [20]],
    [{ __name__: 'c', job: 'x', team: 't' }, [100]],
  ]);
  const e = new Engine();

  it('reports duplicate series on the one side', () => {
    const err = errorOf(() => e.instantQuery(h, 'a * on(job) b', 0));
    expect(err.errorType).toBe('execution');
    expect(err.message).toMatch(
      /^found duplicate series for the match group \{job="x"\} on the right hand-side of the operation: \[\{__name__="b", .*\];many-to-many matching not allowed: matching labels must be unique on one side$/,
    );
  });

  it('requires group_left/group_right for many-to-one', () => {
    const err = errorOf(() => e.instantQuery(h, 'a * on(job) c', 0));
    expect(err.message).toBe(
      'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
    );
  });

  it('copies group_left labels from the one side and drops the name for arithmetic', () => {
    const r = vectorOf(e.instantQuery(h, 'a * on(job) group_left(team) c', 0));
    expect(r).toEqual({ 'instance=1,job=x,team=t': 100, 'instance=2,job=x,team=t': 200 });
  });

  it('keeps the metric name for comparisons but not with bool', () => {
    expect(vectorOf(e.instantQuery(h, 'a > 1', 0))).toEqual({ '__name__=a,instance=2,job=x': 2 });
    expect(vectorOf(e.instantQuery(h, 'a > bool 1', 0))).toEqual({ 'instance=1,job=x': 0, 'instance=2,job=x': 1 });
    expect(vectorOf(e.instantQuery(h, '1 < a', 0))).toEqual({ '__name__=a,instance=2,job=x': 2 });
  });

  it('set operators match on all labels but the name', () => {
    expect(Object.keys(vectorOf(e.instantQuery(h, 'a and on(job) c', 0))).length).toBe(2);
    expect(vectorOf(e.instantQuery(h, 'a unless on(instance) a{instance="1"}', 0))).toEqual({
      '__name__=a,instance=2,job=x': 2,
    });
  });
});

describe('staleness and lookback', () => {
  const h = load(10 * S, [[{ __name__: 'm' }, [0, 1, 'stale', 2]]]);
  const e = new Engine();

  it('a stale marker ends the series in instant selection', () => {
    expect(vectorOf(e.instantQuery(h, 'm', 10 * S))).toEqual({ '__name__=m': 1 });
    expect(vectorOf(e.instantQuery(h, 'm', 25 * S))).toEqual({});
    expect(vectorOf(e.instantQuery(h, 'm', 30 * S))).toEqual({ '__name__=m': 2 });
  });

  it('the last sample is visible for five minutes (inclusive)', () => {
    expect(vectorOf(e.instantQuery(h, 'm', 330 * S))).toEqual({ '__name__=m': 2 });
    expect(vectorOf(e.instantQuery(h, 'm', 331 * S))).toEqual({});
  });

  it('range selections drop stale markers and include both window ends', () => {
    expect(vectorOf(e.instantQuery(h, 'count_over_time(m[1m])', 30 * S))).toEqual({ '': 3 });
    expect(vectorOf(e.instantQuery(h, 'count_over_time(m[10s])', 30 * S))).toEqual({ '': 1 });
    expect(vectorOf(e.instantQuery(h, 'count_over_time(m[20s])', 30 * S))).toEqual({ '': 2 });
  });

  it('honours a configured lookback delta', () => {
    const short = new Engine({ lookbackDeltaMs: 15 * S });
    expect(vectorOf(short.instantQuery(h, 'm', 45 * S))).toEqual({ '__name__=m': 2 });
    expect(vectorOf(short.instantQuery(h, 'm', 46 * S))).toEqual({});
  });
});

describe('range queries, @ and subqueries', () => {
  const h = load(M, [[{ __name__: 'x' }, Array.from({ length: 61 }, (_, i) => i)]]);
  const e = new Engine();

  it('returns one point per step, sorted series', () => {
    const r = e.rangeQuery(h, 'x * 2', 0, 10 * M, 5 * M);
    expect(r).toEqual({ type: 'matrix', series: [{ metric: [], t: [0, 5 * M, 10 * M], v: [0, 10, 20] }] });
  });

  it('evaluates @ selectors once and repeats them at every step', () => {
    const r = e.rangeQuery(h, 'x @ 600', 0, 20 * M, 10 * M);
    expect(r.type === 'matrix' && r.series[0]!.v).toEqual([10, 10, 10]);
    const r2 = e.rangeQuery(h, 'x @ end()', 0, 20 * M, 10 * M);
    expect(r2.type === 'matrix' && r2.series[0]!.v).toEqual([20, 20, 20]);
  });

  it('timestamp() of an @ selector sees only the data its offset selected (as Prometheus 2.42)', () => {
    // Answers of Prometheus 2.42 to the same data (one sample per minute): the offset moves the
    // selected range back, while the lookback is still measured from the @ time.
    expect(vectorOf(e.instantQuery(h, 'timestamp(x @ 1800 offset 10m)', 50 * M))).toEqual({});
    expect(vectorOf(e.instantQuery(h, 'timestamp(x @ 1800 offset 2m)', 50 * M))).toEqual({ '': 1680 });
    expect(vectorOf(e.instantQuery(h, 'timestamp(x @ 1800)', 50 * M))).toEqual({ '': 1800 });
  });

  it('aligns subquery steps to absolute multiples of the step', () => {
    const r = e.instantQuery(h, 'x[5m:2m]', 9 * M + 30 * S);
    expect(r.type).toBe('matrix');
    if (r.type === 'matrix') expect(r.series[0]!.t).toEqual([6 * M, 8 * M]);
    // The default step is one minute; the window is inclusive at both ends.
    const r2 = vectorOf(e.instantQuery(h, 'count_over_time(x[5m:])', 10 * M));
    expect(r2).toEqual({ '': 6 });
  });

  it('steps by count, so times beyond float64 integer precision cannot stall a loop', () => {
    // At 1e303 ms (or 9e18 ms with @), adding a 1 ms step to the running time does not change it;
    // a loop waiting for the time to pass the end ran until the 50M sample limit (seconds).
    const started = Date.now();
    expect(vectorOf(e.instantQuery(h, 'vector(1)', 1e303))).toEqual({ '': 1 });
    const r = vectorOf(e.instantQuery(h, 'count_over_time(vector(1)[5m:1ms] @ 9e15)', 0));
    expect(r['']).toBeGreaterThan(290_000);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('rejects range queries of range vectors', () => {
    const err = errorOf(() => e.rangeQuery(h, 'x[5m]', 0, M, M));
    expect(err.errorType).toBe('bad_data');
    expect(err.message).toBe(
      'invalid expression type "range vector" for range query, must be Scalar or instant Vector',
    );
  });
});

describe('long operator chains and deep nesting', () => {
  const h = load(M, [
    [{ __name__: 'x', a: '1' }, [1]],
    [{ __name__: 'x', a: '2' }, [2]],
  ]);
  const e = new Engine();
  const terms = (n: number, t: string, op: string): string => Array.from({ length: n }, () => t).join(op);

  it('evaluates left-associative chains of 2,000 and 100,000 terms without recursing', () => {
    for (const n of [2000, 100_000]) {
      expect(e.instantQuery(h, terms(n, '1', '+'), 0)).toEqual({ type: 'scalar', t: 0, v: n });
      expect(vectorOf(e.instantQuery(h, terms(n, 'x', ' + '), 0))).toEqual({ 'a=1': n, 'a=2': 2 * n });
      expect(vectorOf(e.instantQuery(h, 'x' + ' * 1'.repeat(n - 1), 0))).toEqual({ 'a=1': 1, 'a=2': 2 });
      expect(vectorOf(e.instantQuery(h, terms(n, 'x', ' or '), 0))).toEqual({
        '__name__=x,a=1': 1,
        '__name__=x,a=2': 2,
      });
    }
    const r = e.rangeQuery(h, terms(2000, '1', '-'), 0, 2 * M, M);
    expect(r).toEqual({ type: 'matrix', series: [{ metric: [], t: [0, M, 2 * M], v: [-1998, -1998, -1998] }] });
  });

  it('evaluates nesting at the limit and refuses deeper nesting as bad_data', () => {
    const nested = (n: number): string => 'abs('.repeat(n) + 'x' + ')'.repeat(n);
    expect(vectorOf(e.instantQuery(h, nested(511), 0))).toEqual({ 'a=1': 1, 'a=2': 2 });
    expect(e.instantQuery(h, '('.repeat(511) + '1' + ')'.repeat(511), 0)).toEqual({ type: 'scalar', t: 0, v: 1 });
    for (const q of [nested(2000), '('.repeat(100_000) + '1' + ')'.repeat(100_000), terms(2000, '2', '^')]) {
      const err = errorOf(() => e.instantQuery(h, q, 0));
      expect(err.errorType).toBe('bad_data');
      expect(err.message).toMatch(/parse error: expression nested too deeply \(the limit is 512 levels\)$/);
    }
  });
});

describe('errors and limits', () => {
  const h = load(S, [[{ __name__: 'x' }, Array.from({ length: 1000 }, (_, i) => i)]]);

  it('reports parse errors as bad_data with the parser message', () => {
    const err = errorOf(() => new Engine().instantQuery(h, 'sum(', 0));
    expect(err.errorType).toBe('bad_data');
    expect(err.message).toMatch(/^1:\d+: parse error: /);
  });

  it('reports runtime errors as execution errors', () => {
    const err = errorOf(() => new Engine().instantQuery(h, 'label_replace(x, "dst", "", "src", "(.*")', 0));
    expect(err.errorType).toBe('execution');
    expect(err.message).toBe('invalid regular expression in label_replace(): (.*');
  });

  it('fails when a query would hold too many samples', () => {
    const e = new Engine({ maxSamples: 100 });
    const err = errorOf(() => e.instantQuery(h, 'x[10m]', 999 * S));
    expect(err.errorType).toBe('execution');
    expect(err.message).toBe('query processing would load too many samples into memory in query execution');
    expect(vectorOf(e.instantQuery(h, 'count_over_time(x[50s])', 999 * S))).toEqual({ '': 51 });
    expect(() => e.rangeQuery(h, 'x', 0, 999 * S, S)).toThrow(QueryError);
  });

  it('times out', () => {
    const e = new Engine({ timeoutMs: 1 });
    const err = errorOf(() => e.rangeQuery(h, 'sum_over_time(x[10m:1s]) * 2', 0, 3_000_000 * S, S));
    expect(err.errorType).toBe('timeout');
    expect(err.message).toBe('query timed out in expression evaluation');
  });

  it('takes a shorter timeout per query (the timeout parameter of the API), never a longer one', () => {
    const slow = 'sum_over_time(x[10m:1s]) * 2';
    const e = new Engine();
    const err = errorOf(() => e.rangeQuery(h, slow, 0, 3_000_000 * S, S, { timeoutMs: 1 }));
    expect(err.errorType).toBe('timeout');
    const strict = new Engine({ timeoutMs: 1 });
    expect(errorOf(() => strict.rangeQuery(h, slow, 0, 3_000_000 * S, S, { timeoutMs: 60_000 })).errorType).toBe(
      'timeout',
    );
  });
});

describe('aggregations', () => {
  const h = load(M, [
    [{ __name__: 'r', g: 'a', i: '1' }, [1]],
    [{ __name__: 'r', g: 'a', i: '2' }, [3]],
    [{ __name__: 'r', g: 'b', i: '3' }, [NaN]],
    [{ __name__: 'r', g: 'b', i: '4' }, [5]],
  ]);
  const e = new Engine();

  it('groups with by and without', () => {
    expect(vectorOf(e.instantQuery(h, 'sum by (g) (r{g="a"})', 0))).toEqual({ 'g=a': 4 });
    expect(vectorOf(e.instantQuery(h, 'max without (i) (r)', 0))).toEqual({ 'g=a': 3, 'g=b': 5 });
    expect(vectorOf(e.instantQuery(h, 'count_values("val", r{g="a"})', 0))).toEqual({ 'val=1': 1, 'val=3': 1 });
    expect(vectorOf(e.instantQuery(h, 'quantile(0.5, r{g="a"})', 0))).toEqual({ '': 2 });
    expect(vectorOf(e.instantQuery(h, 'stddev(r{g="a"})', 0))).toEqual({ '': 1 });
  });

  it('orders topk/bottomk results and ranks NaN last', () => {
    const r = e.instantQuery(h, 'topk(3, r)', 0);
    expect(r.type === 'vector' && r.samples.map((s) => s.v)).toEqual([5, 3, 1]);
    const b = e.instantQuery(h, 'bottomk(2, r)', 0);
    expect(b.type === 'vector' && b.samples.map((s) => s.v)).toEqual([1, 3]);
  });
});
