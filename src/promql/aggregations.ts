// Aggregation operators (sum, avg, count, min, max, group, stddev, stdvar, topk, bottomk,
// count_values, quantile) with by/without grouping, as Prometheus 2.42 computes them, including
// the order of results (groups in order of first appearance; topk/bottomk heap order).
import type { AggregateOp } from './parser/ast.js';
import type { Labels } from '../labels/labels.js';
import { quantile } from './quantile.js';
import { EvalError, isValidLabelName, setLabel, signature, type Sample } from './series.js';
import { formatFloatF, formatFloatV } from '../gocompat/float.js';
import { goQuote } from '../gocompat/quote.js';

/**
 * The running state of aggregation groups, slot by slot: the step-wise path has one slot per
 * group of a step, the columnar path one per group and step. `count` is the number of values
 * folded in so far; the caller sets it (1 on init, +1 before each add).
 */
export interface AggState {
  readonly value: Float64Array | number[];
  readonly mean: Float64Array | number[];
  readonly count: Float64Array | number[];
}

/** One operator's semantics, shared by both paths so that their results are identical. */
export interface Accumulator {
  /** whether it keeps a mean beside the value (else the two may share one array) */
  readonly usesMean: boolean;
  init(s: AggState, i: number, x: number): void;
  add(s: AggState, i: number, x: number): void;
  result(s: AggState, i: number): number;
}

const isInf = (v: number): boolean => v === Infinity || v === -Infinity;

const first = (s: AggState, i: number, x: number): void => {
  s.value[i] = x;
  s.mean[i] = x;
};
const valueOf = (s: AggState, i: number): number => s.value[i]!;

/** Welford's running variance, as Prometheus computes stddev and stdvar. */
const varianceInit = (s: AggState, i: number, x: number): void => {
  s.value[i] = 0;
  s.mean[i] = x;
};
const varianceAdd = (s: AggState, i: number, x: number): void => {
  const n = s.count[i]!;
  const m = s.mean[i]!;
  const delta = x - m;
  const m2 = m + delta / n;
  s.mean[i] = m2;
  s.value[i] = s.value[i]! + delta * (x - m2);
};

/** sum, avg, count, min, max, group, stddev and stdvar: the aggregations without a parameter. */
export const ACCUMULATORS: Readonly<Partial<Record<AggregateOp, Accumulator>>> = {
  sum: {
    usesMean: false,
    init: first,
    add: (s, i, x) => {
      s.value[i] = s.value[i]! + x;
    },
    result: valueOf,
  },
  avg: {
    usesMean: true,
    init: first,
    add: (s, i, x) => {
      const n = s.count[i]!;
      const m = s.mean[i]!;
      if (isInf(m)) {
        // An infinite mean is already right unless an opposite infinity or a NaN arrives; the
        // incremental formula below would compute Inf - Inf = NaN.
        if (isInf(x) && m > 0 === x > 0) return;
        if (!isInf(x) && !Number.isNaN(x)) return;
      }
      // Dividing each term first avoids overflow.
      s.mean[i] = m + (x / n - m / n);
    },
    result: (s, i) => s.mean[i]!,
  },
  count: { usesMean: false, init: first, add: () => {}, result: (s, i) => s.count[i]! },
  min: {
    usesMean: false,
    init: first,
    add: (s, i, x) => {
      const cur = s.value[i]!;
      if (cur > x || Number.isNaN(cur)) s.value[i] = x;
    },
    result: valueOf,
  },
  max: {
    usesMean: false,
    init: first,
    add: (s, i, x) => {
      const cur = s.value[i]!;
      if (cur < x || Number.isNaN(cur)) s.value[i] = x;
    },
    result: valueOf,
  },
  group: {
    usesMean: false,
    init: (s, i) => {
      s.value[i] = 1;
    },
    add: () => {},
    result: valueOf,
  },
  stddev: {
    usesMean: true,
    init: varianceInit,
    add: varianceAdd,
    result: (s, i) => Math.sqrt(s.value[i]! / s.count[i]!),
  },
  stdvar: { usesMean: true, init: varianceInit, add: varianceAdd, result: (s, i) => s.value[i]! / s.count[i]! },
};

interface Group {
  labels: Labels;
  /** the group's slot in the AggState (accumulator operators) */
  slot: number;
  groupCount: number;
  heap: Sample[];
}

/** A binary heap with Go's container/heap algorithms, so ties come out in Prometheus's order. */
class GoHeap {
  constructor(
    readonly items: Sample[],
    private readonly less: (a: Sample, b: Sample) => boolean,
  ) {}

  private up(j: number): void {
    const h = this.items;
    for (;;) {
      const i = Math.trunc((j - 1) / 2);
      if (i === j || !this.less(h[j]!, h[i]!)) break;
      [h[i], h[j]] = [h[j]!, h[i]!];
      j = i;
    }
  }

  private down(i0: number, n: number): void {
    const h = this.items;
    let i = i0;
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= n || j1 < 0) break;
      let j = j1;
      const j2 = j1 + 1;
      if (j2 < n && this.less(h[j2]!, h[j1]!)) j = j2;
      if (!this.less(h[j]!, h[i]!)) break;
      [h[i], h[j]] = [h[j]!, h[i]!];
      i = j;
    }
  }

  push(s: Sample): void {
    this.items.push(s);
    this.up(this.items.length - 1);
  }

  pop(): void {
    const h = this.items;
    const n = h.length - 1;
    [h[0], h[n]] = [h[n]!, h[0]!];
    this.down(0, n);
    h.pop();
  }
}

