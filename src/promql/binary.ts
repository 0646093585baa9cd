// Binary operators: arithmetic, comparison (with and without bool), set operators, and vector
// matching (on/ignoring, group_left/group_right) with Prometheus 2.42's rules and error messages.
import type { BinaryOp, VectorMatching } from './parser/ast.js';
import type { Labels } from '../tsdb/labels.js';
import { goPow } from './functions.js';
import {
  EvalError,
  dropMetricName,
  getLabelValue,
  goLabelsString,
  keyOf,
  setLabel,
  type Sample,
} from './series.js';

const ARITHMETIC: ReadonlySet<BinaryOp> = new Set(['+', '-', '*', '/', '%', '^']);
const COMPARISON: ReadonlySet<BinaryOp> = new Set(['==', '!=', '>', '<', '>=', '<=']);

/** Arithmetic operators drop the metric name from their results; comparisons keep it. */
export function shouldDropMetricName(op: BinaryOp): boolean {
  return ARITHMETIC.has(op);
}

export function isComparison(op: BinaryOp): boolean {
  return COMPARISON.has(op);
}

export function isSetOperator(op: BinaryOp): boolean {
  return op === 'and' || op === 'or' || op === 'unless';
}

/** Go's math.Mod: the result has the sign of x; JS's % agrees, including NaN and Inf cases. */
function goMod(x: number, y: number): number {
  return x % y;
}

export function scalarBinop(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return l / r;
    case '^':
      return goPow(l, r);
    case '%':
      return goMod(l, r);
    case '==':
      return l === r ? 1 : 0;
    case '!=':
      return l !== r ? 1 : 0;
    case '>':
      return l > r ? 1 : 0;
    case '<':
      return l < r ? 1 : 0;
    case '>=':
      return l >= r ? 1 : 0;
    case '<=':
      return l <= r ? 1 : 0;
    case 'atan2':
      return Math.atan2(l, r);
  }
  throw new EvalError(`operator "${op}" not allowed for Scalar operations`);
}

/** Returns [value, keep]: comparisons keep the left value when true, arithmetic always keeps. */
export function vectorElemBinop(op: BinaryOp, l: number, r: number): [number, boolean] {
  switch (op) {
    case '+':
      return [l + r, true];
    case '-':
      return [l - r, true];
    case '*':
      return [l * r, true];
    case '/':
      return [l / r, true];
    case '^':
      return [goPow(l, r), true];
    case '%':
      return [goMod(l, r), true];
    case '==':
      return [l, l === r];
    case '!=':
      return [l, l !== r];
    case '>':
      return [l, l > r];
    case '<':
      return [l, l < r];
    case '>=':
      return [l, l >= r];
    case '<=':
      return [l, l <= r];
    case 'atan2':
      return [Math.atan2(l, r), true];
  }
  throw new EvalError(`operator "${op}" not allowed for operations between Vectors`);
}

export function vectorAnd(lhs: Sample[], rhs: Sample[], lsig: string[], rsig: string[]): Sample[] {
  if (lhs.length === 0 || rhs.length === 0) return [];
  const right = new Set(rsig);
  return lhs.filter((_, i) => right.has(lsig[i]!));
}

export function vectorOr(lhs: Sample[], rhs: Sample[], lsig: string[], rsig: string[]): Sample[] {
  if (lhs.length === 0) return [...rhs];
  if (rhs.length === 0) return [...lhs];
  const left = new Set(lsig);
  const out = [...lhs];
  rhs.forEach((s, j) => {
    if (!left.has(rsig[j]!)) out.push(s);
  });
  return out;
}

export function vectorUnless(lhs: Sample[], rhs: Sample[], lsig: string[], rsig: string[]): Sample[] {
  if (lhs.length === 0 || rhs.length === 0) return [...lhs];
  const right = new Set(rsig);
  return lhs.filter((_, i) => !right.has(lsig[i]!));
}

/** Per-node state for vector matching across steps. */
export interface BinopHelper {
  resultMetric: Map<string, Labels>;
}

/** The labels a matching side is identified by (MatchLabels in Prometheus): for the error message. */
function matchLabels(l: Labels, on: boolean, names: readonly string[]): Labels {
  const set = new Set(names);
  if (on) return l.filter((x) => set.has(x.name));
  return l.filter((x) => !set.has(x.name) && x.name !== '__name__');
}

