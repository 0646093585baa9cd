// Binary operators: arithmetic, comparison (with and without bool), set operators, and vector
// matching (on/ignoring, group_left/group_right) with Prometheus 2.42's rules and error messages.
import type { BinaryOp, VectorMatching } from './parser/ast.js';
import { getLabel, type Labels } from '../labels/labels.js';
import { goPow } from './functions.js';
import { EvalError, dropMetricName, goLabelsString, keyOf, setLabel, type Sample } from './series.js';

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

/** Operator implementations between two vector elements: [value, keep] without allocating. */
type ElemOp = (l: number, r: number) => number;
const ARITH_FNS: Partial<Record<BinaryOp, ElemOp>> = {
  '+': (l, r) => l + r,
  '-': (l, r) => l - r,
  '*': (l, r) => l * r,
  '/': (l, r) => l / r,
  '^': goPow,
  '%': goMod,
  atan2: Math.atan2,
};
const CMP_FNS: Partial<Record<BinaryOp, (l: number, r: number) => boolean>> = {
  '==': (l, r) => l === r,
  '!=': (l, r) => l !== r,
  '>': (l, r) => l > r,
  '<': (l, r) => l < r,
  '>=': (l, r) => l >= r,
  '<=': (l, r) => l <= r,
};

/** Returns [value, keep]: comparisons keep the left value when true, arithmetic always keeps. */
export function vectorElemBinop(op: BinaryOp, l: number, r: number): [number, boolean] {
  const a = ARITH_FNS[op];
  if (a) return [a(l, r), true];
  const c = CMP_FNS[op];
  if (c) return [l, c(l, r)];
  throw new EvalError(`operator "${op}" not allowed for operations between Vectors`);
}

/** vectorElemBinop split for hot loops: `arith` set for arithmetic, `cmp` for comparisons. */
export function elemOps(op: BinaryOp): { arith?: ElemOp; cmp?: (l: number, r: number) => boolean } {
  const arith = ARITH_FNS[op];
  const cmp = CMP_FNS[op];
  if (!arith && !cmp) throw new EvalError(`operator "${op}" not allowed for operations between Vectors`);
  return { ...(arith ? { arith } : {}), ...(cmp ? { cmp } : {}) };
}

/**
 * Per-node state for vector matching across steps. Series are matched by dense integer ids of
 * their signatures; "stamps" mark which ids were seen in the current step without clearing.
 */
export class BinopHelper {
  /** result label sets by (lhs, rhs) label-set objects, which are shared across steps */
  readonly resultMetric = new Map<Labels, Map<Labels, Labels>>();
  private stampArr = new Int32Array(0);
  private matchedArr = new Int32Array(0);
  private rightArr: (Sample | undefined)[] = [];
  private step = 0;

  /** Starts a step with signature ids below numIds. */
  begin(numIds: number): { stamp: Int32Array; matched: Int32Array; right: (Sample | undefined)[]; step: number } {
    if (this.stampArr.length < numIds) {
      this.stampArr = new Int32Array(numIds);
      this.matchedArr = new Int32Array(numIds);
      this.rightArr = new Array<Sample | undefined>(numIds);
      this.step = 0;
    }
    this.step++;
    return { stamp: this.stampArr, matched: this.matchedArr, right: this.rightArr, step: this.step };
  }
}

export function vectorAnd(
  lhs: Sample[],
  rhs: Sample[],
  lsig: number[],
  rsig: number[],
  h: BinopHelper,
  numIds: number,
): Sample[] {
  if (lhs.length === 0 || rhs.length === 0) return [];
  const { stamp, step } = h.begin(numIds);
  for (const id of rsig) stamp[id] = step;
  return lhs.filter((_, i) => stamp[lsig[i]!] === step);
}

export function vectorOr(
  lhs: Sample[],
  rhs: Sample[],
  lsig: number[],
  rsig: number[],
  h: BinopHelper,
  numIds: number,
): Sample[] {
  if (lhs.length === 0) return [...rhs];
  if (rhs.length === 0) return [...lhs];
  const { stamp, step } = h.begin(numIds);
  for (const id of lsig) stamp[id] = step;
  const out = [...lhs];
  for (let j = 0; j < rhs.length; j++) if (stamp[rsig[j]!] !== step) out.push(rhs[j]!);
  return out;
}

export function vectorUnless(
  lhs: Sample[],
  rhs: Sample[],
  lsig: number[],
  rsig: number[],
  h: BinopHelper,
  numIds: number,
): Sample[] {
  if (lhs.length === 0 || rhs.length === 0) return [...lhs];
  const { stamp, step } = h.begin(numIds);
  for (const id of rsig) stamp[id] = step;
  return lhs.filter((_, i) => stamp[lsig[i]!] !== step);
}

/** The labels a matching side is identified by (MatchLabels in Prometheus): for the error message. */
function matchLabels(l: Labels, on: boolean, names: readonly string[]): Labels {
  const set = new Set(names);
  if (on) return l.filter((x) => set.has(x.name));
  return l.filter((x) => !set.has(x.name) && x.name !== '__name__');
}

