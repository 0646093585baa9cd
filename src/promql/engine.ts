// The PromQL engine: evaluates an AST over a Querier with Prometheus 2.42's semantics. Like
// Prometheus, every node is evaluated once over the whole step range (an instant query is a
// range of one step) and returns a matrix with at most one point per step; range-vector
// functions slide a window over each series' samples.
import type {
  AggregateExpr,
  BinaryExpr,
  Call,
  Expr,
  MatrixSelector,
  SubqueryExpr,
  ValueType,
  VectorMatching,
  VectorSelector,
} from './parser/ast.js';
import { exprType, parseExpr } from './parser/parser.js';
import { compareLabels, type Labels } from '../labels/labels.js';
import { scanSeries, type Querier } from '../storage/storage.js';
import { QueryError, type EngineOptions, type QueryEngine, type QueryOptions, type QueryValue } from './value.js';
import {
  AT_MODIFIER_UNSAFE_FUNCTIONS,
  FUNCTION_IMPLS,
  RANGE_KERNELS,
  EXTRAPOLATED_RATE_KINDS,
  extrapolatedChange,
  nextReset,
  windowChange,
  labelsForAbsent,
  type EvalNodeHelper,
  type FnArg,
  type MatrixArg,
} from './functions.js';
import { ACCUMULATORS, aggregate, groupingKey, type Accumulator, type AggregationParam } from './aggregations.js';
import {
  isSetOperator,
  scalarBinop,
  vectorAnd,
  vectorBinop,
  vectorOr,
  vectorScalarBinop,
  vectorUnless,
  BinopHelper,
  VectorScalarOp,
} from './binary.js';
import { EvalError, dropMetricName, keyOf, signature, type Sample, type Series } from './series.js';
import { selectionPlan, takeSnapshot, type Snapshot } from './snapshot.js';
import { SharedSelections } from './shared-selections.js';
import { ColumnarFold } from './columnar.js';

export const DEFAULT_TIMEOUT_MS = 2 * 60 * 1000;
export const DEFAULT_MAX_SAMPLES = 50_000_000;
export const DEFAULT_LOOKBACK_MS = 5 * 60 * 1000;
/** Step of subqueries written without one ([5m:]): Prometheus's default evaluation interval. */
const DEFAULT_SUBQUERY_STEP_MS = 60 * 1000;

export const TIMEOUT_MESSAGE = 'query timed out in expression evaluation';
export const TOO_MANY_SAMPLES_MESSAGE = 'query processing would load too many samples into memory in query execution';

type EvalValue = Series[] | { readonly str: string };

function isString(v: EvalValue): v is { readonly str: string } {
  return !Array.isArray(v);
}

// ---- AST helpers -------------------------------------------------------------------------

/** parser.DocumentedType */
function documentedType(t: ValueType): string {
  return t === 'vector' ? 'instant vector' : t === 'matrix' ? 'range vector' : t;
}

/** Strips parentheses and step-invariant wrappers, as the engine does before looking at a node's kind. */
function unwrap(e: Expr): Expr {
  let x = e;
  while (x.type === 'ParenExpr' || x.type === 'StepInvariantExpr') x = x.expr;
  return x;
}

/** A binary expression and the binary expressions down its left operands, outermost first. */
function leftSpine(e: BinaryExpr): BinaryExpr[] {
  const spine: BinaryExpr[] = [e];
  for (let x = e.lhs; x.type === 'BinaryExpr'; x = x.lhs) spine.push(x);
  return spine;
}

function wrapInvariant(e: Expr): Expr {
  return { type: 'StepInvariantExpr', expr: e, pos: e.pos };
}

/**
 * Resolves `@ start()` / `@ end()` and wraps step-invariant subtrees (those whose value does not
 * depend on the evaluation step, thanks to @) so they are evaluated once (PreprocessExpr in 2.42).
 */
export function preprocessExpr(expr: Expr, start: number, end: number): Expr {
  const [e, invariant] = preprocess(expr, start, end);
  return invariant ? wrapInvariant(e) : e;
}

function preprocess(e: Expr, start: number, end: number): [Expr, boolean] {
  switch (e.type) {
    case 'VectorSelector': {
      const ts = e.startOrEnd === 'start' ? start : e.startOrEnd === 'end' ? end : e.timestamp;
      const n: VectorSelector = { ...e, timestamp: ts };
      return [n, ts !== undefined];
    }
    case 'AggregateExpr': {
      const [inner, inv] = preprocess(e.expr, start, end);
      return [{ ...e, expr: inner }, inv];
    }
    case 'BinaryExpr': {
      // Down the left spine in a loop (a 100,000-term chain must not recurse), then back up.
      const spine = leftSpine(e);
      let [l, li] = preprocess(spine[spine.length - 1]!.lhs, start, end);
      for (let i = spine.length - 1; i >= 0; i--) {
        const b = spine[i]!;
        const [r, ri] = preprocess(b.rhs, start, end);
        if (li && ri) [l, li] = [{ ...b, lhs: l, rhs: r }, true];
        else [l, li] = [{ ...b, lhs: li ? wrapInvariant(l) : l, rhs: ri ? wrapInvariant(r) : r }, false];
      }
      return [l, li];
    }
    case 'Call': {
      let invariant = !AT_MODIFIER_UNSAFE_FUNCTIONS.has(e.func);
      const parts = e.args.map((a) => preprocess(a, start, end));
      for (const [, inv] of parts) invariant = invariant && inv;
      if (invariant) return [{ ...e, args: parts.map(([a]) => a) }, true];
      return [{ ...e, args: parts.map(([a, inv]) => (inv ? wrapInvariant(a) : a)) }, false];
    }
    case 'MatrixSelector': {
      const [vs, inv] = preprocess(e.vectorSelector, start, end);
      return [{ ...e, vectorSelector: vs as VectorSelector }, inv];
    }
    case 'SubqueryExpr': {
      // The inside of a subquery is wrapped when invariant, whatever the subquery's own @, so that
      // it is evaluated once relative to the subquery's start.
      const [inner, inv] = preprocess(e.expr, start, end);
      const ts = e.startOrEnd === 'start' ? start : e.startOrEnd === 'end' ? end : e.timestamp;
      return [{ ...e, expr: inv ? wrapInvariant(inner) : inner, timestamp: ts }, ts !== undefined];
    }
    case 'ParenExpr': {
      const [inner, inv] = preprocess(e.expr, start, end);
      return [{ ...e, expr: inner }, inv];
    }
    case 'UnaryExpr': {
      const [inner, inv] = preprocess(e.expr, start, end);
      return [{ ...e, expr: inner }, inv];
    }
    case 'StringLiteral':
    case 'NumberLiteral':
      return [e, true];
    case 'StepInvariantExpr':
      return [e, true];
  }
}

