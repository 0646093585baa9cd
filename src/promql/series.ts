// Internal value types of the evaluator and label helpers shared by the engine, functions,
// aggregations and binary operators. Everything the evaluator passes between nodes is a Matrix
// (one point per step for instant vectors and scalars), as in Prometheus's rangeEval.
import { goQuote } from '../gocompat/quote.js';
import { METRIC_NAME, labelsKey, type Label, type Labels } from '../labels/labels.js';

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

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** model.LabelName.IsValid */
export function isValidLabelName(s: string): boolean {
  return LABEL_NAME_RE.test(s);
}
