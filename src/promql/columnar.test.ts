// Property test: the columnar (series by series) paths of aggregations and vector-scalar
// operations give exactly what the step-wise paths give, on random data with NaN, infinities,
// -0, gaps and staleness markers, for random operators, grouping and step ranges. Each path
// runs in its own engine (columnar: false forces the step-wise one everywhere).
import { describe, expect, it } from 'vitest';
import { Head } from '../tsdb/head.js';
import { labelsFromRecord } from '../labels/labels.js';
import { Engine } from './engine.js';
import { mulberry32 as rng } from '../api/prometheus/testing/demo-data.js';
import { QueryError, type QueryValue } from './value.js';
import { countingQuerier } from '../storage/testing/counting-querier.js';

const STEP = 15_000;
const SPECIAL = [NaN, Infinity, -Infinity, -0, 0, 1e308, -1e308, 5e-324];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

/** Random series of metric x: some gaps, some staleness markers, special values mixed in. */
function randomHead(r: () => number): Head {
  const h = new Head();
  const n = 1 + Math.floor(r() * 8);
  for (let i = 0; i < n; i++) {
    const labels = labelsFromRecord({
      __name__: 'x',
      job: pick(r, ['a', 'b', 'c']),
      inst: String(i),
      ...(r() < 0.3 ? { zone: pick(r, ['z1', 'z2']) } : {}),
    });
    const gap = r() < 0.5 ? STEP : pick(r, [7_000, 30_000, 60_000]);
    for (let t = 0; t <= 40 * STEP; t += gap) {
      const u = r();
      if (u < 0.05) continue;
      if (u < 0.1) h.appendStale(labels, t);
      else if (u < 0.25) h.append(labels, t, pick(r, SPECIAL));
      else h.append(labels, t, Math.round((r() - 0.3) * 1000) / (r() < 0.5 ? 1 : 7));
    }
  }
  return h;
}

const AGGREGATIONS = ['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar'];
const GROUPINGS = ['', ' by (job)', ' without (inst)', ' by (job, zone)', ' without (job, inst)', ' by (nothing)'];
const ARITHMETIC = ['+', '-', '*', '/', '%', '^', 'atan2'];
const COMPARISON = ['==', '!=', '>', '<', '>=', '<='];
const SCALARS = ['2', '-0.5', '0', 'NaN', 'Inf', 'time()', 'scalar(sum(x))'];

function randomVectorScalar(r: () => number, inner: string): string {
  const cmp = r() < 0.5;
  const op = cmp ? pick(r, COMPARISON) + (r() < 0.5 ? ' bool' : '') : pick(r, ARITHMETIC);
  const s = pick(r, SCALARS);
  return r() < 0.5 ? `(${inner} ${op} ${s})` : `(${s} ${op} ${inner})`;
}

function randomQuery(r: () => number): string {
  let inner = pick(r, ['x', 'x', 'x offset 20s', 'rate(x[1m])', 'increase(x[45s] offset 10s)', 'delta(x[2m])', '-x']);
  if (r() < 0.5) inner = randomVectorScalar(r, inner);
  const agg = `${pick(r, AGGREGATIONS)}${pick(r, GROUPINGS)} (${inner})`;
  const u = r();
  if (u < 0.3) return agg;
  if (u < 0.6) return randomVectorScalar(r, agg);
  if (u < 0.8) return `${pick(r, AGGREGATIONS)}${pick(r, GROUPINGS)} (${randomVectorScalar(r, agg)})`;
  return randomVectorScalar(r, inner);
}

/** Exact rendering of a result: NaN, -0 and every bit of the values count. */
function render(v: QueryValue | QueryError): string {
  if (v instanceof QueryError) return `error ${v.errorType}: ${v.message}`;
  const num = (x: number): string => (Object.is(x, -0) ? '-0' : String(x));
  const lbl = (m: readonly { name: string; value: string }[]): string =>
    '{' + m.map((l) => `${l.name}=${l.value}`).join(',') + '}';
  switch (v.type) {
    case 'vector':
      return v.samples.map((s) => `${lbl(s.metric)} ${s.t} ${num(s.v)}`).join('\n');
    case 'matrix':
      return v.series.map((s) => `${lbl(s.metric)} ${s.t.join(',')} ${Array.from(s.v, num).join(',')}`).join('\n');
    default:
      return `${v.type} ${v.t} ${typeof v.v === 'number' ? num(v.v) : v.v}`;
  }
}

