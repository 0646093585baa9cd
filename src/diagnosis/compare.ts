// Attribute comparison: what sets a selection of spans (the slowest, the failed, a duration band)
// apart from the other spans of the same search. Spans are streamed into SpanColumns (one
// compact column per attribute key, no span objects kept), then every key is scored by how well
// it separates the two groups:
//
// - categorical values: the largest difference in share between the groups over the value
//   groups (each value seen often enough for a share to mean something, and one group for all
//   rare values) among the spans that set the key, less the difference sampling noise alone
//   would give (3.5 standard errors), shrunk by the share of spans whose value is rare, so IDs
//   and timestamps score ~0 however unique they are; or the difference in how often the key is
//   set, whichever is larger;
// - numeric values: the two-sample Kolmogorov–Smirnov D, less its critical value at α = 0.001,
//   or the difference in how often the key is set, whichever is larger.
//
// Scores lie in [0, 1]; 0 means "no evidence of a difference".
import { anyValueToString, type AnyValue, type KeyValue } from '../otlp/model.js';
import type { StoredSpan } from '../traces/storage.js';
import { ksCriticalValue, ksStatistic, quantileSorted } from './stats.js';

export type Selection =
  /** the slowest `percent` of the spans of each operation */
  | { readonly kind: 'slowest'; readonly percent: number }
  | { readonly kind: 'errors' }
  | { readonly kind: 'duration'; readonly minUs: number; readonly maxUs?: number }
  /** a rectangle brushed on the scatter plot: spans starting in [fromUs, toUs] (µs since the
   * epoch) whose duration lies in [minUs, maxUs] */
  | {
      readonly kind: 'region';
      readonly fromUs: number;
      readonly toUs: number;
      readonly minUs: number;
      readonly maxUs?: number;
    };

export interface CategoryShare {
  /** the attribute's value as text; null for the "not set" and "rare values" groups */
  readonly value: string | null;
  readonly label: string;
  readonly selected: number;
  readonly baseline: number;
  readonly selectedShare: number;
  readonly baselineShare: number;
}

export interface HistogramBin {
  readonly from: number;
  readonly to: number;
  readonly selected: number;
  readonly baseline: number;
}

export type Quantiles = Readonly<Record<'p0' | 'p25' | 'p50' | 'p75' | 'p90' | 'p99' | 'p100', number>>;

interface AttributeBase {
  readonly key: string;
  readonly score: number;
  readonly explanation: string;
}
export interface CategoricalComparison extends AttributeBase {
  readonly kind: 'categorical';
  readonly values: readonly CategoryShare[];
}
export interface NumericComparison extends AttributeBase {
  readonly kind: 'numeric';
  /** a histogram of both groups over shared bins (counts per group) */
  readonly values: readonly HistogramBin[];
  /** null for a group where the key is never set */
  readonly quantiles: { readonly selected: Quantiles | null; readonly baseline: Quantiles | null };
}
export type AttributeComparison = CategoricalComparison | NumericComparison;

export interface Comparison {
  readonly selected: number;
  readonly baseline: number;
  readonly attributes: readonly AttributeComparison[];
  /** set when there is nothing to compare (no spans, an empty selection, or everything selected) */
  readonly message?: string;
}

/** Pseudo-attribute for the span name, compared when the search spans several operations. */
export const SPAN_NAME_KEY = 'span.name';
/** standard errors of a share difference that noise may reach (≈ p 0.0005 two-sided) */
const SHARE_NOISE_Z = 3.5;
const KS_ALPHA = 0.001;
const MAX_CATEGORY_ROWS = 12;
/** values seen fewer times than this (fewer still in small searches) are pooled as rare */
const RARE_VALUE_COUNT = 10;
const HISTOGRAM_BINS = 12;

/** id of a text value not interned because its key already has the most distinct values allowed */
const OVERFLOW = -2;
const NUMERIC = -1;
/**
 * Distinct text values interned per key by default; beyond it new values count as rare (the key
 * is an ID by then, and an unbounded map of IDs is what would make a million spans slow).
 */
export const MAX_DISTINCT_VALUES = 50_000;