// ---- selected data ---------------------------------------------------------------------

interface SelectedSeries {
  readonly metric: Labels;
  readonly t: ArrayLike<number>;
  readonly v: ArrayLike<number>;
  readonly stale: Uint8Array | undefined;
}

/**
 * Samples without staleness markers (range selections ignore them), as typed arrays like the
 * storage's: the range functions' loops then see one kind of array.
 */
function withoutStale(s: Pick<SelectedSeries, 't' | 'v'> & { readonly stale?: Uint8Array | undefined }): {
  t: ArrayLike<number>;
  v: ArrayLike<number>;
} {
  const stale = s.stale;
  if (!stale) return s;
  let n = 0;
  for (let i = 0; i < s.t.length; i++) if (stale[i] !== 1) n++;
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < s.t.length; i++) {
    if (stale[i] !== 1) {
      t[j] = s.t[i]!;
      v[j++] = s.v[i]!;
    }
  }
  return { t, v };
}

/** Index of the last sample at or before ref, or -1. */
function lastAtOrBefore(t: ArrayLike<number>, ref: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! <= ref) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Step-sized buffers of ratesInto: step indexes and values, and the widest window seen. */
interface RateScratch {
  readonly k: Int32Array;
  readonly v: Float64Array;
  widest: number;
}

interface FusableRate {
  readonly sel: MatrixSelector;
  readonly kind: { readonly isCounter: boolean; readonly isRate: boolean };
}

/**
 * rate/increase/delta(name{…}[range]) without @: an aggregation can fold its results as they are
 * computed. The selector names one metric, so dropping the name cannot make two series'
 * labels equal (which would be an error to report).
 */
function fusableRate(expr: Expr): FusableRate | undefined {
  let e = expr;
  while (e.type === 'ParenExpr') e = e.expr;
  if (e.type !== 'Call' || e.args.length !== 1) return undefined;
  const kind = EXTRAPOLATED_RATE_KINDS[e.func];
  let arg = e.args[0]!;
  while (arg.type === 'ParenExpr') arg = arg.expr;
  if (!kind || arg.type !== 'MatrixSelector') return undefined;
  const vs = arg.vectorSelector;
  if (vs.timestamp !== undefined) return undefined;
  if (!vs.matchers.some((m) => m.name === '__name__' && m.type === '=')) return undefined;
  return { sel: arg, kind };
}

// ---- evaluator ---------------------------------------------------------------------------

interface EvalContext {
  readonly querier: Querier;
  readonly deadline: number;
  readonly maxSamples: number;
  readonly lookbackDelta: number;
  /** take the columnar paths where they apply (false: always step by step, to compare the two) */
  readonly columnar: boolean;
  currentSamples: number;
}

class Evaluator {
  private scratch: RateScratch | undefined;

  constructor(
    private readonly ctx: EvalContext,
    readonly start: number,
    readonly end: number,
    readonly interval: number,
  ) {}

  private child(start: number, end: number, interval: number): Evaluator {
    return new Evaluator(this.ctx, start, end, interval);
  }

  private get numSteps(): number {
    return this.end < this.start ? 0 : Math.floor((this.end - this.start) / this.interval) + 1;
  }

  /**
   * The time of step k. Loops count steps instead of adding the interval to a running time: far
   * from the epoch (@ 9e15) a float64 ms count cannot hold start + interval, and a loop waiting
   * for the sum to pass the end would never end.
   */
  private stepTime(k: number): number {
    return this.start + k * this.interval;
  }

  checkTimeout(): void {
    if (Date.now() > this.ctx.deadline) throw new QueryError('timeout', TIMEOUT_MESSAGE);
  }

  private tooManySamples(): never {
    throw new QueryError('execution', TOO_MANY_SAMPLES_MESSAGE);
  }

  eval(expr: Expr): EvalValue {
    this.checkTimeout();
    switch (expr.type) {
      case 'AggregateExpr':
        return this.evalAggregate(expr);
      case 'Call':
        return this.evalCall(expr);
      case 'ParenExpr':
        return this.eval(expr.expr);
      case 'UnaryExpr': {
        const val = this.evalMatrix(expr.expr);
        if (expr.op === '-') {
          for (const s of val) {
            s.metric = dropMetricName(s.metric);
            s.v = s.v.map((x) => -x);
          }
          if (containsSameLabelset(val)) throw new EvalError('vector cannot contain metrics with the same labelset');
        }
        return val;
      }
      case 'BinaryExpr':
        return this.evalBinaryChain(expr);
      case 'NumberLiteral': {
        const v = expr.val;
        return this.rangeEval([], () => [{ metric: [], t: 0, v }]);
      }
      case 'StringLiteral':
        return { str: expr.val };
      case 'VectorSelector':
        return this.evalVectorSelector(expr);
      case 'MatrixSelector':
        if (this.start !== this.end) throw new EvalError('cannot do range evaluation of matrix selector');
        return this.evalMatrixSelector(expr);
      case 'SubqueryExpr':
        return this.evalSubquery(expr);
      case 'StepInvariantExpr':
        return this.evalStepInvariant(expr.expr);
    }
  }

  private evalMatrix(expr: Expr): Series[] {
    const v = this.eval(expr);
    if (isString(v)) throw new EvalError('unexpected string value');
    return v;
  }

  /**
   * Evaluates the (non-string) argument expressions over the whole range, then calls fn once per
   * step with each argument's samples at that step, and assembles the results into series.
   */
  private rangeEval(
    exprs: readonly (Expr | undefined)[],
    fn: (args: (Sample[] | null)[], ts: number, helpers: number[][], numIds: number) => Sample[],
    prep?: (metric: Labels, argIndex: number) => string,
  ): Series[] {
    const originalNumSamples = this.ctx.currentSamples;
    const matrices: (Series[] | null)[] = exprs.map((e) => {
      if (!e || exprType(e) === 'string') return null;
      return this.evalMatrix(e);
    });
    return this.rangeEvalMatrices(originalNumSamples, matrices, fn, prep);
  }

