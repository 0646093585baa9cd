// What one query reads from storage, taken before evaluation so that another thread can evaluate
// it: each vector selector's series over the time range Prometheus's engine computes for that
// selector before it evaluates (getTimeRangesForSelector: @, offset, the enclosing subqueries'
// offsets and ranges, then the lookback delta or the range), packed into typed arrays whose
// buffers are transferred to the worker rather than copied. Selectors that can share one selection
// (shared-selections.ts) are sent one copy of it.
import { children, type Expr, type VectorSelector } from './parser/ast.js';
import type { Labels } from '../labels/labels.js';
import type { Matcher } from '../labels/matcher.js';
import type { EncodedChunks, EncodedSelection, Querier, SeriesSamples, SeriesVisitor } from '../storage/storage.js';
import { SampleColumns } from '../tsdb/columns.js';
import { encodedSamples, scanEncoded, selectEncoded } from '../tsdb/select-merge.js';
import { extraMatchers, matchesAll, planSelections, type SelectionSource } from './shared-selections.js';

/** The series one selector selected over [mint, maxt], by their labels. */
interface SelectedLabels {
  readonly mint: number;
  readonly maxt: number;
  /** every series' label names and values, concatenated */
  readonly labelText: string;
  /** the length of each name and value in labelText */
  readonly labelLengths: Uint32Array;
  /** labels per series */
  readonly labelCounts: Uint32Array;
}

/** A selector's series with their samples in [mint, maxt], decoded. */
export interface SelectedSamples extends SelectedLabels {
  /** series i holds samples from[i] to to[i] (exclusive) of t and v, in any order */
  readonly from: Uint32Array;
  readonly to: Uint32Array;
  readonly t: Float64Array;
  readonly v: Float64Array;
  /** 1 for a staleness marker (indexed as t); empty when the selection holds none */
  readonly stale: Uint8Array;
}

/**
 * A selector's series still encoded, as the storage holds them (Querier.selectEncoded): 1-2 bytes
 * a sample to transfer instead of 16, decoded by the worker series by series.
 */
export interface SelectedChunks extends SelectedLabels {
  /** series i's chunks (the series in labelCounts' order) */
  readonly chunks: EncodedChunks;
}

/** The series one selector selected, with samples in [mint, maxt]. */
export type SelectorData = SelectedSamples | SelectedChunks;

function isEncoded(d: SelectorData): d is SelectedChunks {
  return 'chunks' in d;
}