/** The values one key took, one entry per span where it is set (span index ascending). */
class KeyColumn {
  length = 0;
  spans = new Int32Array(64);
  /** numeric value, or NaN for a text value */
  nums = new Float64Array(64);
  /** the value's id in `values`, NUMERIC for a number, OVERFLOW for a text not interned */
  texts = new Int32Array(64);
  /** this key's distinct text values (interned per key: counting is then by array index) */
  values: string[] = [];
  /** text → id in `values`; rebuilt on first use after a transfer */
  private idMap: Map<string, number> | undefined = new Map<string, number>();
  allNumeric = true;
  lastSpan = -1;

  constructor(private readonly maxDistinct: number) {}

  private get ids(): Map<string, number> {
    this.idMap ??= new Map(this.values.map((v, i) => [v, i]));
    return this.idMap;
  }

  toTransfer(): KeyColumnData {
    return {
      length: this.length,
      spans: this.spans,
      nums: this.nums,
      texts: this.texts,
      values: this.values,
      allNumeric: this.allNumeric,
      lookupsPastCap: this.lookupsPastCap,
      missesPastCap: this.missesPastCap,
    };
  }

  static fromTransfer(d: KeyColumnData, maxDistinct: number): KeyColumn {
    const col = new KeyColumn(maxDistinct);
    col.length = d.length;
    col.spans = d.spans;
    col.nums = d.nums;
    col.texts = d.texts;
    col.values = d.values;
    col.idMap = undefined;
    col.allNumeric = d.allNumeric;
    col.lookupsPastCap = d.lookupsPastCap;
    col.missesPastCap = d.missesPastCap;
    return col;
  }

  push(span: number, num: number, text: number): void {
    if (this.length === this.spans.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
        const next = make(a.length * 2);
        next.set(a);
        return next;
      };
      this.spans = grow(this.spans, (n) => new Int32Array(n));
      this.nums = grow(this.nums, (n) => new Float64Array(n));
      this.texts = grow(this.texts, (n) => new Int32Array(n));
    }
    this.spans[this.length] = span;
    this.nums[this.length] = num;
    this.texts[this.length] = text;
    this.length++;
  }

  /** lookups and misses once the cap is reached; when nearly all miss, lookups stop */
  private lookupsPastCap = 0;
  private missesPastCap = 0;

  intern(text: string): number {
    // a key whose values keep being new past the cap is an ID: every further value is rare
    if (this.missesPastCap >= 10_000 && this.missesPastCap > 0.95 * this.lookupsPastCap) return OVERFLOW;
    let id = this.ids.get(text);
    if (this.values.length >= this.maxDistinct) {
      this.lookupsPastCap++;
      if (id === undefined) this.missesPastCap++;
    }
    if (id === undefined) {
      if (this.values.length >= this.maxDistinct) return OVERFLOW;
      id = this.values.length;
      this.ids.set(text, id);
      this.values.push(text);
    }
    return id;
  }
}

/** One key's column as it crosses to a worker: typed arrays (transferred, not copied) and its texts. */
export interface KeyColumnData {
  readonly length: number;
  readonly spans: Int32Array<ArrayBuffer>;
  readonly nums: Float64Array<ArrayBuffer>;
  readonly texts: Int32Array<ArrayBuffer>;
  readonly values: string[];
  readonly allNumeric: boolean;
  readonly lookupsPastCap: number;
  readonly missesPastCap: number;
}

/** SpanColumns as it crosses to a worker (structured clone; the typed arrays are transferred). */
export interface SpanColumnsData {
  readonly n: number;
  readonly durations: Float64Array<ArrayBuffer>;
  readonly starts: Float64Array<ArrayBuffer>;
  readonly errors: Uint8Array<ArrayBuffer>;
  readonly nameIds: Int32Array<ArrayBuffer>;
  /** the span names, by id */
  readonly names: readonly string[];
  readonly includeSpanName: boolean;
  readonly maxDistinct: number;
  readonly keys: readonly string[];
  readonly columns: readonly KeyColumnData[];
}

/** The buffers of a SpanColumnsData to transfer with it (so they are moved, not copied). */
export function columnsTransferList(d: SpanColumnsData): ArrayBuffer[] {
  const out = [d.durations.buffer, d.starts.buffer, d.errors.buffer, d.nameIds.buffer];
  for (const c of d.columns) out.push(c.spans.buffer, c.nums.buffer, c.texts.buffer);
  return out;
}

