// What one query reads from storage, taken before evaluation so that another thread can evaluate
// it: each vector selector's series over the time range Prometheus's engine computes for that
// selector before it evaluates (getTimeRangesForSelector: @, offset, the enclosing subqueries'
// offsets and ranges, then the lookback delta or the range), packed into typed arrays whose
// buffers are transferred to the worker rather than copied. Selectors that can share one selection
// (shared-selections.ts) are sent one copy of it.
import { children, type Expr, type VectorSelector } from './parser/ast.js';
import type { Labels } from '../labels/labels.js';
import type { Matcher } from '../labels/matcher.js';
import type { Querier, SeriesSamples } from '../storage/storage.js';
import { extraMatchers, matchesAll, planSelections, type SelectionSource } from './shared-selections.js';

/** The series one selector selected, with samples in [mint, maxt]. */
export interface SelectorData {
  readonly mint: number;
  readonly maxt: number;
  /** every series' label names and values, concatenated */
  readonly labelText: string;
  /** the length of each name and value in labelText */
  readonly labelLengths: Uint32Array;
  /** labels per series */
  readonly labelCounts: Uint32Array;
  /** series i holds samples from[i] to to[i] (exclusive) of t and v, in any order */
  readonly from: Uint32Array;
  readonly to: Uint32Array;
  readonly t: Float64Array;
  readonly v: Float64Array;
  /** 1 for a staleness marker (indexed as t); empty when the selection holds none */
  readonly stale: Uint8Array;
}

/**
 * Per vector selector, in vectorSelectors() order: its SelectorData, or the index of the selector
 * whose SelectorData it reads (one with the same matchers or a subset of them, over the same
 * range; this selector's series are those of it that its own matchers match).
 */
export interface Snapshot {
  readonly selectors: readonly (SelectorData | number)[];
}

interface TimeRange {
  mint: number;
  maxt: number;
}

/**
 * The vector selectors of an expression, depth first and left to right: the same order for every
 * parse of one query text, which is how a worker pairs its own parse with the snapshot.
 */
export function vectorSelectors(expr: Expr): VectorSelector[] {
  const out: VectorSelector[] = [];
  const stack: Expr[] = [expr];
  for (let e = stack.pop(); e !== undefined; e = stack.pop()) {
    if (e.type === 'VectorSelector') out.push(e);
    else {
      const c = children(e);
      for (let i = c.length - 1; i >= 0; i--) stack.push(c[i]!);
    }
  }
  return out;
}

/**
 * The time range each selector of a preprocessed expression reads (by its matchers array, which
 * preprocessing keeps), as Prometheus's engine computes it before evaluation. It covers every
 * range the evaluator asks for: subquery steps start at or after start - offset - range.
 */