  /** rangeEval over already evaluated arguments (originalNumSamples: the count before evaluating them). */
  private rangeEvalMatrices(
    originalNumSamples: number,
    matrices: readonly (Series[] | null)[],
    fn: (args: (Sample[] | null)[], ts: number, helpers: number[][], numIds: number) => Sample[],
    prep?: (metric: Labels, argIndex: number) => string,
  ): Series[] {
    // Per-series helper values (signatures, grouping keys), computed once per input series and
    // numbered densely, so that each step matches series by small integers instead of strings.
    const ids = new Map<string, number>();
    const helpers: (number[] | null)[] = matrices.map((m, i) =>
      m && prep
        ? m.map((s) => {
            const key = prep(s.metric, i);
            let id = ids.get(key);
            if (id === undefined) {
              id = ids.size;
              ids.set(key, id);
            }
            return id;
          })
        : null,
    );
    const cursors = matrices.map((m) => (m ? new Array<number>(m.length).fill(0) : null));
    // One reusable sample object per input series: functions consume their inputs within the
    // step (results are copied into the output series), so nothing holds on to them.
    const slots = matrices.map((m) => (m ? m.map((s): Sample => ({ metric: s.metric, t: 0, v: 0 })) : null));
    let tempNumSamples = this.ctx.currentSamples;
    const out = new Map<string, Series>();
    const byIdentity = new Map<Labels, Series>();
    for (let k = 0, steps = this.numSteps; k < steps; k++) {
      const ts = this.stepTime(k);
      this.checkTimeout();
      this.ctx.currentSamples = tempNumSamples;
      const args: (Sample[] | null)[] = [];
      const stepHelpers: number[][] = [];
      for (let i = 0; i < matrices.length; i++) {
        const m = matrices[i];
        if (!m) {
          args.push(null);
          stepHelpers.push([]);
          continue;
        }
        const vec: Sample[] = [];
        const hs: number[] = [];
        const cur = cursors[i]!;
        const slot = slots[i]!;
        const h = helpers[i];
        const maxSamples = this.ctx.maxSamples;
        let current = this.ctx.currentSamples;
        for (let si = 0; si < m.length; si++) {
          const s = m[si]!;
          const c = cur[si]!;
          if (c < s.t.length && s.t[c] === ts) {
            if (current >= maxSamples) this.tooManySamples();
            const sample = slot[si]!;
            sample.t = ts;
            sample.v = s.v[c]!;
            vec.push(sample);
            if (h) hs.push(h[si]!);
            cur[si] = c + 1;
            current++;
          }
        }
        this.ctx.currentSamples = current;
        args.push(vec);
        stepHelpers.push(hs);
      }
      const result = fn(args, ts, stepHelpers, ids.size);
      this.ctx.currentSamples += result.length;
      tempNumSamples += result.length;
      if (this.ctx.currentSamples > this.ctx.maxSamples) this.tooManySamples();

      if (this.start === this.end) {
        if (containsSameLabelsetVec(result))
          throw new EvalError('vector cannot contain metrics with the same labelset');
        // Instant evaluation: keep the function's order (sort() and topk() rely on it).
        const mat = result.map((s) => ({ metric: s.metric, t: [ts], v: [s.v] }));
        this.ctx.currentSamples = originalNumSamples + mat.length;
        return mat;
      }
      for (const s of result) {
        // Label-set objects are usually shared across steps: look them up by identity first.
        let ss = byIdentity.get(s.metric);
        if (!ss) {
          const key = keyOf(s.metric);
          ss = out.get(key);
          if (!ss) {
            ss = { metric: s.metric, t: [], v: [] };
            out.set(key, ss);
          }
          byIdentity.set(s.metric, ss);
        }
        // Two results with the same labels in one step land in the same series.
        if (ss.t.length > 0 && ss.t[ss.t.length - 1] === ts) {
          throw new EvalError('vector cannot contain metrics with the same labelset');
        }
        ss.t.push(ts);
        ss.v.push(s.v);
      }
    }
    const mat = [...out.values()];
    this.ctx.currentSamples = originalNumSamples + totalSamples(mat);
    return mat;
  }

  // ---- selectors ------------------------------------------------------------------------

  private refTime(ts: number, timestamp: number | undefined, offset: number): number {
    return (timestamp ?? ts) - offset;
  }

  private select(vs: VectorSelector, mint: number, maxt: number): SelectedSeries[] {
    return this.ctx.querier.select(vs.matchers, mint, maxt).map((s) => ({
      metric: s.labels,
      t: s.t,
      v: s.v,
      stale: s.stale,
    }));
  }

  /** The sample an instant selection sees at ref: the latest within the lookback window, unless stale. */
  private sampleAt(s: SelectedSeries, idx: number, ref: number): boolean {
    if (idx < 0) return false;
    if (s.t[idx]! < ref - this.ctx.lookbackDelta) return false;
    if (s.stale && s.stale[idx] === 1) return false;
    return true;
  }

  private evalVectorSelector(vs: VectorSelector): Series[] {
    const first = this.refTime(this.start, vs.timestamp, vs.offset);
    const last = this.refTime(this.end, vs.timestamp, vs.offset);
    const data = this.select(vs, first - this.ctx.lookbackDelta, last);
    const out: Series[] = [];
    for (const s of data) {
      const ss: Series = { metric: s.metric, t: [], v: [] };
      let idx = -1;
      let n = 0;
      for (let k = 0, steps = this.numSteps; k < steps; k++) {
        const ts = this.stepTime(k);
        if ((++n & 1023) === 0) this.checkTimeout();
        const ref = this.refTime(ts, vs.timestamp, vs.offset);
        while (idx + 1 < s.t.length && s.t[idx + 1]! <= ref) idx++;
        if (this.sampleAt(s, idx, ref)) {
          if (this.ctx.currentSamples >= this.ctx.maxSamples) this.tooManySamples();
          ss.t.push(ts);
          ss.v.push(s.v[idx]!);
          this.ctx.currentSamples++;
        }
      }
      if (ss.t.length > 0) out.push(ss);
    }
    return out;
  }

  /** Instant selection at one time with the samples' own timestamps (for timestamp()). */
  private vectorSelectorAt(data: SelectedSeries[], ref: number): Sample[] {
    const out: Sample[] = [];
    for (const s of data) {
      const idx = lastAtOrBefore(s.t, ref);
      if (this.sampleAt(s, idx, ref)) {
        out.push({ metric: s.metric, t: s.t[idx]!, v: s.v[idx]! });
        this.ctx.currentSamples++;
        if (this.ctx.currentSamples > this.ctx.maxSamples) this.tooManySamples();
      }
    }
    return out;
  }