export interface SpanColumnsOptions {
  /** compare the span name too (when the search spans several operations); default true */
  readonly includeSpanName?: boolean;
  /** distinct text values interned per key; default MAX_DISTINCT_VALUES */
  readonly maxDistinctValues?: number;
}

/** Streams spans into per-key columns; holds numbers, not span objects. */
export class SpanColumns {
  private durations = new Float64Array(1024);
  /** start times, µs since the epoch (for a brushed region) */
  private starts = new Float64Array(1024);
  private errors = new Uint8Array(1024);
  private n = 0;
  private readonly columns = new Map<string, KeyColumn>();
  /** span name → id, and each span's name id (the slowest are picked per operation) */
  private readonly names = new Map<string, number>();
  private nameIds = new Int32Array(1024);

  private readonly includeSpanName: boolean;
  private readonly maxDistinct: number;

  constructor(opts: SpanColumnsOptions = {}) {
    this.includeSpanName = opts.includeSpanName ?? true;
    this.maxDistinct = opts.maxDistinctValues ?? MAX_DISTINCT_VALUES;
  }

  get size(): number {
    return this.n;
  }

  /**
   * The columns as data for a worker. Its typed arrays are this object's own: once transferred
   * (columnsTransferList), this SpanColumns must not be used again.
   */
  toTransfer(): SpanColumnsData {
    const keys = [...this.columns.keys()];
    return {
      n: this.n,
      durations: this.durations,
      starts: this.starts,
      errors: this.errors,
      nameIds: this.nameIds,
      names: [...this.names.keys()],
      includeSpanName: this.includeSpanName,
      maxDistinct: this.maxDistinct,
      keys,
      columns: keys.map((k) => this.columns.get(k)!.toTransfer()),
    };
  }

  /** The columns again from toTransfer's data (in the worker): compare() answers as the original would. */
  static fromTransfer(d: SpanColumnsData): SpanColumns {
    const c = new SpanColumns({ includeSpanName: d.includeSpanName, maxDistinctValues: d.maxDistinct });
    c.n = d.n;
    c.durations = d.durations;
    c.starts = d.starts;
    c.errors = d.errors;
    c.nameIds = d.nameIds;
    d.names.forEach((name, i) => c.names.set(name, i));
    d.keys.forEach((k, i) => c.columns.set(k, KeyColumn.fromTransfer(d.columns[i]!, d.maxDistinct)));
    return c;
  }

  add(span: StoredSpan): void {
    if (this.n === this.durations.length) {
      const d = new Float64Array(this.n * 2);
      d.set(this.durations);
      this.durations = d;
      const st = new Float64Array(this.n * 2);
      st.set(this.starts);
      this.starts = st;
      const e = new Uint8Array(this.n * 2);
      e.set(this.errors);
      this.errors = e;
      const ids = new Int32Array(this.n * 2);
      ids.set(this.nameIds);
      this.nameIds = ids;
    }
    const i = this.n++;
    this.durations[i] = Math.max(0, (span.endTimeUnixNano - span.startTimeUnixNano) / 1000);
    this.starts[i] = span.startTimeUnixNano / 1000;
    this.errors[i] = span.status.code === 2 ? 1 : 0;
    let nameId = this.names.get(span.name);
    if (nameId === undefined) this.names.set(span.name, (nameId = this.names.size));
    this.nameIds[i] = nameId;
    this.addAll(i, span.attributes);
    this.addAll(i, span.resource.attributes);
    for (const e of span.events) this.addAll(i, e.attributes);
    if (this.includeSpanName) {
      this.addValue(i, SPAN_NAME_KEY, { kind: 'string', value: span.name });
    }
  }

  private addAll(i: number, kvs: readonly KeyValue[]): void {
    for (const kv of kvs) this.addValue(i, kv.key, kv.value);
  }

  private addValue(i: number, key: string, value: AnyValue): void {
    let col = this.columns.get(key);
    if (!col) this.columns.set(key, (col = new KeyColumn(this.maxDistinct)));
    if (col.lastSpan === i) return; // the first value of a key on a span counts (span, then resource, then events)
    col.lastSpan = i;
    const num =
      value.kind === 'int'
        ? Number(value.value)
        : value.kind === 'double' && Number.isFinite(value.value)
          ? value.value
          : NaN;
    if (!Number.isNaN(num)) {
      col.push(i, num, NUMERIC);
      return;
    }
    col.allNumeric = false;
    col.push(i, NaN, col.intern(anyValueToString(value)));
  }