export function selectorRanges(
  expr: Expr,
  start: number,
  end: number,
  lookbackDelta: number,
): Map<readonly Matcher[], TimeRange> {
  interface Item {
    readonly e: Expr;
    /** enclosing subqueries' offsets and ranges summed since the innermost @ among them */
    readonly subqOffset: number;
    readonly subqRange: number;
    readonly subqAt: number | undefined;
    /** the range of the matrix selector around a vector selector, else 0 */
    readonly evalRange: number;
  }
  const out = new Map<readonly Matcher[], TimeRange>();
  const stack: Item[] = [{ e: expr, subqOffset: 0, subqRange: 0, subqAt: undefined, evalRange: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { e } = item;
    if (e.type === 'VectorSelector') {
      let s = item.subqAt ?? start;
      let t = item.subqAt ?? end;
      if (e.timestamp !== undefined) {
        s = e.timestamp;
        t = e.timestamp;
      } else {
        s = s - item.subqOffset - item.subqRange;
        t -= item.subqOffset;
      }
      s -= item.evalRange === 0 ? lookbackDelta : item.evalRange;
      s -= e.offset;
      t -= e.offset;
      const known = out.get(e.matchers);
      if (known) {
        known.mint = Math.min(known.mint, s);
        known.maxt = Math.max(known.maxt, t);
      } else out.set(e.matchers, { mint: s, maxt: t });
      continue;
    }
    if (e.type === 'MatrixSelector') {
      stack.push({ ...item, e: e.vectorSelector, evalRange: e.range });
      continue;
    }
    let next = item;
    if (e.type === 'SubqueryExpr') {
      // An @ on a subquery replaces the offsets and ranges of the subqueries around it.
      next =
        e.timestamp !== undefined
          ? { e, subqOffset: e.offset, subqRange: e.range, subqAt: e.timestamp, evalRange: 0 }
          : {
              e,
              subqOffset: item.subqOffset + e.offset,
              subqRange: item.subqRange + e.range,
              subqAt: item.subqAt,
              evalRange: 0,
            };
    }
    for (const c of children(e)) stack.push({ ...next, e: c, evalRange: 0 });
  }
  return out;
}

/** The matchers of each vector selector of a preprocessed expression and where their series come from. */
export function selectionPlan(
  expr: Expr,
  start: number,
  end: number,
  lookbackDelta: number,
): { readonly selectors: (readonly Matcher[])[]; readonly plan: SelectionSource[] } {
  const ranges = selectorRanges(expr, start, end, lookbackDelta);
  const selectors = vectorSelectors(expr).map((vs) => vs.matchers);
  return { selectors, plan: planSelections(selectors, (i) => ranges.get(selectors[i]!)!) };
}

/**
 * The element index of each series' samples when all of them are views of one pair of column
 * arrays at matching positions (what the storage's select returns), else undefined.
 */
function sharedColumns(series: readonly SeriesSamples[]): Uint32Array | undefined {
  if (series.length === 0) return undefined;
  const tb = series[0]!.t.buffer;
  const vb = series[0]!.v.buffer;
  const from = new Uint32Array(series.length);
  for (let i = 0; i < series.length; i++) {
    const s = series[i]!;
    if (s.t.buffer !== tb || s.v.buffer !== vb || s.t.byteOffset !== s.v.byteOffset) return undefined;
    from[i] = s.t.byteOffset / Float64Array.BYTES_PER_ELEMENT;
  }
  return from;
}

/**
 * One selector's series as packed arrays. When the series are views of one pair of column
 * arrays, those arrays are used as they are (and transferred to the worker: a select answer's
 * arrays belong to its caller); else the samples are copied.
 */
function pack(series: readonly SeriesSamples[], range: TimeRange): SelectorData {
  let samples = 0;
  let labels = 0;
  let anyStale = false;
  for (const s of series) {
    samples += s.t.length;
    labels += s.labels.length;
    if (s.stale) anyStale = true;
  }
  const shared = sharedColumns(series);
  const from = shared ?? new Uint32Array(series.length);
  const to = new Uint32Array(series.length);
  let t: Float64Array;
  let v: Float64Array;
  if (shared) {
    t = new Float64Array(series[0]!.t.buffer);
    v = new Float64Array(series[0]!.v.buffer);
  } else {
    t = new Float64Array(samples);
    v = new Float64Array(samples);
  }
  const stale = new Uint8Array(anyStale ? t.length : 0);
  const labelCounts = new Uint32Array(series.length);
  const labelLengths = new Uint32Array(2 * labels);
  const text: string[] = [];
  let n = 0;
  let li = 0;
  for (let i = 0; i < series.length; i++) {
    const s = series[i]!;
    if (!shared) {
      t.set(s.t, n);
      v.set(s.v, n);
      from[i] = n;
      n += s.t.length;
    }
    to[i] = from[i]! + s.t.length;
    if (s.stale) stale.set(s.stale, from[i]);
    labelCounts[i] = s.labels.length;
    for (const l of s.labels) {
      text.push(l.name, l.value);
      labelLengths[li++] = l.name.length;
      labelLengths[li++] = l.value.length;
    }
  }
  return {
    mint: range.mint,
    maxt: range.maxt,
    labelText: text.join(''),
    labelLengths,
    labelCounts,
    from,
    to,
    t,
    v,
    stale,
  };
}

/**
 * Selects what a preprocessed expression reads, one entry per vector selector in
 * vectorSelectors() order.
 */
export function takeSnapshot(
  querier: Querier,
  expr: Expr,
  start: number,
  end: number,
  lookbackDelta: number,
): Snapshot {
  const { selectors, plan } = selectionPlan(expr, start, end, lookbackDelta);
  return {
    selectors: selectors.map((ms, i) => {
      const src = plan[i]!;
      return src.base !== i ? src.base : pack(querier.select(ms, src.mint, src.maxt), src);
    }),
  };
}

/** The buffers to transfer with a snapshot (each appears once). */
export function snapshotTransferList(snap: Snapshot): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const d of snap.selectors) {
    if (typeof d === 'number') continue;
    for (const a of [d.labelLengths, d.labelCounts, d.from, d.to, d.t, d.v, d.stale]) out.add(a.buffer as ArrayBuffer);
  }
  return [...out];
}