  private evalMatrixSelector(ms: MatrixSelector): Series[] {
    const vs = ms.vectorSelector;
    const maxt = this.refTime(this.start, vs.timestamp, vs.offset);
    const mint = maxt - ms.range;
    const out: Series[] = [];
    for (const s of this.select(vs, mint, maxt)) {
      this.checkTimeout();
      const { t, v } = withoutStale(s);
      const ss: Series = { metric: s.metric, t: [], v: [] };
      for (let i = 0; i < t.length; i++) {
        if (t[i]! < mint || t[i]! > maxt) continue;
        if (this.ctx.currentSamples >= this.ctx.maxSamples) this.tooManySamples();
        ss.t.push(t[i]!);
        ss.v.push(v[i]!);
        this.ctx.currentSamples++;
      }
      if (ss.t.length > 0) out.push(ss);
    }
    return out;
  }

  // ---- subqueries and step invariants ----------------------------------------------------

  private evalSubquery(sq: SubqueryExpr): Series[] {
    const interval = sq.step !== 0 ? sq.step : DEFAULT_SUBQUERY_STEP_MS;
    const baseStart = sq.timestamp ?? this.start;
    const baseEnd = sq.timestamp ?? this.end;
    const end = baseEnd - sq.offset;
    // The first step is the first multiple of the step at or after start - offset - range, so
    // that subquery points do not shift with the evaluation time.
    const from = baseStart - sq.offset - sq.range;
    let start = Math.trunc(from / interval) * interval;
    if (start < from) start += interval;
    const ev = this.child(start, end, interval);
    return ev.evalMatrix(sq.expr);
  }

  private evalStepInvariant(inner: Expr): EvalValue {
    const u = unwrap(inner);
    if (u.type === 'StringLiteral' || u.type === 'NumberLiteral') return this.eval(inner);
    const ev = this.child(this.start, this.start, this.interval);
    const res = ev.eval(inner);
    if (isString(res) || exprType(inner) === 'matrix') return res;
    // The value is the same at every step: repeat it with the steps' timestamps.
    for (const s of res) {
      if (s.t.length !== 1) throw new EvalError('unexpected number of samples');
      const v = s.v[0]!;
      let n = 0;
      for (let k = 1, steps = this.numSteps; k < steps; k++) {
        const ts = this.stepTime(k);
        if ((++n & 1023) === 0) this.checkTimeout();
        s.t.push(ts);
        s.v.push(v);
        this.ctx.currentSamples++;
        if (this.ctx.currentSamples > this.ctx.maxSamples) this.tooManySamples();
      }
    }
    return res;
  }

  // ---- aggregations -----------------------------------------------------------------------

  private evalAggregate(e: AggregateExpr): Series[] {
    const grouping = [...e.grouping].sort();
    const groupSet = new Set(grouping);
    const acc = e.param ? undefined : ACCUMULATORS[e.op];
    if (acc && this.ctx.columnar) return this.aggregateColumnar(e, acc, groupSet);
    return this.aggregateStepwise(e, groupSet);
  }

  /** Aggregation step by step through rangeEval (input: the already evaluated e.expr, if any). */
  private aggregateStepwise(
    e: AggregateExpr,
    groupSet: ReadonlySet<string>,
    originalNumSamples?: number,
    input?: Series[],
  ): Series[] {
    const grouping = [...groupSet];
    const prep = (metric: Labels): string => groupingKey(metric, groupSet, e.without);
    const labelCache = new Map<string | number, Labels>();
    const param = e.param ? unwrap(e.param) : undefined;
    if (param?.type === 'StringLiteral') {
      const label = param.val;
      return this.rangeEval(
        [e.expr],
        (args, _ts, hs) => aggregate(e.op, grouping, e.without, label, args[0]!, hs[0]!, labelCache),
        prep,
      );
    }
    const fn = (args: (Sample[] | null)[], _ts: number, hs: number[][]): Sample[] => {
      const p: AggregationParam = e.param ? args[0]![0]!.v : undefined;
      return aggregate(e.op, grouping, e.without, p, args[1]!, hs[1]!, labelCache);
    };
    if (input && originalNumSamples !== undefined && !e.param) {
      return this.rangeEvalMatrices(originalNumSamples, [null, input], fn, prep);
    }
    return this.rangeEval([e.param, e.expr], fn, prep);
  }

  /**
   * sum/avg/count/min/max/group/stddev/stdvar series by series instead of step by step: each
   * input point is folded into its group's slot for its step (typed arrays, group ids computed
   * once per series). Within a group and step the points are folded in the input's series order,
   * as the step-wise aggregate() does, so the floating-point results are identical; groups come
   * out in rangeEval's order (first step with data, then first input series) and the sample
   * limit is checked per step with the same counts.
   */
  private aggregateColumnar(e: AggregateExpr, acc: Accumulator, groupSet: ReadonlySet<string>): Series[] {
    const originalNumSamples = this.ctx.currentSamples;
    const rates = fusableRate(e.expr);
    if (rates) return this.aggregateRates(e, acc, groupSet, rates);
    const input = this.evalMatrix(e.expr);
    const fold = new ColumnarFold(acc, this.numSteps);
    for (let si = 0; si < input.length; si++) fold.groupOf(si, input[si]!.metric, groupSet, e.without);
    // The slots are dense (group x step): with sparse input (short-lived series, many groups)
    // they could dwarf the input itself, so such inputs take the step-wise path.
    let inputPoints = 0;
    for (const s of input) inputPoints += s.t.length;
    if (!fold.allocate(inputPoints)) return this.aggregateStepwise(e, groupSet, originalNumSamples, input);
    const start = this.start;
    const interval = this.interval;
    const steps = this.numSteps;
    for (let si = 0; si < input.length; si++) {
      if ((si & 63) === 63) this.checkTimeout();
      const s = input[si]!;
      const st = s.t;
      const sv = s.v;
      for (let j = 0; j < st.length; j++) {
        const k = (st[j]! - start) / interval;
        // Every point of an instant-vector node lies on a step; anything else takes the general path.
        if (!(k >= 0 && k < steps && (k | 0) === k))
          return this.aggregateStepwise(e, groupSet, originalNumSamples, input);
        fold.add(si, k, sv[j]!);
      }
    }
    return this.finishFold(fold, originalNumSamples);
  }

