// Internal value types of the evaluator and label helpers shared by the engine, functions,
// aggregations and binary operators. Everything the evaluator passes between nodes is a Matrix
// (one point per step for instant vectors and scalars), as in Prometheus's rangeEval.
import { METRIC_NAME, labelsKey, type Label, type Labels } from '../tsdb/labels.js';

/** One element of an instant vector at one step. `t` is the step time (or the sample time for timestamp()). */
export interface Sample {
  metric: Labels;
  t: number;
  v: number;
}

/** A series of the evaluator's matrices: points ascending in time. */
export interface Series {
  metric: Labels;
  t: number[];
  v: number[];
}

/** The samples of one series inside a range-vector window [lo, hi) of t/v. */
export interface Window {
  readonly metric: Labels;
  readonly t: ArrayLike<number>;
  readonly v: ArrayLike<number>;
  lo: number;
  hi: number;
}

/** Errors raised inside evaluation; the engine maps them onto QueryError('execution'). */
export class EvalError extends Error {}

const keyCache = new WeakMap<Labels, string>();

/** labelsKey, memoised per label-set object (label sets are immutable and shared across steps). */
export function keyOf(l: Labels): string {
  let k = keyCache.get(l);
  if (k === undefined) {
    k = labelsKey(l);
    keyCache.set(l, k);
  }
  return k;
}

const dropCache = new WeakMap<Labels, Labels>();

export function dropMetricName(l: Labels): Labels {
  let r = dropCache.get(l);
  if (r === undefined) {
    r = l.some((x) => x.name === METRIC_NAME) ? l.filter((x) => x.name !== METRIC_NAME) : l;
    dropCache.set(l, r);
  }
  return r;
}

/** Returns a copy with `name` set to `value` (deleted when value is empty), kept sorted. */
export function setLabel(l: Labels, name: string, value: string): Labels {
  const out: Label[] = [];
  let done = false;
  for (const x of l) {
    if (!done && x.name >= name) {
      if (value !== '') out.push({ name, value });
      done = true;
      if (x.name === name) continue;
    }
    out.push(x);
  }
  if (!done && value !== '') out.push({ name, value });
  return out;
}

export function deleteLabels(l: Labels, names: ReadonlySet<string>): Labels {
  return l.filter((x) => !names.has(x.name));
}

export function keepLabels(l: Labels, names: ReadonlySet<string>): Labels {
  return l.filter((x) => names.has(x.name));
}

/** A key over the listed labels only (on) or over all but the listed ones (ignoring/without). */
export function signature(l: Labels, on: boolean, names: ReadonlySet<string>): string {
  let key = '';
  for (const x of l) {
    if (names.has(x.name) === on) key += x.name + '\xff' + x.value + '\xfe';
  }
  return key;
}

/** Go's labels.Labels.String(): {__name__="a", b="c"} */
export function goLabelsString(l: Labels): string {
  return '{' + l.map((x) => `${x.name}=${goQuote(x.value)}`).join(', ') + '}';
}

/** Approximates Go's strconv.Quote for label values. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** model.LabelName.IsValid */
export function isValidLabelName(s: string): boolean {
  return LABEL_NAME_RE.test(s);
}

/** Go's strconv.FormatFloat(v, 'g', -1, 64) as fmt's %v prints floats (used in error messages). */
export function formatFloatG(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  const m = /^(-?\d(?:\.\d+)?)e([+-])(\d+)$/.exec(s);
  if (m) return `${m[1]}e${m[2]}${m[3]!.padStart(2, '0')}`;
  // Go switches to exponent form for exponents < -4 or >= 21 (shortest digits): JS uses 21 and -7.
  const abs = Math.abs(v);
  if (abs !== 0 && abs < 1e-4) {
    const e = v.toExponential();
    const mm = /^(-?\d(?:\.\d+)?)e([+-])(\d+)$/.exec(e)!;
    return `${mm[1]}e${mm[2]}${mm[3]!.padStart(2, '0')}`;
  }
  return s;
}

/** Go's strconv.ParseFloat for label values such as le="+Inf", "1e3", "0x1p-2"; NaN when malformed. */
export function parseGoFloat(s: string): number | undefined {
  const t = s.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (t === 'nan') return NaN; // Go accepts no sign before NaN
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/.test(t)) return Number(s);
  // Go requires the binary exponent in hexadecimal floats.
  if (/^[+-]?0x([0-9a-f]+(\.[0-9a-f]*)?|\.[0-9a-f]+)p[+-]?\d+$/.test(t)) {
    const m = /^([+-]?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/.exec(t)!;
    const frac = m[3] ?? '';
    const mant = parseInt((m[2] || '0') + frac, 16) / Math.pow(16, frac.length);
    const val = mant * Math.pow(2, Number(m[4] ?? '0'));
    return m[1] === '-' ? -val : val;
  }
  return undefined;
}