  /** Which spans a selection picks (1 = selected). */
  select(sel: Selection): Uint8Array {
    const n = this.n;
    const out = new Uint8Array(n);
    const dur = this.durations.subarray(0, n);
    if (sel.kind === 'errors') {
      out.set(this.errors.subarray(0, n));
    } else if (sel.kind === 'duration') {
      const max = sel.maxUs ?? Infinity;
      for (let i = 0; i < n; i++) out[i] = dur[i]! >= sel.minUs && dur[i]! <= max ? 1 : 0;
    } else if (sel.kind === 'region') {
      const max = sel.maxUs ?? Infinity;
      const st = this.starts;
      for (let i = 0; i < n; i++)
        out[i] = st[i]! >= sel.fromUs && st[i]! <= sel.toUs && dur[i]! >= sel.minUs && dur[i]! <= max ? 1 : 0;
    } else if (n > 0) {
      // the slowest of each operation: a search over several operations compares slow spans
      // with ordinary ones of the same kind, not slow operations with fast ones (whose
      // attributes differ for reasons that have nothing to do with slowness)
      const byName: number[][] = Array.from({ length: this.names.size }, () => []);
      for (let i = 0; i < n; i++) byName[this.nameIds[i]!]!.push(dur[i]!);
      const thresholds = byName.map((ds) => {
        const k = Math.round((ds.length * sel.percent) / 100);
        return k === 0 ? Infinity : Float64Array.from(ds).sort()[ds.length - k]!;
      });
      let picked = 0;
      for (let i = 0; i < n; i++) {
        out[i] = dur[i]! >= thresholds[this.nameIds[i]!]! ? 1 : 0;
        picked += out[i]!;
      }
      if (picked === 0) {
        // every operation too small for its share: the slowest spans overall
        const k = Math.max(1, Math.round((n * sel.percent) / 100));
        const threshold = Float64Array.from(dur).sort()[n - k]!;
        for (let i = 0; i < n; i++) out[i] = dur[i]! >= threshold ? 1 : 0;
      }
    }
    return out;
  }

  /** Compares every key between the selected spans and the rest. */
  compare(sel: Selection): Comparison {
    const picked = this.select(sel);
    let selected = 0;
    for (let i = 0; i < this.n; i++) selected += picked[i]!;
    const baseline = this.n - selected;
    const empty = (message: string): Comparison => ({ selected, baseline, attributes: [], message });
    if (this.n === 0) return empty('no spans match this search in this time window');
    if (selected === 0) return empty('the selection is empty: no span of this search matches it');
    if (baseline === 0)
      return empty('the selection holds every span of this search: there is nothing to compare it with');
    const attributes: AttributeComparison[] = [];
    for (const [key, col] of this.columns) {
      if (key === SPAN_NAME_KEY && this.names.size < 2) continue;
      attributes.push(
        col.allNumeric
          ? compareNumeric(key, col, picked, selected, baseline)
          : compareCategorical(key, col, picked, selected, baseline),
      );
    }
    attributes.sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { selected, baseline, attributes };
  }
}

/** The share difference a pooled share p could show by chance between groups of n and m. */
function shareNoise(countSel: number, countBase: number, n: number, m: number): number {
  const p = (countSel + countBase) / (n + m);
  return SHARE_NOISE_Z * Math.sqrt(p * (1 - p) * (1 / n + 1 / m));
}