  /**
   * sum/avg/... of rate, increase or delta over a selector: each series' rates are folded into
   * their group's slots as they are computed, without building the intermediate series (they
   * are what evalRangeFunction would return, in the same order, with the same sample counts).
   * The series are scanned one at a time (Querier.scan), so nothing the size of the selection is
   * allocated; slots grow as groups appear, and when they come to outnumber the folded points by
   * far (short-lived series in many groups), the step-wise path takes over.
   */
  private aggregateRates(
    e: AggregateExpr,
    acc: Accumulator,
    groupSet: ReadonlySet<string>,
    call: FusableRate,
  ): Series[] {
    const originalNumSamples = this.ctx.currentSamples;
    const { sel, kind } = call;
    const vs = sel.vectorSelector;
    const range = sel.range;
    const offset = vs.offset;
    const fold = new ColumnarFold(acc, this.numSteps);
    fold.allocate();
    const scratch = this.rateScratch();
    const maxSamples = this.ctx.maxSamples;
    let running = originalNumSamples;
    let si = 0;
    let sparse = false;
    scanSeries(this.ctx.querier, vs.matchers, this.start - offset - range, this.end - offset, (s) => {
      this.checkTimeout();
      fold.groupOf(si, dropMetricName(s.labels), groupSet, e.without);
      const { t, v } = withoutStale(s);
      const n = this.ratesInto(t, v, undefined, offset, range, kind.isCounter, kind.isRate, scratch);
      if (running + scratch.widest > maxSamples) this.tooManySamples();
      if (running + n > maxSamples) this.tooManySamples();
      running += n;
      const ks = scratch.k;
      const xs = scratch.v;
      for (let j = 0; j < n; j++) fold.add(si, ks[j]!, xs[j]!);
      si++;
      if (fold.sparse(running - originalNumSamples)) {
        sparse = true;
        return false;
      }
      return true;
    });
    if (sparse) return this.aggregateStepwise(e, groupSet, originalNumSamples, this.evalMatrix(e.expr));
    this.ctx.currentSamples = running;
    return this.finishFold(fold, originalNumSamples);
  }

  /** The folded groups as series, in rangeEval's order of creation; checks the sample limit. */
  private finishFold(fold: ColumnarFold, originalNumSamples: number): Series[] {
    const start = this.start;
    const interval = this.interval;
    const out = fold.series((k) => start + k * interval);
    this.checkStepSamples(fold.inCount, fold.outCount);
    this.ctx.currentSamples = originalNumSamples + totalSamples(out);
    return out;
  }

  /**
   * The sample limit as rangeEval applies it step by step: the step's inputs plus its results on
   * top of the results of the earlier steps (and of the evaluated arguments).
   */
  private checkStepSamples(inCount: Int32Array, outCount: Int32Array): void {
    const max = this.ctx.maxSamples;
    let temp = this.ctx.currentSamples;
    for (let k = 0; k < inCount.length; k++) {
      if (temp + inCount[k]! > max) this.tooManySamples();
      if (temp + inCount[k]! + outCount[k]! > max) this.tooManySamples();
      temp += outCount[k]!;
    }
  }

  // ---- binary expressions ----------------------------------------------------------------

  /**
   * A binary expression and the binary expressions down its left operands, evaluated bottom-up
   * in a loop: a chain of 100,000 terms must not recurse. Each node's left operand is the value
   * below it, with the sample count from before that value was evaluated, as in a recursive
   * evaluation (every node of a left spine starts evaluating at the same count).
   */
  private evalBinaryChain(e: BinaryExpr): Series[] {
    const spine = leftSpine(e);
    const originalNumSamples = this.ctx.currentSamples;
    const bottom = spine[spine.length - 1]!.lhs;
    let lhs = this.evalMatrix(bottom);
    let lt = exprType(bottom);
    for (let i = spine.length - 1; i >= 0; i--) {
      const b = spine[i]!;
      this.checkTimeout();
      const rt = exprType(b.rhs);
      lhs = this.evalBinary(b, originalNumSamples, lhs, lt, rt);
      lt = lt === 'scalar' && rt === 'scalar' ? 'scalar' : 'vector';
    }
    return lhs;
  }

  /** One binary operation; its left operand (of type lt) is already evaluated. */
  private evalBinary(e: BinaryExpr, originalNumSamples: number, lhs: Series[], lt: ValueType, rt: ValueType): Series[] {
    if (lt === 'scalar' && rt === 'scalar') {
      return this.rangeEvalMatrices(originalNumSamples, [lhs, this.evalMatrix(e.rhs)], (args) => [
        { metric: [], t: 0, v: scalarBinop(e.op, args[0]![0]!.v, args[1]![0]!.v) },
      ]);
    }
    if (lt === 'vector' && rt === 'vector') {
      const matching: VectorMatching = e.matching ?? {
        card: isSetOperator(e.op) ? 'many-to-many' : 'one-to-one',
        matchingLabels: [],
        on: false,
        include: [],
      };
      const names = new Set(matching.matchingLabels);
      if (!matching.on) names.add('__name__');
      const prep = (metric: Labels): string => signature(metric, matching.on, names);
      const helper = new BinopHelper();
      return this.rangeEvalMatrices(
        originalNumSamples,
        [lhs, this.evalMatrix(e.rhs)],
        (args, _ts, hs, numIds) => {
          const [ls, rs] = [hs[0]!, hs[1]!];
          switch (e.op) {
            case 'and':
              return vectorAnd(args[0]!, args[1]!, ls, rs, helper, numIds);
            case 'or':
              return vectorOr(args[0]!, args[1]!, ls, rs, helper, numIds);
            case 'unless':
              return vectorUnless(args[0]!, args[1]!, ls, rs, helper, numIds);
            default:
              return vectorBinop(e.op, args[0]!, args[1]!, ls, rs, matching, e.returnBool, helper, numIds);
          }
        },
        prep,
      );
    }
    if (lt === 'vector' && rt === 'scalar') return this.vectorScalar(e, false, originalNumSamples, lhs);
    if (lt === 'scalar' && rt === 'vector') return this.vectorScalar(e, true, originalNumSamples, lhs);
    throw new EvalError(`invalid operand types for binary expression: ${lt} and ${rt}`);
  }