/** Index of the first of t[lo..hi) that is >= x (or > x when `after`). */
function bound(t: Float64Array, lo: number, hi: number, x: number, after: boolean): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (after ? t[m]! <= x : t[m]! < x) a = m + 1;
    else b = m;
  }
  return a;
}

/**
 * A Querier over a snapshot, for the expression it was taken for (parsed again from the same text,
 * so that its selectors pair with the snapshot's by order). select() answers as the storage would
 * have for any range inside the snapshot's; `outsideRange` counts requests beyond it (a bug in
 * selectorRanges: the conformance runner checks it stays 0).
 */
export class SnapshotQuerier implements Querier {
  outsideRange = 0;
  private readonly bySelector = new Map<
    readonly Matcher[],
    { data: SelectorData; labels: Labels[]; extra: readonly Matcher[] | undefined; rows?: readonly number[] }
  >();

  constructor(snap: Snapshot, expr: Expr) {
    const sels = vectorSelectors(expr);
    if (sels.length !== snap.selectors.length) {
      throw new Error(`snapshot has ${snap.selectors.length} selectors, the expression ${sels.length}`);
    }
    const decoded = new Map<SelectorData, Labels[]>();
    sels.forEach((vs, i) => {
      const own = snap.selectors[i]!;
      const baseIndex = typeof own === 'number' ? own : i;
      const data = snap.selectors[baseIndex];
      if (data === undefined || typeof data === 'number') throw new Error(`snapshot selector ${i} reads no data`);
      let labels = decoded.get(data);
      if (!labels) {
        labels = decodeLabels(data);
        decoded.set(data, labels);
      }
      // A selector reading a broader one's data keeps the series its extra matchers match, found on
      // its first select: the engine's own SharedSelections usually reads the broader selector instead.
      const extra = baseIndex !== i ? extraMatchers(vs.matchers, sels[baseIndex]!.matchers) : undefined;
      this.bySelector.set(vs.matchers, { data, labels, extra });
    });
  }

  select(matchers: readonly Matcher[], mint: number, maxt: number): SeriesSamples[] {
    const entry = this.bySelector.get(matchers);
    if (!entry) throw new Error('selector not in the snapshot');
    const { data, labels, extra } = entry;
    if (extra && !entry.rows) {
      const found: number[] = [];
      for (let r = 0; r < labels.length; r++) if (matchesAll(labels[r]!, extra)) found.push(r);
      entry.rows = found;
    }
    const rows = entry.rows;
    if (mint < data.mint || maxt > data.maxt) this.outsideRange++;
    const out: SeriesSamples[] = [];
    const stale = data.stale.length > 0 ? data.stale : undefined;
    const n = rows ? rows.length : labels.length;
    for (let k = 0; k < n; k++) {
      const i = rows ? rows[k]! : k;
      const lo = bound(data.t, data.from[i]!, data.to[i]!, mint, false);
      const hi = bound(data.t, lo, data.to[i]!, maxt, true);
      if (hi <= lo) continue;
      out.push({
        labels: labels[i]!,
        t: data.t.subarray(lo, hi),
        v: data.v.subarray(lo, hi),
        // Only a series holding a marker gets flags, as from the storage: flags on every series
        // would send each through the engine's slower path for staleness markers.
        ...(stale !== undefined && stale.subarray(lo, hi).includes(1) ? { stale: stale.subarray(lo, hi) } : {}),
      });
    }
    return out;
  }

  series(): Labels[] {
    throw new Error('a snapshot answers select() only');
  }
  labelNames(): string[] {
    throw new Error('a snapshot answers select() only');
  }
  labelValues(): string[] {
    throw new Error('a snapshot answers select() only');
  }
}

function decodeLabels(d: SelectorData): Labels[] {
  const out: Labels[] = [];
  let pos = 0;
  let li = 0;
  for (let i = 0; i < d.labelCounts.length; i++) {
    const ls: { name: string; value: string }[] = [];
    for (let k = 0; k < d.labelCounts[i]!; k++) {
      const nameLen = d.labelLengths[li++]!;
      const valueLen = d.labelLengths[li++]!;
      const name = d.labelText.slice(pos, pos + nameLen);
      pos += nameLen;
      ls.push({ name, value: d.labelText.slice(pos, pos + valueLen) });
      pos += valueLen;
    }
    out.push(ls);
  }
  return out;
}