function percent(share: number): string {
  const p = share * 100;
  return p > 0 && p < 1 ? '<1%' : p < 100 && p > 99 ? '>99%' : `${Math.round(p)}%`;
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** One value group of a categorical key. */
interface Row {
  readonly value: string | null;
  readonly label: string;
  readonly sel: number;
  readonly base: number;
  /** the "(not set)" group */
  readonly absent: boolean;
}

function compareCategorical(
  key: string,
  col: KeyColumn,
  picked: Uint8Array,
  n: number,
  m: number,
): CategoricalComparison {
  // numbers of a mixed key count as their text
  for (let k = 0; k < col.length; k++) if (col.texts[k] === NUMERIC) col.texts[k] = col.intern(String(col.nums[k]));
  const countSel = new Int32Array(col.values.length);
  const countBase = new Int32Array(col.values.length);
  const overflow = { sel: 0, base: 0 };
  for (let k = 0; k < col.length; k++) {
    const id = col.texts[k]!;
    const isSel = picked[col.spans[k]!] === 1;
    if (id === OVERFLOW) {
      if (isSel) overflow.sel++;
      else overflow.base++;
    } else if (isSel) countSel[id]++;
    else countBase[id]++;
  }
  let presentSel = overflow.sel;
  // a value seen this rarely is pooled: its share is too small for the noise margin's normal
  // approximation (a request ID on two spans of one slow request would otherwise score)
  const rareBelow = Math.min(RARE_VALUE_COUNT, Math.max(2, Math.ceil((n + m) / 100)));
  let rareValues = 0;
  const rare = { ...overflow };
  const rows: Row[] = [];
  for (let v = 0; v < col.values.length; v++) {
    const sel = countSel[v]!;
    const base = countBase[v]!;
    presentSel += sel;
    if (sel + base < rareBelow) {
      rare.sel += sel;
      rare.base += base;
      rareValues++;
    } else rows.push({ value: col.values[v]!, label: col.values[v]!, sel, base, absent: false });
  }
  const present = col.length;
  const absent = { sel: n - presentSel, base: m - (present - presentSel) };
  if (rare.sel + rare.base > 0) {
    const more = overflow.sel + overflow.base > 0 ? '+' : '';
    const label =
      rareBelow === 2
        ? `(${rareValues}${more} values seen once)`
        : `(${rareValues}${more} values seen fewer than ${rareBelow} times)`;
    rows.push({ value: null, label, sel: rare.sel, base: rare.base, absent: false });
  }
  if (absent.sel + absent.base > 0)
    rows.push({ value: null, label: '(not set)', sel: absent.sel, base: absent.base, absent: true });

  // values are compared among the spans where the key is set (a key only some operations set
  // is not diluted by the others); whether it is set is compared over all spans
  const presentBase = present - presentSel;
  const uniqueShare = present === 0 ? 0 : (rare.sel + rare.base) / present;
  const shareOf = (r: Row): { sel: number; base: number; excess: number } => {
    const [ns, nb] = r.absent ? [n, m] : [presentSel, presentBase];
    if (ns === 0 || nb === 0) return { sel: r.sel / n, base: r.base / m, excess: 0 };
    const excess = Math.max(0, Math.abs(r.sel / ns - r.base / nb) - shareNoise(r.sel, r.base, ns, nb));
    return { sel: r.sel / ns, base: r.base / nb, excess: r.absent ? excess : excess * (1 - uniqueShare) };
  };
  let best: Row | undefined;
  let bestExcess = 0;
  const excessOf = new Map<Row, number>();
  for (const r of rows) {
    const shares = shareOf(r);
    const excess = shares.excess;
    excessOf.set(r, excess);
    // of two values that separate equally (true and false), name the one the selection has more of
    const tie = best !== undefined && Math.abs(excess - bestExcess) < 1e-9 && shares.sel > shares.base;
    if (excess > bestExcess + 1e-9 || (tie && excess > 0)) {
      bestExcess = excess;
      best = r;
    }
  }
  const score = round(bestExcess);
  rows.sort(
    (a, b) =>
      excessOf.get(b)! - excessOf.get(a)! ||
      Math.abs(b.sel / n - b.base / m) - Math.abs(a.sel / n - a.base / m) ||
      b.sel + b.base - (a.sel + a.base),
  );
  const values: CategoryShare[] = rows.slice(0, MAX_CATEGORY_ROWS).map((r) => ({
    value: r.value,
    label: r.label,
    selected: r.sel,
    baseline: r.base,
    selectedShare: round(r.sel / n),
    baselineShare: round(r.base / m),
  }));

  let explanation: string;
  if (best === undefined) {
    explanation = `No value of ${key} is more or less common among the selected spans than among the others beyond what chance gives.`;
  } else {
    const shares = shareOf(best);
    const chance = ' (the score is that difference less what chance alone could give).';
    if (best.absent) {
      explanation = `${key} is set on ${percent(1 - shares.sel)} of the selected spans against ${percent(1 - shares.base)} of the others${chance}`;
    } else {
      const what = best.value === null ? best.label : `${key}=${best.value}`;
      const where = present < n + m ? ' where it is set' : '';
      explanation = `${what} is on ${percent(shares.sel)} of the selected spans${where} against ${percent(shares.base)} of the others${chance}`;
    }
  }
  if (uniqueShare >= 0.2) {
    explanation += ` ${percent(uniqueShare)} of the spans that set it have a rare value (an ID or a timestamp?), so the score of its values is reduced by that share.`;
  }
  return { key, kind: 'categorical', score, explanation, values };
}

function quantilesOf(sorted: Float64Array): Quantiles | null {
  if (sorted.length === 0) return null;
  const q = (p: number): number => round(quantileSorted(sorted, p)!, 6);
  return { p0: q(0), p25: q(0.25), p50: q(0.5), p75: q(0.75), p90: q(0.9), p99: q(0.99), p100: q(1) };
}

function histogram(sel: Float64Array, base: Float64Array): HistogramBin[] {
  const lo = Math.min(sel[0] ?? Infinity, base[0] ?? Infinity);
  const hi = Math.max(sel[sel.length - 1] ?? -Infinity, base[base.length - 1] ?? -Infinity);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) return [{ from: lo, to: hi, selected: sel.length, baseline: base.length }];
  // logarithmic bins when the values are positive and span more than two decades
  const log = lo > 0 && hi / lo > 100;
  const edge = (k: number): number =>
    log ? lo * (hi / lo) ** (k / HISTOGRAM_BINS) : lo + ((hi - lo) * k) / HISTOGRAM_BINS;
  const bins: { from: number; to: number; selected: number; baseline: number }[] = [];
  for (let k = 0; k < HISTOGRAM_BINS; k++)
    bins.push({ from: round(edge(k), 6), to: round(edge(k + 1), 6), selected: 0, baseline: 0 });
  const binOf = (x: number): number => {
    const f = log ? Math.log(x / lo) / Math.log(hi / lo) : (x - lo) / (hi - lo);
    return Math.min(HISTOGRAM_BINS - 1, Math.max(0, Math.floor(f * HISTOGRAM_BINS)));
  };
  for (const x of sel) bins[binOf(x)]!.selected++;
  for (const x of base) bins[binOf(x)]!.baseline++;
  return bins;
}