  /**
   * Vector-scalar operations series by series: one output series per input series, the scalar
   * read by step index. Falls back to the step-wise rangeEval when outputs could collide (dropping
   * the metric name can make label sets equal) or the operands are not step-aligned. Outputs are
   * ordered as rangeEval creates them: by first step with a result, then input order.
   */
  private vectorScalar(e: BinaryExpr, swap: boolean, originalNumSamples: number, lhs: Series[]): Series[] {
    const rhs = this.evalMatrix(e.rhs);
    const op = new VectorScalarOp(e.op, swap, e.returnBool);
    const stepwise = (): Series[] =>
      this.rangeEvalMatrices(originalNumSamples, [lhs, rhs], (args) =>
        swap ? vectorScalarBinop(op, args[1]!, args[0]![0]!.v) : vectorScalarBinop(op, args[0]!, args[1]![0]!.v),
      );
    if (!this.ctx.columnar) return stepwise();
    const vecM = swap ? rhs : lhs;
    const scM = swap ? lhs : rhs;
    const steps = this.numSteps;
    const sc = scM.length === 1 ? scM[0]! : undefined;
    if (!sc || sc.t.length !== steps) return stepwise();
    const metrics = vecM.map((s) => (op.dropsName ? dropMetricName(s.metric) : s.metric));
    if (metrics.length > 1) {
      const seen = new Set<string>();
      for (const m of metrics) {
        const k = keyOf(m);
        if (seen.has(k)) return stepwise();
        seen.add(k);
      }
    }
    const scV = sc.v;
    const start = this.start;
    const interval = this.interval;
    const inCount = new Int32Array(steps).fill(1); // the scalar's sample
    const outCount = new Int32Array(steps);
    const out: Series[] = [];
    for (let si = 0; si < vecM.length; si++) {
      if ((si & 63) === 63) this.checkTimeout();
      const s = vecM[si]!;
      const st = s.t;
      const sv = s.v;
      const ss: Series = { metric: metrics[si]!, t: [], v: [] };
      for (let j = 0; j < st.length; j++) {
        const k = (st[j]! - start) / interval;
        if (!(k >= 0 && k < steps && (k | 0) === k)) return stepwise();
        inCount[k]!++;
        const value = op.apply(sv[j]!, scV[k]!);
        if (value !== undefined) {
          ss.t.push(st[j]!);
          ss.v.push(value);
          outCount[k]!++;
        }
      }
      if (ss.t.length > 0) out.push(ss);
    }
    // Stable: series starting at the same step keep their input order.
    out.sort((a, b) => a.t[0]! - b.t[0]!);
    this.checkStepSamples(inCount, outCount);
    this.ctx.currentSamples = originalNumSamples + totalSamples(out);
    return out;
  }

  // ---- function calls --------------------------------------------------------------------

  private evalCall(e: Call): Series[] {
    const def = FUNCTION_IMPLS[e.func];
    if (!def) throw new EvalError(`unknown function with name "${e.func}"`);
    const call = def.call;

    if (e.func === 'timestamp' && e.args[0]) {
      const arg = unwrap(e.args[0]);
      if (arg.type === 'VectorSelector') return this.evalTimestampOfSelector(arg);
    }

    let matrixArgIndex = -1;
    for (let i = 0; i < e.args.length; i++) {
      const a = unwrap(e.args[i]!);
      if (a.type === 'MatrixSelector' || a.type === 'SubqueryExpr') {
        matrixArgIndex = i;
        break;
      }
    }
    if (matrixArgIndex < 0) {
      const enh: EvalNodeHelper = { ts: 0 };
      return this.rangeEval(e.args, (args, ts) => {
        enh.ts = ts;
        return call(args, e.args, enh);
      });
    }
    return this.evalRangeFunction(e, matrixArgIndex);
  }

  /**
   * timestamp(selector) reports the selected samples' own timestamps. With @ the reference time
   * is the @ time itself (Prometheus 2.42 overrides the offset for every step there), but the
   * data is still only what the selector's range with its offset selected: with an offset beyond
   * the lookback delta, nothing (as Prometheus answers).
   */
  private evalTimestampOfSelector(vs: VectorSelector): Series[] {
    const first = (vs.timestamp ?? this.start) - vs.offset;
    const last = (vs.timestamp ?? this.end) - vs.offset;
    const data = this.select(vs, first - this.ctx.lookbackDelta, last);
    const enh: EvalNodeHelper = { ts: 0 };
    const call = FUNCTION_IMPLS['timestamp']!.call;
    return this.rangeEval([], (_args, ts) => {
      enh.ts = ts;
      const ref = vs.timestamp !== undefined ? vs.timestamp : ts - vs.offset;
      return call([this.vectorSelectorAt(data, ref)], [vs], enh);
    });
  }