function resultMetric(
  lhs: Labels,
  rhs: Labels,
  op: BinaryOp,
  matching: VectorMatching,
  helper: BinopHelper,
): Labels {
  const cacheKey = keyOf(lhs) + '\x00' + keyOf(rhs);
  const cached = helper.resultMetric.get(cacheKey);
  if (cached) return cached;
  let out: Labels = lhs;
  if (shouldDropMetricName(op)) out = dropMetricName(out);
  if (matching.card === 'one-to-one') {
    const names = new Set(matching.matchingLabels);
    out = matching.on ? out.filter((x) => names.has(x.name)) : out.filter((x) => !names.has(x.name));
  }
  for (const ln of matching.include) {
    // Labels named in group_x(...) are copied from the "one" side.
    out = setLabel(out, ln, getLabelValue(rhs, ln));
  }
  helper.resultMetric.set(cacheKey, out);
  return out;
}

/** Arithmetic and comparison between two instant vectors (not set operators). */
export function vectorBinop(
  op: BinaryOp,
  lhsIn: Sample[],
  rhsIn: Sample[],
  lsigIn: string[],
  rsigIn: string[],
  matching: VectorMatching,
  returnBool: boolean,
  helper: BinopHelper,
): Sample[] {
  if (matching.card === 'many-to-many') throw new EvalError('many-to-many only allowed for set operators');
  if (lhsIn.length === 0 || rhsIn.length === 0) return [];
  // one-to-many is handled as many-to-one with the sides swapped back for the value.
  const swapped = matching.card === 'one-to-many';
  const lhs = swapped ? rhsIn : lhsIn;
  const rhs = swapped ? lhsIn : rhsIn;
  const lsig = swapped ? rsigIn : lsigIn;
  const rsig = swapped ? lsigIn : rsigIn;

  const rightSigs = new Map<string, Sample>();
  for (let i = 0; i < rhs.length; i++) {
    const rs = rhs[i]!;
    const sig = rsig[i]!;
    const dup = rightSigs.get(sig);
    if (dup) {
      const oneSide = swapped ? 'left' : 'right';
      const matched = matchLabels(rs.metric, matching.on, matching.matchingLabels);
      throw new EvalError(
        `found duplicate series for the match group ${goLabelsString(matched)} on the ${oneSide} hand-side of the operation: ` +
          `[${goLabelsString(rs.metric)}, ${goLabelsString(dup.metric)}]` +
          ';many-to-many matching not allowed: matching labels must be unique on one side',
      );
    }
    rightSigs.set(sig, rs);
  }

  // one-to-one: which signatures matched; many-to-one: the result label sets per signature.
  const matchedSigs = new Map<string, Set<string> | null>();
  const out: Sample[] = [];
  for (let i = 0; i < lhs.length; i++) {
    const ls = lhs[i]!;
    const sig = lsig[i]!;
    const rs = rightSigs.get(sig);
    if (!rs) continue;
    const vl = swapped ? rs.v : ls.v;
    const vr = swapped ? ls.v : rs.v;
    let [value, keep] = vectorElemBinop(op, vl, vr);
    if (returnBool) value = keep ? 1 : 0;
    else if (!keep) continue;
    let metric = resultMetric(ls.metric, rs.metric, op, matching, helper);
    if (returnBool) metric = dropMetricName(metric);
    const inserted = matchedSigs.get(sig);
    if (matching.card === 'one-to-one') {
      if (inserted !== undefined) {
        throw new EvalError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
      }
      matchedSigs.set(sig, null);
    } else {
      const insertSig = keyOf(metric);
      if (inserted === undefined || inserted === null) {
        matchedSigs.set(sig, new Set([insertSig]));
      } else if (inserted.has(insertSig)) {
        throw new EvalError('multiple matches for labels: grouping labels must ensure unique matches');
      } else {
        inserted.add(insertSig);
      }
    }
    out.push({ metric, t: 0, v: value });
  }
  return out;
}

/** Operation between an instant vector and a scalar; `swap` when the scalar is on the left. */
export function vectorScalarBinop(
  op: BinaryOp,
  lhs: Sample[],
  scalar: number,
  swap: boolean,
  returnBool: boolean,
): Sample[] {
  const out: Sample[] = [];
  const comparison = isComparison(op);
  const drop = shouldDropMetricName(op) || returnBool;
  for (const s of lhs) {
    const lv = swap ? scalar : s.v;
    const rv = swap ? s.v : scalar;
    let [value, keep] = vectorElemBinop(op, lv, rv);
    // A comparison filters the vector: its elements keep their own value even on the right.
    if (comparison && swap) value = rv;
    if (returnBool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (keep) out.push({ metric: drop ? dropMetricName(s.metric) : s.metric, t: s.t, v: value });
  }
  return out;
}
