// PromQL function implementations as a table, with Prometheus 2.42's semantics. The engine calls
// each function once per step: instant-vector and scalar arguments arrive as sample arrays (a
// scalar is one sample), a range-vector argument as the window of one series, string arguments
// as null (their values are read from the expressions).
import { RE2JS } from 're2js';
import type { Expr } from './parser/ast.js';
import { getLabel, type Labels } from '../labels/labels.js';
import { bucketQuantile, compareNaNFirst, quantile, type Bucket } from './quantile.js';
import { EvalError, dropMetricName, isValidLabelName, keyOf, setLabel, type Sample } from './series.js';
import { parseGoFloat } from '../gocompat/float.js';

/** One series' samples inside the window of a range-vector argument, plus the window bounds. */
export interface MatrixArg {
  readonly metric: Labels;
  readonly t: ArrayLike<number>;
  readonly v: ArrayLike<number>;
  /** first sample index inside the window */
  lo: number;
  /** one past the last sample index inside the window */
  hi: number;
  /** window start and end (ms, both inclusive) and the selector's range (ms) */
  rangeStart: number;
  rangeEnd: number;
  range: number;
}

export type FnArg = Sample[] | MatrixArg | null;

/** Per-node state kept across the steps of one evaluation (caches, as Prometheus's EvalNodeHelper). */
export interface EvalNodeHelper {
  /** the step's evaluation time (ms) */
  ts: number;
  /** per-node caches of label results, by input label key */
  labelCache?: Map<string, Labels>;
  regex?: RE2JS;
  /** histogram_quantile: per input label set, its bucket bound and group (null: not a bucket) */
  bucketInfo?: Map<Labels, { ub: number; sig: string; metric: Labels } | null>;
  /** histogram_quantile: output label set per bucket group, shared across steps */
  bucketGroups?: Map<string, Labels>;
}

export type FunctionImpl = (vals: readonly FnArg[], args: readonly Expr[], enh: EvalNodeHelper) => Sample[];

export interface FunctionDef {
  readonly returnType: 'vector' | 'scalar';
  readonly call: FunctionImpl;
}

function vec(a: FnArg | undefined): Sample[] {
  return a as Sample[];
}
function scalarArg(a: FnArg | undefined): number {
  return (a as Sample[])[0]!.v;
}
function mat(a: FnArg | undefined): MatrixArg {
  return a as MatrixArg;
}

function one(v: number, metric: Labels = []): Sample[] {
  return [{ metric, t: 0, v }];
}

function stringFromArg(e: Expr | undefined): string {
  let x = e;
  while (x && (x.type === 'ParenExpr' || x.type === 'StepInvariantExpr')) x = x.expr;
  if (!x || x.type !== 'StringLiteral') throw new EvalError('expected a string literal argument');
  return x.val;
}

// ---- rate, increase, delta -------------------------------------------------------------

/**
 * rate/increase/delta: the change over the window (corrected for counter resets when isCounter),
 * extrapolated towards the window's edges when the first/last samples are close enough to them
 * (within 1.1 average sample intervals), else by half an interval; counters are not extrapolated
 * below zero.
 */
function extrapolatedRate(m: MatrixArg, isCounter: boolean, isRate: boolean): Sample[] {
  const r = extrapolatedRateValue(m, isCounter, isRate);
  return r === undefined ? [] : one(r);
}

function extrapolatedRateValue(m: MatrixArg, isCounter: boolean, isRate: boolean): number | undefined {
  if (m.hi - m.lo < 2) return undefined;
  const { t, v, lo, hi } = m;
  const change = windowChange(v, lo, hi, isCounter);
  return extrapolatedChange(t, v, lo, hi, change, m.rangeStart, m.rangeEnd, m.range, isCounter, isRate);
}

/** The change over v[lo, hi): last minus first, plus (for a counter) the value before each reset, in order. */
export function windowChange(v: ArrayLike<number>, lo: number, hi: number, isCounter: boolean): number {
  const firstV = v[lo]!;
  let result = v[hi - 1]! - firstV;
  if (isCounter) {
    let prev = firstV;
    for (let i = lo + 1; i < hi; i++) {
      const cur = v[i]!;
      if (cur < prev) result += prev;
      prev = cur;
    }
  }
  return result;
}