function run(f: () => QueryValue): QueryValue | QueryError {
  try {
    return f();
  } catch (e) {
    if (e instanceof QueryError) return e;
    throw e;
  }
}

describe('columnar and step-wise evaluation agree', () => {
  const columnar = new Engine();
  const stepwise = new Engine({ columnar: false });

  it('on random data, operators and grouping (range and instant queries)', () => {
    let compared = 0;
    let nonEmpty = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const r = rng(seed);
      const head = randomHead(r);
      for (let q = 0; q < 25; q++) {
        const query = randomQuery(r);
        const start = Math.floor(r() * 10) * STEP + pick(r, [0, 0, 1000]);
        const end = start + Math.floor(r() * 30) * STEP;
        const step = pick(r, [STEP, 2 * STEP, 10_000, 60_000]);
        const where = `seed ${seed}, ${query}, ${start}..${end} step ${step}`;
        const a = render(run(() => columnar.rangeQuery(head, query, start, end, step)));
        const b = render(run(() => stepwise.rangeQuery(head, query, start, end, step)));
        expect(a, where).toBe(b);
        const ai = render(run(() => columnar.instantQuery(head, query, end)));
        const bi = render(run(() => stepwise.instantQuery(head, query, end)));
        expect(ai, `${where} (instant at ${end})`).toBe(bi);
        compared += 2;
        if (a !== '' && !a.startsWith('error')) nonEmpty++;
      }
    }
    // The comparison must be about results, not about two empty answers.
    expect(compared).toBe(3000);
    expect(nonEmpty).toBeGreaterThan(1000);
  });

  it('a sum of rates over short-lived series in many groups (the slots would dwarf the points) as step-wise', () => {
    // 3,000 series of 4 samples each, one group per series, over 2,000 steps: the series-by-series
    // fold gives up part-way through its scan and the step-wise path answers from the start.
    const h = new Head();
    for (let i = 0; i < 3000; i++) {
      const l = labelsFromRecord({ __name__: 'x', inst: String(i) });
      const t0 = (i % 1990) * STEP;
      for (let j = 0; j < 4; j++) h.append(l, t0 + j * 10_000, i + j * (i % 5));
    }
    // the storage's reads tell the paths apart: the fold scans, the step-wise path selects
    const counting = countingQuerier(h);
    const query = 'sum by (inst) (rate(x[1m]))';
    const a = run(() => columnar.rangeQuery(counting, query, 0, 2000 * STEP, STEP));
    expect(counting.reads).toEqual(['scan', 'select']);
    const b = run(() => stepwise.rangeQuery(h, query, 0, 2000 * STEP, STEP));
    expect(render(a)).toBe(render(b));
    expect(!(a instanceof QueryError) && a.type === 'matrix' && a.series.length).toBe(3000);
    // the same query over few steps stays with the fold: one scan, no select
    counting.reads.length = 0;
    run(() => columnar.rangeQuery(counting, query, 0, 20 * STEP, STEP));
    expect(counting.reads).toEqual(['scan']);
  });

  it('including the infinities of avg, in any order', () => {
    const values = [Infinity, -Infinity, NaN, 1, -1, 1e308, 1e308];
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(1000 + seed);
      const h = new Head();
      const n = 2 + Math.floor(r() * 5);
      for (let i = 0; i < n; i++) {
        const l = labelsFromRecord({ __name__: 'x', i: String(i), g: String(i % 2) });
        for (let t = 0; t <= 10 * STEP; t += STEP) h.append(l, t, pick(r, values));
      }
      for (const op of AGGREGATIONS) {
        for (const g of ['', ' by (g)']) {
          const query = `${op}${g} (x)`;
          const a = render(run(() => columnar.rangeQuery(h, query, 0, 10 * STEP, STEP)));
          const b = render(run(() => stepwise.rangeQuery(h, query, 0, 10 * STEP, STEP)));
          expect(a, `seed ${seed}: ${query}`).toBe(b);
          expect(a).not.toBe('');
        }
      }
    }
  });
});