function resultMetric(lhs: Labels, rhs: Labels, op: BinaryOp, matching: VectorMatching, helper: BinopHelper): Labels {
  let byRhs = helper.resultMetric.get(lhs);
  if (!byRhs) {
    byRhs = new Map();
    helper.resultMetric.set(lhs, byRhs);
  }
  const cached = byRhs.get(rhs);
  if (cached) return cached;
  let out: Labels = lhs;
  if (shouldDropMetricName(op)) out = dropMetricName(out);
  if (matching.card === 'one-to-one') {
    const names = new Set(matching.matchingLabels);
    out = matching.on ? out.filter((x) => names.has(x.name)) : out.filter((x) => !names.has(x.name));
  }
  for (const ln of matching.include) {
    // Labels named in group_x(...) are copied from the "one" side.
    out = setLabel(out, ln, getLabel(rhs, ln));
  }
  byRhs.set(rhs, out);
  return out;
}

/** Arithmetic and comparison between two instant vectors (not set operators). */
export function vectorBinop(
  op: BinaryOp,
  lhsIn: Sample[],
  rhsIn: Sample[],
  lsigIn: number[],
  rsigIn: number[],
  matching: VectorMatching,
  returnBool: boolean,
  helper: BinopHelper,
  numIds: number,
): Sample[] {
  if (matching.card === 'many-to-many') throw new EvalError('many-to-many only allowed for set operators');
  if (lhsIn.length === 0 || rhsIn.length === 0) return [];
  // one-to-many is handled as many-to-one with the sides swapped back for the value.
  const swapped = matching.card === 'one-to-many';
  const lhs = swapped ? rhsIn : lhsIn;
  const rhs = swapped ? lhsIn : rhsIn;
  const lsig = swapped ? rsigIn : lsigIn;
  const rsig = swapped ? lsigIn : rsigIn;

  const { arith, cmp } = elemOps(op);
  const { stamp, matched, right, step } = helper.begin(numIds);
  for (let i = 0; i < rhs.length; i++) {
    const rs = rhs[i]!;
    const sig = rsig[i]!;
    if (stamp[sig] === step) {
      const dup = right[sig]!;
      const oneSide = swapped ? 'left' : 'right';
      const matchedLabels = matchLabels(rs.metric, matching.on, matching.matchingLabels);
      throw new EvalError(
        `found duplicate series for the match group ${goLabelsString(matchedLabels)} on the ${oneSide} hand-side of the operation: ` +
          `[${goLabelsString(rs.metric)}, ${goLabelsString(dup.metric)}]` +
          ';many-to-many matching not allowed: matching labels must be unique on one side',
      );
    }
    stamp[sig] = step;
    right[sig] = rs;
  }

  // many-to-one: the result label sets per signature, to detect duplicates.
  const insertedSigs = matching.card === 'one-to-one' ? undefined : new Map<number, Set<string>>();
  const out: Sample[] = [];
  for (let i = 0; i < lhs.length; i++) {
    const ls = lhs[i]!;
    const sig = lsig[i]!;
    if (stamp[sig] !== step) continue;
    const rs = right[sig]!;
    const vl = swapped ? rs.v : ls.v;
    const vr = swapped ? ls.v : rs.v;
    let value = arith ? arith(vl, vr) : vl;
    const keep = cmp ? cmp(vl, vr) : true;
    if (returnBool) value = keep ? 1 : 0;
    else if (!keep) continue;
    let metric = resultMetric(ls.metric, rs.metric, op, matching, helper);
    if (returnBool) metric = dropMetricName(metric);
    if (!insertedSigs) {
      if (matched[sig] === step) {
        throw new EvalError(
          'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
        );
      }
      matched[sig] = step;
    } else {
      const insertSig = keyOf(metric);
      let set = insertedSigs.get(sig);
      if (!set) {
        set = new Set();
        insertedSigs.set(sig, set);
      } else if (set.has(insertSig)) {
        throw new EvalError('multiple matches for labels: grouping labels must ensure unique matches');
      }
      set.add(insertSig);
    }
    out.push({ metric, t: 0, v: value });
  }
  return out;
}

/**
 * The semantics of one vector-scalar operation, element by element: shared by the step-wise
 * vectorScalarBinop and the engine's series-by-series path.
 */
export class VectorScalarOp {
  private readonly arith: ElemOp | undefined;
  private readonly cmp: ((l: number, r: number) => boolean) | undefined;
  /** whether results lose the metric name (arithmetic, or a comparison with bool) */
  readonly dropsName: boolean;

  /** `swap` when the scalar is on the left. */
  constructor(
    op: BinaryOp,
    private readonly swap: boolean,
    private readonly returnBool: boolean,
  ) {
    const { arith, cmp } = elemOps(op);
    this.arith = arith;
    this.cmp = cmp;
    this.dropsName = shouldDropMetricName(op) || returnBool;
  }

  /** The result for vector element x against scalar y, or undefined when a comparison drops x. */
  apply(x: number, y: number): number | undefined {
    const lv = this.swap ? y : x;
    const rv = this.swap ? x : y;
    const keep = this.cmp ? this.cmp(lv, rv) : true;
    if (this.returnBool) return keep ? 1 : 0;
    // A comparison filters the vector: its elements keep their own value even on the right.
    if (!keep) return undefined;
    return this.arith ? this.arith(lv, rv) : x;
  }
}

/** Operation between an instant vector and a scalar at one step. */
export function vectorScalarBinop(op: VectorScalarOp, lhs: Sample[], scalar: number): Sample[] {
  const out: Sample[] = [];
  for (const s of lhs) {
    const value = op.apply(s.v, scalar);
    if (value !== undefined) out.push({ metric: op.dropsName ? dropMetricName(s.metric) : s.metric, t: s.t, v: value });
  }
  return out;
}