const lessByValue = (a: Sample, b: Sample): boolean => Number.isNaN(a.v) || a.v < b.v;
const lessByReverseValue = (a: Sample, b: Sample): boolean => Number.isNaN(a.v) || a.v > b.v;

/** sort.Sort(sort.Reverse(x)) as Go does it for small inputs (insertion sort), stable beyond. */
function goSortReverse(a: Sample[], less: (x: Sample, y: Sample) => boolean): void {
  const rless = (x: Sample, y: Sample): boolean => less(y, x);
  if (a.length <= 12) {
    for (let i = 1; i < a.length; i++) {
      for (let j = i; j > 0 && rless(a[j]!, a[j - 1]!); j--) [a[j], a[j - 1]] = [a[j - 1]!, a[j]!];
    }
    return;
  }
  a.sort((x, y) => (rless(x, y) ? -1 : rless(y, x) ? 1 : 0));
}

/** Go's convertibleToInt64 */
function convertibleToInt64(v: number): boolean {
  return v <= 9223372036854775807 && v >= -9223372036854775808;
}

/** Precomputed per-series grouping key for the aggregation (set once per input series). */
export function groupingKey(metric: Labels, grouping: ReadonlySet<string>, without: boolean): string {
  if (without) {
    let key = '';
    for (const l of metric) {
      if (l.name !== '__name__' && !grouping.has(l.name)) key += l.name + '\xff' + l.value + '\xfe';
    }
    return key;
  }
  if (grouping.size === 0) return '';
  return signature(metric, true, grouping);
}

export type AggregationParam = number | string | undefined;

/**
 * Aggregates one step's vector. `keys` are the inputs' grouping keys (computed once per series);
 * `labelCache` keeps each group's output label set across the steps of one node.
 */
export function aggregate(
  op: AggregateOp,
  groupingList: readonly string[],
  without: boolean,
  param: AggregationParam,
  vec: readonly Sample[],
  keys: readonly number[],
  labelCache: Map<string | number, Labels> = new Map(),
): Sample[] {
  let grouping = new Set(groupingList);
  let k = 0;
  if (op === 'topk' || op === 'bottomk') {
    const f = param as number;
    if (!convertibleToInt64(f)) throw new EvalError(`Scalar value ${formatFloatV(f)} overflows int64`);
    k = Math.trunc(f);
    if (k < 1) return [];
  }
  const q = op === 'quantile' ? (param as number) : 0;
  let valueLabel = '';
  let recomputeKey = false;
  if (op === 'count_values') {
    valueLabel = param as string;
    if (!isValidLabelName(valueLabel)) throw new EvalError(`invalid label name ${goQuote(valueLabel)}`);
    if (!without) {
      grouping = new Set([...grouping, valueLabel]);
    }
    recomputeKey = true;
  }

  const acc = ACCUMULATORS[op];
  const state: AggState = { value: [], mean: [], count: [] };
  const result = new Map<string | number, Group>();
  const ordered: Group[] = [];
  for (let si = 0; si < vec.length; si++) {
    const s = vec[si]!;
    let metric = s.metric;
    if (op === 'count_values') metric = setLabel(metric, valueLabel, formatFloatF(s.v));
    const key = recomputeKey ? groupingKey(metric, grouping, without) : keys[si]!;
    const group = result.get(key);
    if (!group) {
      // The group's label set is the same at every step: reuse it (cheaper downstream lookups).
      let labels = labelCache.get(key);
      if (!labels) {
        if (without) labels = metric.filter((l) => !grouping.has(l.name) && l.name !== '__name__');
        else if (grouping.size > 0) labels = metric.filter((l) => grouping.has(l.name));
        else labels = [];
        labelCache.set(key, labels);
      }
      const g: Group = { labels, slot: ordered.length, groupCount: 1, heap: [] };
      if (acc) {
        state.count[g.slot] = 1;
        acc.init(state, g.slot, s.v);
      } else if (op === 'topk' || op === 'bottomk' || op === 'quantile') {
        g.heap = [{ metric: s.metric, t: 0, v: s.v }];
      }
      result.set(key, g);
      ordered.push(g);
      continue;
    }
    if (acc) {
      state.count[group.slot] = state.count[group.slot]! + 1;
      acc.add(state, group.slot, s.v);
      continue;
    }
    switch (op) {
      case 'count_values':
        group.groupCount++;
        break;
      case 'topk':
      case 'bottomk': {
        const less = op === 'topk' ? lessByValue : lessByReverseValue;
        const h = group.heap;
        const top = h[0]!;
        const better = op === 'topk' ? top.v < s.v : top.v > s.v;
        if (h.length < k || better || Number.isNaN(top.v)) {
          const item = { metric: s.metric, t: 0, v: s.v };
          if (h.length === k) {
            if (k === 1) {
              h[0] = item;
              break;
            }
            new GoHeap(h, less).pop();
          }
          new GoHeap(h, less).push(item);
        }
        break;
      }
      case 'quantile':
        group.heap.push(s);
        break;
      default:
        break;
    }
  }

  const out: Sample[] = [];
  for (const g of ordered) {
    let value: number;
    if (acc) value = acc.result(state, g.slot);
    else if (op === 'count_values') value = g.groupCount;
    else if (op === 'quantile')
      value = quantile(
        q,
        g.heap.map((s) => s.v),
      );
    else {
      // topk/bottomk: the heap keeps the worst element on top; reversed, the best comes first.
      if (g.heap.length > 1) goSortReverse(g.heap, op === 'topk' ? lessByValue : lessByReverseValue);
      for (const s of g.heap) out.push({ metric: s.metric, t: 0, v: s.v });
      continue;
    }
    out.push({ metric: g.labels, t: 0, v: value });
  }
  return out;
}