/** Samples a selector's data holds (for encoded chunks, all of theirs: some may lie outside its range). */
export function selectedSamples(d: SelectorData): number {
  if (isEncoded(d)) return encodedSamples(d.chunks);
  let n = 0;
  for (let i = 0; i < d.from.length; i++) n += d.to[i]! - d.from[i]!;
  return n;
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

/** Label sets packed as SelectorData carries them. */
function packLabels(list: readonly Labels[], range: TimeRange): SelectedLabels {
  let labels = 0;
  for (const ls of list) labels += ls.length;
  const labelCounts = new Uint32Array(list.length);
  const labelLengths = new Uint32Array(2 * labels);
  const text: string[] = [];
  let li = 0;
  for (let i = 0; i < list.length; i++) {
    const ls = list[i]!;
    labelCounts[i] = ls.length;
    for (const l of ls) {
      text.push(l.name, l.value);
      labelLengths[li++] = l.name.length;
      labelLengths[li++] = l.value.length;
    }
  }
  return { mint: range.mint, maxt: range.maxt, labelText: text.join(''), labelLengths, labelCounts };
}

/**
 * One selector's series as packed arrays. When the series are views of one pair of column
 * arrays, those arrays are used as they are (and transferred to the worker: a select answer's
 * arrays belong to its caller); else the samples are copied.
 */
function pack(series: readonly SeriesSamples[], range: TimeRange): SelectedSamples {
  let samples = 0;
  let anyStale = false;
  for (const s of series) {
    samples += s.t.length;
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
  let n = 0;
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
  }
  return {
    ...packLabels(
      series.map((s) => s.labels),
      range,
    ),
    from,
    to,
    t,
    v,
    stale,
  };
}

/** One selector's encoded selection with its labels packed. */
function packEncoded(sel: EncodedSelection, range: TimeRange): SelectedChunks {
  const { seriesPieces, pieceFormat, pieceChunks, chunkStart, chunkSamples, bytes } = sel;
  return {
    ...packLabels(sel.labels, range),
    chunks: { seriesPieces, pieceFormat, pieceChunks, chunkStart, chunkSamples, bytes },
  };
}

/**
 * Selects what a preprocessed expression reads, one entry per vector selector in
 * vectorSelectors() order: still encoded where the querier can (Querier.selectEncoded).
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
      if (src.base !== i) return src.base;
      return querier.selectEncoded
        ? packEncoded(querier.selectEncoded(ms, src.mint, src.maxt), src)
        : pack(querier.select(ms, src.mint, src.maxt), src);
    }),
  };
}

/** The buffers to transfer with a snapshot (each appears once). */
export function snapshotTransferList(snap: Snapshot): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const d of snap.selectors) {
    if (typeof d === 'number') continue;
    const arrays: ArrayBufferView[] = [d.labelLengths, d.labelCounts];
    if (isEncoded(d)) {
      const c = d.chunks;
      arrays.push(c.seriesPieces, c.pieceFormat, c.pieceChunks, c.chunkStart, c.chunkSamples, c.bytes);
    } else arrays.push(d.from, d.to, d.t, d.v, d.stale);
    for (const a of arrays) out.add(a.buffer as ArrayBuffer);
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
  private readonly bySelector = new Map<readonly Matcher[], SnapshotEntry>();
  /** the columns scan decodes encoded series into, while no scan holds them */
  private idleColumns: SampleColumns | undefined;

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
    const entry = this.entry(matchers, mint, maxt);
    const { data, labels } = entry;
    const rows = rowsOf(entry);
    if (isEncoded(data)) return selectEncoded(data.chunks, labels, rows, mint, maxt);
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

  /**
   * Querier.scan: encoded series are decoded one at a time into reused columns, so a sum of rates
   * over the snapshot allocates nothing in proportion to it; decoded ones are visited as selected.
   */
  scan(matchers: readonly Matcher[], mint: number, maxt: number, visit: SeriesVisitor): void {
    const entry = this.bySelector.get(matchers);
    if (!entry || !isEncoded(entry.data)) {
      for (const s of this.select(matchers, mint, maxt)) if (visit(s) === false) return;
      return;
    }
    this.entry(matchers, mint, maxt);
    // A visit that scans again (none does today) gets columns of its own.
    const cols = this.idleColumns ?? new SampleColumns();
    this.idleColumns = undefined;
    try {
      scanEncoded(entry.data.chunks, entry.labels, rowsOf(entry), mint, maxt, cols, visit);
    } finally {
      this.idleColumns = cols;
    }
  }

  /** The selector's entry; counts a request beyond the snapshot's range. */
  private entry(matchers: readonly Matcher[], mint: number, maxt: number): SnapshotEntry {
    const entry = this.bySelector.get(matchers);
    if (!entry) throw new Error('selector not in the snapshot');
    if (mint < entry.data.mint || maxt > entry.data.maxt) this.outsideRange++;
    return entry;
  }

  series(): Labels[] {
    throw new Error('a snapshot answers select() and scan() only');
  }
  labelNames(): string[] {
    throw new Error('a snapshot answers select() and scan() only');
  }
  labelValues(): string[] {
    throw new Error('a snapshot answers select() and scan() only');
  }
}

interface SnapshotEntry {
  readonly data: SelectorData;
  readonly labels: Labels[];
  /** the matchers a selector reading a broader one's data has beyond those */
  readonly extra: readonly Matcher[] | undefined;
  /** the rows of data the extra matchers match, found on the first read */
  rows?: readonly number[];
}

/** The rows of an entry's data its selector reads: all (undefined) without extra matchers. */
function rowsOf(entry: SnapshotEntry): readonly number[] | undefined {
  const { labels, extra } = entry;
  if (extra && !entry.rows) {
    const found: number[] = [];
    for (let r = 0; r < labels.length; r++) if (matchesAll(labels[r]!, extra)) found.push(r);
    entry.rows = found;
  }
  return entry.rows;
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