  private evalRangeFunction(e: Call, matrixArgIndex: number): Series[] {
    const call = FUNCTION_IMPLS[e.func]!.call;
    const sel = unwrap(e.args[matrixArgIndex]!) as MatrixSelector | SubqueryExpr;

    // The other arguments are scalars: one value per step.
    const otherArgs: (Series[] | null)[] = e.args.map((a, i) => {
      if (i === matrixArgIndex || exprType(a) === 'string') return null;
      return this.evalMatrix(a);
    });

    let range: number;
    let timestamp: number | undefined;
    let offset: number;
    let inputs: { metric: Labels; t: ArrayLike<number>; v: ArrayLike<number> }[];
    let subquerySamples = 0;
    if (sel.type === 'MatrixSelector') {
      const vs = sel.vectorSelector;
      range = sel.range;
      timestamp = vs.timestamp;
      offset = vs.offset;
      const first = this.refTime(this.start, timestamp, offset);
      const last = this.refTime(this.end, timestamp, offset);
      inputs = this.select(vs, first - range, last).map((s) => ({ metric: s.metric, ...withoutStale(s) }));
    } else {
      range = sel.range;
      timestamp = sel.timestamp;
      offset = sel.offset;
      const before = this.ctx.currentSamples;
      inputs = this.evalSubquery(sel);
      subquerySamples = this.ctx.currentSamples - before;
    }

    const enh: EvalNodeHelper = { ts: 0 };
    const out: Series[] = [];
    const keepName = e.func === 'last_over_time';
    // Functions of the window alone run as numeric kernels (no per-step argument or result arrays).
    const kernel = e.args.length === 1 ? RANGE_KERNELS[e.func] : undefined;
    const rateKind = e.args.length === 1 ? EXTRAPOLATED_RATE_KINDS[e.func] : undefined;
    const vals: FnArg[] = e.args.map(() => null);
    const scalarSamples: Sample[][] = e.args.map(() => [{ metric: [], t: 0, v: 0 }]);
    let iterations = 0;
    for (const s of inputs) {
      const m: MatrixArg = { metric: s.metric, t: s.t, v: s.v, lo: 0, hi: 0, rangeStart: 0, rangeEnd: 0, range };
      vals[matrixArgIndex] = m;
      const ss: Series = { metric: keepName ? s.metric : dropMetricName(s.metric), t: [], v: [] };
      const n = s.t.length;
      if (rateKind) {
        const scratch = this.rateScratch();
        const count = this.ratesInto(s.t, s.v, timestamp, offset, range, rateKind.isCounter, rateKind.isRate, scratch);
        if (this.ctx.currentSamples + scratch.widest > this.ctx.maxSamples) this.tooManySamples();
        for (let j = 0; j < count; j++) {
          ss.t.push(this.stepTime(scratch.k[j]!));
          ss.v.push(scratch.v[j]!);
        }
      } else if (kernel) {
        const t = s.t;
        const maxSamples = this.ctx.maxSamples;
        for (let k = 0, steps = this.numSteps; k < steps; k++) {
          const ts = this.stepTime(k);
          if ((++iterations & 1023) === 0) this.checkTimeout();
          const maxt = timestamp !== undefined ? timestamp - offset : ts - offset;
          const mint = maxt - range;
          let hi = m.hi;
          while (hi < n && t[hi]! <= maxt) hi++;
          let lo = m.lo;
          while (lo < hi && t[lo]! < mint) lo++;
          m.hi = hi;
          m.lo = lo;
          if (hi <= lo) continue;
          if (this.ctx.currentSamples + (hi - lo) > maxSamples) this.tooManySamples();
          m.rangeStart = mint;
          m.rangeEnd = maxt;
          const r = kernel(m);
          if (r !== undefined) {
            ss.t.push(ts);
            ss.v.push(r);
          }
        }
      } else {
        for (let step = 0, steps = this.numSteps; step < steps; step++) {
          const ts = this.stepTime(step);
          if ((++iterations & 1023) === 0) this.checkTimeout();
          for (let j = 0; j < e.args.length; j++) {
            const oa = otherArgs[j];
            if (oa) {
              scalarSamples[j]![0]!.v = oa[0]?.v[step] ?? NaN;
              vals[j] = scalarSamples[j]!;
            }
          }
          const maxt = this.refTime(ts, timestamp, offset);
          const mint = maxt - range;
          while (m.hi < n && s.t[m.hi]! <= maxt) m.hi++;
          while (m.lo < m.hi && s.t[m.lo]! < mint) m.lo++;
          if (m.hi <= m.lo) continue;
          if (this.ctx.currentSamples + (m.hi - m.lo) > this.ctx.maxSamples) this.tooManySamples();
          m.rangeStart = mint;
          m.rangeEnd = maxt;
          enh.ts = ts;
          const res = call(vals, e.args, enh);
          if (res.length > 0) {
            ss.t.push(ts);
            ss.v.push(res[0]!.v);
          }
        }
      }
      if (ss.t.length > 0) {
        if (this.ctx.currentSamples + ss.t.length > this.ctx.maxSamples) this.tooManySamples();
        this.ctx.currentSamples += ss.t.length;
        out.push(ss);
      }
    }
    this.ctx.currentSamples -= subquerySamples;

    if (e.func === 'absent_over_time') return this.absentOverTime(out, e);
    if (containsSameLabelset(out)) throw new EvalError('vector cannot contain metrics with the same labelset');
    return out;
  }

  /** Step-sized buffers for ratesInto, reused across series and queries of this evaluator. */
  private rateScratch(): RateScratch {
    const steps = this.numSteps;
    if (!this.scratch || this.scratch.k.length < steps) {
      this.scratch = { k: new Int32Array(steps), v: new Float64Array(steps), widest: 0 };
    }
    return this.scratch;
  }

  /**
   * rate/increase/delta of one series at every step into out (step indexes and values; returns
   * how many): the window [lo, hi) slides forward over the samples. out.widest is the largest
   * window, for the sample limit (the count in use does not change within a series, so testing
   * the widest is the same test as per window).
   */
  private ratesInto(
    t: ArrayLike<number>,
    v: ArrayLike<number>,
    timestamp: number | undefined,
    offset: number,
    range: number,
    isCounter: boolean,
    isRate: boolean,
    out: RateScratch,
  ): number {
    const n = t.length;
    const outK = out.k;
    const outV = out.v;
    let lo = 0;
    let hi = 0;
    let widest = 0;
    let count = 0;
    // The first counter reset after the window's first sample: windows before it need no reset scan.
    let reset = isCounter ? nextReset(v, 1) : n;
    for (let k = 0, steps = this.numSteps; k < steps; k++) {
      const ts = this.stepTime(k);
      if ((k & 1023) === 1023) this.checkTimeout();
      const maxt = (timestamp ?? ts) - offset;
      const mint = maxt - range;
      while (hi < n && t[hi]! <= maxt) hi++;
      while (lo < hi && t[lo]! < mint) lo++;
      const w = hi - lo;
      if (w > widest) widest = w;
      if (w < 2) continue;
      if (reset <= lo) reset = nextReset(v, lo + 1);
      const change = reset < hi ? windowChange(v, lo, hi, isCounter) : v[hi - 1]! - v[lo]!;
      outK[count] = k;
      outV[count++] = extrapolatedChange(t, v, lo, hi, change, mint, maxt, range, isCounter, isRate);
    }
    out.widest = widest;
    return count;
  }

  /** absent_over_time: 1 at the steps where no series had samples in its window. */
  private absentOverTime(mat: Series[], e: Call): Series[] {
    const steps = this.numSteps;
    const found = new Set<number>();
    for (const s of mat) {
      if (s.t.length === steps) return [];
      for (const t of s.t) found.add(t);
    }
    if (found.size === steps) return [];
    const ss: Series = { metric: labelsForAbsent(e.args[0]), t: [], v: [] };
    for (let k = 0, steps = this.numSteps; k < steps; k++) {
      const ts = this.stepTime(k);
      if (!found.has(ts)) {
        ss.t.push(ts);
        ss.v.push(1);
      }
    }
    return [ss];
  }
}