/**
 * The index of the first counter reset (a value below its predecessor) at or after `from`, or
 * v.length: a window without one has last minus first as its change (windowChange adds nothing).
 */
export function nextReset(v: ArrayLike<number>, from: number): number {
  const n = v.length;
  let i = from < 1 ? 1 : from;
  while (i < n && !(v[i]! < v[i - 1]!)) i++;
  return i < n ? i : n;
}

/**
 * extrapolatedRate over the window t/v[lo, hi) (at least two samples) of [rangeStart, rangeEnd]
 * whose change (windowChange) is `result`, on plain arguments so that the engine's per-series loop
 * calls it without building a MatrixArg.
 */
export function extrapolatedChange(
  t: ArrayLike<number>,
  v: ArrayLike<number>,
  lo: number,
  hi: number,
  result: number,
  rangeStart: number,
  rangeEnd: number,
  range: number,
  isCounter: boolean,
  isRate: boolean,
): number {
  const n = hi - lo;
  const firstT = t[lo]!;
  const lastT = t[hi - 1]!;
  const firstV = v[lo]!;
  let durationToStart = (firstT - rangeStart) / 1000;
  const durationToEnd = (rangeEnd - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (n - 1);

  if (isCounter && result > 0 && firstV >= 0) {
    // The counter cannot have been below zero: do not extrapolate past its zero point.
    const durationToZero = sampledInterval * (firstV / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const extrapolationThreshold = averageDurationBetweenSamples * 1.1;
  let extrapolateToInterval = sampledInterval;
  extrapolateToInterval +=
    durationToStart < extrapolationThreshold ? durationToStart : averageDurationBetweenSamples / 2;
  extrapolateToInterval += durationToEnd < extrapolationThreshold ? durationToEnd : averageDurationBetweenSamples / 2;
  let factor = extrapolateToInterval / sampledInterval;
  if (isRate) factor /= range / 1000;
  return result * factor;
}

function instantValue(m: MatrixArg, isRate: boolean): Sample[] {
  const r = instantValueOf(m, isRate);
  return r === undefined ? [] : one(r);
}

function instantValueOf(m: MatrixArg, isRate: boolean): number | undefined {
  if (m.hi - m.lo < 2) return undefined;
  const lastT = m.t[m.hi - 1]!;
  const lastV = m.v[m.hi - 1]!;
  const prevT = m.t[m.hi - 2]!;
  const prevV = m.v[m.hi - 2]!;
  let result = isRate && lastV < prevV ? lastV : lastV - prevV;
  const sampledInterval = lastT - prevT;
  if (sampledInterval === 0) return undefined;
  if (isRate) result /= sampledInterval / 1000;
  return result;
}

// ---- *_over_time -----------------------------------------------------------------------

/** Neumaier's improved Kahan summation step; returns [sum, compensation]. */
export function kahanSumInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

function overTime(f: (m: MatrixArg) => number): FunctionImpl {
  return (vals) => one(f(mat(vals[0])));
}

function avgOverTime(m: MatrixArg): number {
  let mean = 0;
  let count = 0;
  let c = 0;
  for (let i = m.lo; i < m.hi; i++) {
    const x = m.v[i]!;
    count++;
    if (!Number.isFinite(mean) && !Number.isNaN(mean)) {
      // An infinite mean stays as it is unless an opposite infinity or a NaN arrives; the
      // incremental update below would turn Inf into NaN (Inf - Inf).
      if (!Number.isFinite(x) && !Number.isNaN(x) && mean > 0 === x > 0) continue;
      if (Number.isFinite(x)) continue;
    }
    [mean, c] = kahanSumInc(x / count - mean / count, mean, c);
  }
  if (!Number.isFinite(mean) && !Number.isNaN(mean)) return mean;
  return mean + c;
}

function sumOverTime(m: MatrixArg): number {
  let sum = 0;
  let c = 0;
  for (let i = m.lo; i < m.hi; i++) [sum, c] = kahanSumInc(m.v[i]!, sum, c);
  if (!Number.isFinite(sum) && !Number.isNaN(sum)) return sum;
  return sum + c;
}

function varianceOverTime(m: MatrixArg): number {
  let count = 0;
  let mean = 0;
  let cMean = 0;
  let aux = 0;
  let cAux = 0;
  for (let i = m.lo; i < m.hi; i++) {
    const x = m.v[i]!;
    count++;
    const delta = x - (mean + cMean);
    [mean, cMean] = kahanSumInc(delta / count, mean, cMean);
    [aux, cAux] = kahanSumInc(delta * (x - (mean + cMean)), aux, cAux);
  }
  return (aux + cAux) / count;
}

function maxOverTime(m: MatrixArg): number {
  let max = m.v[m.lo]!;
  for (let i = m.lo; i < m.hi; i++) {
    const x = m.v[i]!;
    if (x > max || Number.isNaN(max)) max = x;
  }
  return max;
}

function minOverTime(m: MatrixArg): number {
  let min = m.v[m.lo]!;
  for (let i = m.lo; i < m.hi; i++) {
    const x = m.v[i]!;
    if (x < min || Number.isNaN(min)) min = x;
  }
  return min;
}

/** Least-squares fit of the window's samples; x is seconds relative to interceptTime. */
function linearRegression(m: MatrixArg, interceptTime: number): [number, number] {
  let n = 0;
  let sumX = 0,
    cX = 0,
    sumY = 0,
    cY = 0,
    sumXY = 0,
    cXY = 0,
    sumX2 = 0,
    cX2 = 0;
  const initY = m.v[m.lo]!;
  let constY = true;
  for (let i = m.lo; i < m.hi; i++) {
    const y = m.v[i]!;
    if (constY && i > m.lo && y !== initY) constY = false;
    n += 1;
    const x = (m.t[i]! - interceptTime) / 1e3;
    [sumX, cX] = kahanSumInc(x, sumX, cX);
    [sumY, cY] = kahanSumInc(y, sumY, cY);
    [sumXY, cXY] = kahanSumInc(x * y, sumXY, cXY);
    [sumX2, cX2] = kahanSumInc(x * x, sumX2, cX2);
  }
  if (constY) {
    if (!Number.isFinite(initY) && !Number.isNaN(initY)) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return [slope, intercept];
}

function derivOf(m: MatrixArg): number | undefined {
  if (m.hi - m.lo < 2) return undefined;
  // Intercept at the first sample's time keeps the numbers small (Prometheus issue 2674).
  return linearRegression(m, m.t[m.lo]!)[0];
}

function changesOverTime(m: MatrixArg): number {
  let changes = 0;
  let prev = m.v[m.lo]!;
  for (let i = m.lo + 1; i < m.hi; i++) {
    const cur = m.v[i]!;
    if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) changes++;
    prev = cur;
  }
  return changes;
}

function resetsOverTime(m: MatrixArg): number {
  let resets = 0;
  let prev = m.v[m.lo]!;
  for (let i = m.lo + 1; i < m.hi; i++) {
    const cur = m.v[i]!;
    if (cur < prev) resets++;
    prev = cur;
  }
  return resets;
}

function holtWinters(vals: readonly FnArg[]): Sample[] {
  const m = mat(vals[0]);
  const sf = scalarArg(vals[1]);
  const tf = scalarArg(vals[2]);
  // As in Prometheus, NaN factors pass these checks (comparisons with NaN are false).
  if (sf <= 0 || sf >= 1) throw new EvalError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${goFixed6(sf)}`);
  if (tf <= 0 || tf >= 1) throw new EvalError(`invalid trend factor. Expected: 0 < tf < 1, got: ${goFixed6(tf)}`);
  const l = m.hi - m.lo;
  if (l < 2) return [];
  let s0 = 0;
  let s1 = m.v[m.lo]!;
  let b = m.v[m.lo + 1]! - m.v[m.lo]!;
  for (let i = 1; i < l; i++) {
    const x = sf * m.v[m.lo + i]!;
    // Trend at the previous point (the first trend is the initial slope).
    if (i - 1 !== 0) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return one(s1);
}

/** Go's %f */
function goFixed6(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return v.toFixed(6);
}

// ---- instant-vector helpers ------------------------------------------------------------

function simple(f: (x: number) => number): FunctionImpl {
  return (vals) => vec(vals[0]).map((s) => ({ metric: dropMetricName(s.metric), t: 0, v: f(s.v) }));
}

/** Go's math.Pow edge cases that differ from JS's ** operator. */
export function goPow(x: number, y: number): number {
  if (y === 0) return 1;
  if (x === 1) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return Math.pow(x, y);
}

/** Go's sort.Sort for small inputs is an insertion sort; larger inputs use a stable sort here. */
function goSort<T>(a: T[], less: (x: T, y: T) => boolean): T[] {
  if (a.length <= 12) {
    for (let i = 1; i < a.length; i++) {
      for (let j = i; j > 0 && less(a[j]!, a[j - 1]!); j--) {
        const tmp = a[j]!;
        a[j] = a[j - 1]!;
        a[j - 1] = tmp;
      }
    }
    return a;
  }
  return a.sort((x, y) => (less(x, y) ? -1 : less(y, x) ? 1 : 0));
}

// ---- dates -----------------------------------------------------------------------------

function dateFn(f: (d: Date) => number): FunctionImpl {
  return (vals, _args, enh) => {
    if (vals.length === 0) return one(f(new Date(Math.trunc(enh.ts / 1000) * 1000)));
    return vec(vals[0]).map((s) => ({
      metric: dropMetricName(s.metric),
      t: 0,
      v: f(new Date(Math.trunc(s.v) * 1000)),
    }));
  };
}

function dayOfYear(d: Date): number {
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return Math.floor((d.getTime() - start) / 86_400_000) + 1;
}

// ---- labels ----------------------------------------------------------------------------

/** Go's regexp.Expand template semantics: $1, ${1}, $name, ${name}, $$. */
function expandTemplate(template: string, groups: (string | null)[], names: Record<string, number>): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const ch = template[i]!;
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    i++;
    if (i < template.length && template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    let brace = false;
    let j = i;
    if (j < template.length && template[j] === '{') {
      brace = true;
      j++;
    }
    const nameStart = j;
    while (j < template.length && /[\p{L}\p{N}_]/u.test(template[j]!)) j++;
    const name = template.slice(nameStart, j);
    if (name === '' || (brace && template[j] !== '}')) {
      out += '$';
      continue;
    }
    if (brace) j++;
    i = j;
    let num = -1;
    if (/^\d+$/.test(name) && !(name[0] === '0' && name.length > 1) && name.length <= 9) num = Number(name);
    if (num >= 0) {
      if (num < groups.length) out += groups[num] ?? '';
    } else {
      const idx = names[name];
      if (idx !== undefined) out += groups[idx] ?? '';
    }
  }
  return out;
}

function labelReplace(vals: readonly FnArg[], args: readonly Expr[], enh: EvalNodeHelper): Sample[] {
  const dst = stringFromArg(args[1]);
  const repl = stringFromArg(args[2]);
  const src = stringFromArg(args[3]);
  const regexStr = stringFromArg(args[4]);
  if (!enh.regex) {
    try {
      enh.regex = RE2JS.compile(`^(?:${regexStr})$`);
    } catch {
      throw new EvalError(`invalid regular expression in label_replace(): ${regexStr}`);
    }
    if (!isValidLabelName(dst)) throw new EvalError(`invalid destination label name in label_replace(): ${dst}`);
    enh.labelCache = new Map();
  }
  const re = enh.regex;
  const cache = enh.labelCache!;
  const names = re.namedGroups();
  return vec(vals[0]).map((s) => {
    const key = keyOf(s.metric);
    let out = cache.get(key);
    if (out === undefined) {
      const srcVal = getLabel(s.metric, src);
      const m = re.matcher(srcVal);
      if (!m.matches()) {
        out = s.metric;
      } else {
        const groups: (string | null)[] = [];
        for (let g = 0; g <= m.groupCount(); g++) groups.push(m.group(g));
        out = setLabel(s.metric, dst, expandTemplate(repl, groups, names));
      }
      cache.set(key, out);
    }
    return { metric: out, t: 0, v: s.v };
  });
}

function labelJoin(vals: readonly FnArg[], args: readonly Expr[], enh: EvalNodeHelper): Sample[] {
  const dst = stringFromArg(args[1]);
  const sep = stringFromArg(args[2]);
  const srcLabels: string[] = [];
  for (let i = 3; i < args.length; i++) {
    const src = stringFromArg(args[i]);
    if (!isValidLabelName(src)) throw new EvalError(`invalid source label name in label_join(): ${src}`);
    srcLabels.push(src);
  }
  if (!isValidLabelName(dst)) throw new EvalError(`invalid destination label name in label_join(): ${dst}`);
  enh.labelCache ??= new Map();
  const cache = enh.labelCache;
  return vec(vals[0]).map((s) => {
    const key = keyOf(s.metric);
    let out = cache.get(key);
    if (out === undefined) {
      out = setLabel(s.metric, dst, srcLabels.map((l) => getLabel(s.metric, l)).join(sep));
      cache.set(key, out);
    }
    return { metric: out, t: 0, v: s.v };
  });
}

// ---- histogram_quantile ----------------------------------------------------------------

function histogramQuantile(vals: readonly FnArg[], _args: readonly Expr[], enh: EvalNodeHelper): Sample[] {
  const q = scalarArg(vals[0]);
  // Label work is cached per input label set: the same series come back at every step.
  enh.bucketInfo ??= new Map();
  const info = enh.bucketInfo;
  enh.bucketGroups ??= new Map();
  const groupMetric = enh.bucketGroups;
  const groups = new Map<string, { metric: Labels; buckets: Bucket[] }>();
  for (const s of vec(vals[1])) {
    let b = info.get(s.metric);
    if (b === undefined) {
      const ub = parseGoFloat(getLabel(s.metric, 'le'));
      if (ub === undefined) {
        // Series without a (valid) le label are not buckets: skipped, as Prometheus does.
        b = null;
      } else {
        // Buckets group by all labels but le, the metric name included (as Prometheus does).
        const sig = keyOf(s.metric.filter((l) => l.name !== 'le'));
        let metric = groupMetric.get(sig);
        if (!metric) {
          metric = s.metric.filter((l) => l.name !== 'le' && l.name !== '__name__');
          groupMetric.set(sig, metric);
        }
        b = { ub, sig, metric };
      }
      info.set(s.metric, b);
    }
    if (!b) continue;
    let g = groups.get(b.sig);
    if (!g) {
      g = { metric: b.metric, buckets: [] };
      groups.set(b.sig, g);
    }
    g.buckets.push({ upperBound: b.ub, count: s.v });
  }
  const out: Sample[] = [];
  for (const g of groups.values()) out.push({ metric: g.metric, t: 0, v: bucketQuantile(q, g.buckets) });
  return out;
}

// ---- absent ----------------------------------------------------------------------------

/** The labels absent() reports: those fixed by exactly one equality matcher (name excluded). */
export function labelsForAbsent(expr: Expr | undefined): Labels {
  let e = expr;
  while (e && (e.type === 'ParenExpr' || e.type === 'StepInvariantExpr')) e = e.expr;
  let matchers;
  if (e?.type === 'VectorSelector') matchers = e.matchers;
  else if (e?.type === 'MatrixSelector') matchers = e.vectorSelector.matchers;
  else return [];
  const has = new Set<string>();
  const result = new Map<string, string>();
  for (const m of matchers) {
    if (m.name === '__name__') continue;
    if (m.type === '=' && !has.has(m.name)) {
      result.set(m.name, m.value);
      has.add(m.name);
    } else {
      result.delete(m.name);
    }
  }
  return [...result]
    .filter(([, v]) => v !== '')
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// ---- the table -------------------------------------------------------------------------

const V = 'vector' as const;

export const FUNCTION_IMPLS: Readonly<Record<string, FunctionDef>> = {
  abs: { returnType: V, call: simple(Math.abs) },
  absent: {
    returnType: V,
    call: (vals, args) => (vec(vals[0]).length > 0 ? [] : one(1, labelsForAbsent(args[0]))),
  },
  // The engine post-processes absent_over_time over all series; per window it only reports presence.
  absent_over_time: { returnType: V, call: () => one(1) },
  acos: { returnType: V, call: simple(Math.acos) },
  acosh: { returnType: V, call: simple(Math.acosh) },
  asin: { returnType: V, call: simple(Math.asin) },
  asinh: { returnType: V, call: simple(Math.asinh) },
  atan: { returnType: V, call: simple(Math.atan) },
  atanh: { returnType: V, call: simple(Math.atanh) },
  avg_over_time: { returnType: V, call: overTime(avgOverTime) },
  ceil: { returnType: V, call: simple(Math.ceil) },
  changes: { returnType: V, call: overTime(changesOverTime) },
  clamp: {
    returnType: V,
    call: (vals) => {
      const min = scalarArg(vals[1]);
      const max = scalarArg(vals[2]);
      if (max < min) return [];
      return vec(vals[0]).map((s) => ({ metric: dropMetricName(s.metric), t: 0, v: goMax(min, goMin(max, s.v)) }));
    },
  },
  clamp_max: {
    returnType: V,
    call: (vals) => {
      const max = scalarArg(vals[1]);
      return vec(vals[0]).map((s) => ({ metric: dropMetricName(s.metric), t: 0, v: goMin(max, s.v) }));
    },
  },
  clamp_min: {
    returnType: V,
    call: (vals) => {
      const min = scalarArg(vals[1]);
      return vec(vals[0]).map((s) => ({ metric: dropMetricName(s.metric), t: 0, v: goMax(min, s.v) }));
    },
  },
  cos: { returnType: V, call: simple(Math.cos) },
  cosh: { returnType: V, call: simple(Math.cosh) },
  count_over_time: { returnType: V, call: overTime((m) => m.hi - m.lo) },
  days_in_month: {
    returnType: V,
    call: dateFn((d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()),
  },
  day_of_month: { returnType: V, call: dateFn((d) => d.getUTCDate()) },
  day_of_week: { returnType: V, call: dateFn((d) => d.getUTCDay()) },
  day_of_year: { returnType: V, call: dateFn(dayOfYear) },
  deg: { returnType: V, call: simple((x) => (x * 180) / Math.PI) },
  delta: { returnType: V, call: (vals) => extrapolatedRate(mat(vals[0]), false, false) },
  deriv: {
    returnType: V,
    call: (vals) => {
      const r = derivOf(mat(vals[0]));
      return r === undefined ? [] : one(r);
    },
  },
  exp: { returnType: V, call: simple(Math.exp) },
  floor: { returnType: V, call: simple(Math.floor) },
  // Native histograms are not stored here, so these see no histogram samples.
  histogram_count: { returnType: V, call: () => [] },
  histogram_sum: { returnType: V, call: () => [] },
  histogram_fraction: { returnType: V, call: () => [] },
  histogram_quantile: { returnType: V, call: histogramQuantile },
  holt_winters: { returnType: V, call: holtWinters },
  hour: { returnType: V, call: dateFn((d) => d.getUTCHours()) },
  idelta: { returnType: V, call: (vals) => instantValue(mat(vals[0]), false) },
  increase: { returnType: V, call: (vals) => extrapolatedRate(mat(vals[0]), true, false) },
  irate: { returnType: V, call: (vals) => instantValue(mat(vals[0]), true) },
  label_replace: { returnType: V, call: labelReplace },
  label_join: { returnType: V, call: labelJoin },
  ln: { returnType: V, call: simple(Math.log) },
  log10: { returnType: V, call: simple(Math.log10) },
  log2: { returnType: V, call: simple(Math.log2) },
  last_over_time: {
    returnType: V,
    call: (vals) => {
      const m = mat(vals[0]);
      return one(m.v[m.hi - 1]!, m.metric);
    },
  },
  max_over_time: { returnType: V, call: overTime(maxOverTime) },
  min_over_time: { returnType: V, call: overTime(minOverTime) },
  minute: { returnType: V, call: dateFn((d) => d.getUTCMinutes()) },
  month: { returnType: V, call: dateFn((d) => d.getUTCMonth() + 1) },
  pi: { returnType: 'scalar', call: () => one(Math.PI) },
  predict_linear: {
    returnType: V,
    call: (vals, _args, enh) => {
      const m = mat(vals[0]);
      const duration = scalarArg(vals[1]);
      if (m.hi - m.lo < 2) return [];
      const [slope, intercept] = linearRegression(m, enh.ts);
      return one(slope * duration + intercept);
    },
  },
  present_over_time: { returnType: V, call: () => one(1) },
  quantile_over_time: {
    returnType: V,
    call: (vals) => {
      const q = scalarArg(vals[0]);
      const m = mat(vals[1]);
      const values: number[] = [];
      for (let i = m.lo; i < m.hi; i++) values.push(m.v[i]!);
      return one(quantile(q, values));
    },
  },
  rad: { returnType: V, call: simple((x) => (x * Math.PI) / 180) },
  rate: { returnType: V, call: (vals) => extrapolatedRate(mat(vals[0]), true, true) },
  resets: { returnType: V, call: overTime(resetsOverTime) },
  round: {
    returnType: V,
    call: (vals) => {
      const toNearest = vals.length >= 2 ? scalarArg(vals[1]) : 1;
      // Inverting first gives fewer floating-point surprises (as Prometheus does); ties round up.
      const inv = 1 / toNearest;
      return vec(vals[0]).map((s) => ({
        metric: dropMetricName(s.metric),
        t: 0,
        v: Math.floor(s.v * inv + 0.5) / inv,
      }));
    },
  },
  scalar: {
    returnType: 'scalar',
    call: (vals) => {
      const v = vec(vals[0]);
      return one(v.length === 1 ? v[0]!.v : NaN);
    },
  },
  sgn: { returnType: V, call: simple((x) => (x < 0 ? -1 : x > 0 ? 1 : x)) },
  sin: { returnType: V, call: simple(Math.sin) },
  sinh: { returnType: V, call: simple(Math.sinh) },
  sort: {
    returnType: V,
    // Ascending, NaN last.
    call: (vals) => goSort([...vec(vals[0])], (a, b) => Number.isNaN(b.v) || b.v > a.v),
  },
  sort_desc: {
    returnType: V,
    // Descending, NaN last.
    call: (vals) => goSort([...vec(vals[0])], (a, b) => Number.isNaN(b.v) || b.v < a.v),
  },
  sqrt: { returnType: V, call: simple(Math.sqrt) },
  stddev_over_time: { returnType: V, call: overTime((m) => Math.sqrt(varianceOverTime(m))) },
  stdvar_over_time: { returnType: V, call: overTime(varianceOverTime) },
  sum_over_time: { returnType: V, call: overTime(sumOverTime) },
  tan: { returnType: V, call: simple(Math.tan) },
  tanh: { returnType: V, call: simple(Math.tanh) },
  time: { returnType: 'scalar', call: (_vals, _args, enh) => one(enh.ts / 1000) },
  timestamp: {
    returnType: V,
    call: (vals) => vec(vals[0]).map((s) => ({ metric: dropMetricName(s.metric), t: 0, v: s.t / 1000 })),
  },
  vector: { returnType: V, call: (vals) => one(scalarArg(vals[0])) },
  year: { returnType: V, call: dateFn((d) => d.getUTCFullYear()) },
};

/**
 * Range-vector functions whose only argument is the range vector, as numeric kernels over one
 * non-empty window (undefined: no output at that step). The engine calls them from its sliding
 * window loop, which saves allocating a one-sample result vector per series and step.
 */
export type RangeKernel = (m: MatrixArg) => number | undefined;

export const RANGE_KERNELS: Readonly<Partial<Record<string, RangeKernel>>> = {
  irate: (m) => instantValueOf(m, true),
  idelta: (m) => instantValueOf(m, false),
  deriv: derivOf,
  avg_over_time: avgOverTime,
  sum_over_time: sumOverTime,
  min_over_time: minOverTime,
  max_over_time: maxOverTime,
  count_over_time: (m) => m.hi - m.lo,
  stddev_over_time: (m) => Math.sqrt(varianceOverTime(m)),
  stdvar_over_time: varianceOverTime,
  last_over_time: (m) => m.v[m.hi - 1]!,
  present_over_time: () => 1,
  absent_over_time: () => 1,
  changes: changesOverTime,
  resets: resetsOverTime,
};

/** rate, increase and delta, which the engine runs through windowChange and extrapolatedChange directly. */
export const EXTRAPOLATED_RATE_KINDS: Readonly<Partial<Record<string, { isCounter: boolean; isRate: boolean }>>> = {
  rate: { isCounter: true, isRate: true },
  increase: { isCounter: true, isRate: false },
  delta: { isCounter: false, isRate: false },
};

/**
 * Functions whose result can change with the evaluation time even when their arguments do not
 * (Prometheus's AtModifierUnsafeFunctions): never treated as step-invariant.
 */
export const AT_MODIFIER_UNSAFE_FUNCTIONS: ReadonlySet<string> = new Set([
  'days_in_month',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'hour',
  'minute',
  'month',
  'year',
  'predict_linear',
  'time',
  'timestamp',
]);

/** Go's math.Max / math.Min: NaN wins, and +0 beats -0 for max. */
function goMax(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  return Math.max(a, b);
}
function goMin(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  return Math.min(a, b);
}

export { compareNaNFirst };