function compareNumeric(key: string, col: KeyColumn, picked: Uint8Array, n: number, m: number): NumericComparison {
  let nSel = 0;
  for (let k = 0; k < col.length; k++) nSel += picked[col.spans[k]!]!;
  const sel = new Float64Array(nSel);
  const base = new Float64Array(col.length - nSel);
  let a = 0;
  let b = 0;
  for (let k = 0; k < col.length; k++) {
    if (picked[col.spans[k]!]) sel[a++] = col.nums[k]!;
    else base[b++] = col.nums[k]!;
  }
  sel.sort();
  base.sort();
  const d = ksStatistic(sel, base);
  const ksExcess =
    sel.length > 0 && base.length > 0 ? Math.max(0, d - ksCriticalValue(sel.length, base.length, KS_ALPHA)) : 0;
  const absSel = n - sel.length;
  const absBase = m - base.length;
  const presenceExcess = Math.max(0, Math.abs(absSel / n - absBase / m) - shareNoise(absSel, absBase, n, m));
  const score = round(Math.max(ksExcess, presenceExcess));
  const qs = quantilesOf(sel);
  const qb = quantilesOf(base);

  let explanation: string;
  if (presenceExcess > ksExcess) {
    explanation = `${key} is set on ${percent(sel.length / n)} of the selected spans against ${percent(base.length / m)} of the others.`;
  } else if (qs && qb) {
    explanation =
      `The median of ${key} is ${fmt(qs.p50)} among the selected spans against ${fmt(qb.p50)} among the others;` +
      ` the two distributions differ by at most ${percent(d)} of the spans (Kolmogorov–Smirnov D = ${round(d, 3)}` +
      `${ksExcess === 0 ? ', within what chance gives' : ', score = D less what chance gives'}).`;
  } else {
    explanation = `${key} is set only in one group, too rarely to compare.`;
  }
  return {
    key,
    kind: 'numeric',
    score,
    explanation,
    values: histogram(sel, base),
    quantiles: { selected: qs, baseline: qb },
  };
}

function fmt(x: number): string {
  return Math.abs(x) >= 1e6 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(3) : String(round(x, 3));
}