function totalSamples(mat: readonly Series[]): number {
  let n = 0;
  for (const s of mat) n += s.t.length;
  return n;
}

function containsSameLabelsetVec(vec: readonly Sample[]): boolean {
  if (vec.length <= 1) return false;
  const seen = new Set<string>();
  for (const s of vec) {
    const k = keyOf(s.metric);
    if (seen.has(k)) return true;
    seen.add(k);
  }
  return false;
}

function containsSameLabelset(mat: readonly Series[]): boolean {
  if (mat.length <= 1) return false;
  const seen = new Set<string>();
  for (const s of mat) {
    const k = keyOf(s.metric);
    if (seen.has(k)) return true;
    seen.add(k);
  }
  return false;
}

// ---- the engine --------------------------------------------------------------------------

/** The checks of a range query before evaluation, with Prometheus's messages. */
export function checkRangeQuery(expr: Expr, startMs: number, endMs: number, stepMs: number): void {
  const t = exprType(expr);
  if (t !== 'scalar' && t !== 'vector') {
    throw new QueryError(
      'bad_data',
      `invalid expression type "${documentedType(t)}" for range query, must be Scalar or instant Vector`,
    );
  }
  if (!(stepMs > 0)) {
    throw new QueryError(
      'bad_data',
      'zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
  }
  if (endMs < startMs) throw new QueryError('bad_data', 'end timestamp must not be before start time');
}

export interface EngineTuning extends EngineOptions {
  /**
   * false: evaluate aggregations and vector-scalar operations step by step even where the
   * series-by-series (columnar) paths apply; the results must be the same (engine tests compare).
   */
  readonly columnar?: boolean;
}

export class Engine implements QueryEngine {
  private readonly columnar: boolean;
  private readonly timeoutMs: number;
  private readonly maxSamples: number;
  private readonly lookbackDeltaMs: number;

  constructor(opts: EngineTuning = {}) {
    this.columnar = opts.columnar ?? true;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxSamples = opts.maxSamples ?? DEFAULT_MAX_SAMPLES;
    this.lookbackDeltaMs = opts.lookbackDeltaMs ?? DEFAULT_LOOKBACK_MS;
  }

  /** Parses a query; parse errors become QueryError('bad_data') with the parser's message. */
  parse(query: string): Expr {
    try {
      return parseExpr(query);
    } catch (e) {
      if (e instanceof QueryError) throw e;
      throw new QueryError('bad_data', e instanceof Error ? e.message : String(e));
    }
  }

  instantQuery(querier: Querier, query: string, timeMs: number, opts?: QueryOptions): QueryValue {
    return this.instantQueryExpr(querier, this.parse(query), timeMs, opts);
  }

  rangeQuery(
    querier: Querier,
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts?: QueryOptions,
  ): QueryValue {
    return this.rangeQueryExpr(querier, this.parse(query), startMs, endMs, stepMs, opts);
  }

  /**
   * What evaluating expr from start to end reads from querier (an instant query: start = end),
   * for evaluation elsewhere over a SnapshotQuerier.
   */
  snapshot(querier: Querier, expr: Expr, startMs: number, endMs: number): Snapshot {
    return takeSnapshot(querier, preprocessExpr(expr, startMs, endMs), startMs, endMs, this.lookbackDeltaMs);
  }

  /** Evaluates an already parsed expression at one instant. */
  instantQueryExpr(querier: Querier, expr: Expr, timeMs: number, opts?: QueryOptions): QueryValue {
    const prepared = preprocessExpr(expr, timeMs, timeMs);
    const val = this.run(querier, prepared, timeMs, timeMs, 1, opts);
    if (isString(val)) return { type: 'string', t: timeMs, v: val.str };
    switch (exprType(expr)) {
      case 'vector':
        return {
          type: 'vector',
          samples: val.map((s) => ({ metric: s.metric, t: timeMs, v: s.v[0]! })),
        };
      case 'scalar':
        return { type: 'scalar', t: timeMs, v: val[0]?.v[0] ?? NaN };
      case 'matrix':
        return { type: 'matrix', series: val.map((s) => ({ metric: s.metric, t: s.t, v: s.v })) };
      default:
        throw new QueryError('internal', `unexpected expression type "${exprType(expr)}"`);
    }
  }

  /** Evaluates an already parsed expression at start, start+step, ... <= end. */
  rangeQueryExpr(
    querier: Querier,
    expr: Expr,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts?: QueryOptions,
  ): QueryValue {
    checkRangeQuery(expr, startMs, endMs, stepMs);
    const prepared = preprocessExpr(expr, startMs, endMs);
    const val = this.run(querier, prepared, startMs, endMs, stepMs, opts);
    if (isString(val)) throw new QueryError('internal', 'unexpected string result in range query');
    const series = val
      .map((s) => ({ metric: s.metric, t: s.t, v: s.v }))
      .sort((a, b) => compareLabels(a.metric, b.metric));
    return { type: 'matrix', series };
  }

  private run(
    querier: Querier,
    expr: Expr,
    start: number,
    end: number,
    interval: number,
    opts: QueryOptions | undefined,
  ): EvalValue {
    // The API's `timeout` parameter may shorten the engine's limit for one query, never lengthen it.
    const timeoutMs = Math.min(this.timeoutMs, opts?.timeoutMs ?? this.timeoutMs);
    const { selectors, plan } = selectionPlan(expr, start, end, this.lookbackDeltaMs);
    const ctx: EvalContext = {
      // Selectors of one metric over one range read one selection.
      querier: new SharedSelections(querier, selectors, plan),
      deadline: Date.now() + timeoutMs,
      maxSamples: this.maxSamples,
      lookbackDelta: this.lookbackDeltaMs,
      columnar: this.columnar,
      currentSamples: 0,
    };
    const ev = new Evaluator(ctx, start, end, interval);
    try {
      const val = ev.eval(expr);
      ev.checkTimeout();
      return val;
    } catch (e) {
      if (e instanceof QueryError) throw e;
      if (e instanceof EvalError) throw new QueryError('execution', e.message);
      if (e instanceof RangeError) throw new QueryError('execution', `unexpected error: ${e.message}`);
      throw new QueryError('execution', e instanceof Error ? e.message : String(e));
    }
  }
}
