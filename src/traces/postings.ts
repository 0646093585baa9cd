// The search index: term → the traces (by ordinal, in arrival order) that hold a span with that
// term. Terms are hashed (service, service+operation, service+duration class, key=value text,
// Jaeger's derived tags) and every candidate is checked against the stored spans, so a hash
// collision costs time, never a wrong answer. Entries are per trace, not per span (a repeat of
// the last entry is skipped), which keeps the index to a few bytes per span.
//
// Storage per term grows with use: an entry in a table of one-trace terms (single-terms.ts: most
// high-cardinality values), then a small JS array, then a Uint32Array holding ordinals modulo 2^32 (decoded against the
// oldest live ordinal: the live range is far below 2^32, and the sweep removes dead entries long
// before they could alias).
//
// Results must come newest first by trace start, but entries are in arrival order. Long lists
// therefore keep, per chunk of CHUNK entries, an upper bound of the trace starts in it and the
// running maximum of those bounds: walking back from the newest chunk, once `limit` traces
// have been found whose starts are all at or above that running maximum, no older entry can
// beat them and the walk stops.

import { CLAIMED_DROPPED, CLAIMED_NEW, SingleTerms } from './single-terms.js';

export const CHUNK = 256;
const SMALL_MAX = 24;

export class Posting {
  /** up to SMALL_MAX entries: plain ordinals */
  small: number[] | undefined;
  /** beyond: ordinals modulo 2^32 */
  big: Uint32Array | undefined;
  len = 0;
  /** entries before head belong to dropped traces */
  head = 0;
  /** per chunk (big lists past CHUNK entries): an upper bound of trace starts (ns), and its prefix maximum */
  maxStart: number[] | undefined;
  prefMaxStart: number[] | undefined;
  /** per chunk: span start bounds (ns) of the spans that put entries there, and the prefix maximum */
  minSpan: number[] | undefined;
  maxSpan: number[] | undefined;
  prefMaxSpan: number[] | undefined;

  constructor(first: number, second: number) {
    this.small = [first, second];
    this.len = 2;
  }

  get live(): number {
    return this.len - this.head;
  }

  /** The ordinal at i, given the oldest live ordinal (for decoding the modulo form). */
  ordAt(i: number, firstLive: number): number {
    if (this.small) return this.small[i]!;
    return firstLive + ((this.big![i]! - firstLive) >>> 0);
  }
}

export type TraceStartOf = (ord: number) => number;

export class TermIndex {
  /** terms of more than one trace */
  readonly map = new Map<number, Posting>();
  /** terms of one trace so far (most of them: values unique to a trace) */
  readonly singles = new SingleTerms();
  private sweepIter: Iterator<[number, Posting]> | undefined;
  /** entries held, live or not yet swept */
  entries = 0;
  postings = 0;
  /** bytes of the Uint32Array capacity held */
  bigBytes = 0;
  /** the oldest live ordinal, kept current by the store */
  firstLive = 0;

  constructor(private readonly traceStartOf: TraceStartOf) {}

  /**
   * Records that trace `ord` (current start traceStart) has spans with `term` starting from
   * spanMin to spanMax (one record's spans). Returns true when an entry was added.
   */
  add(term: number, ord: number, traceStart: number, spanMin: number, spanMax: number): boolean {
    const cur = this.map.get(term);
    if (cur === undefined) {
      const single = this.singles.claim(term, ord, this.firstLive);
      if (single === ord) return false;
      // a dropped trace's entry taken over in place is one entry still (the sweep never sees it)
      if (single === CLAIMED_DROPPED) return true;
      if (single !== CLAIMED_NEW) {
        this.singles.delete(term);
        this.map.set(term, new Posting(single, ord));
        this.postings++;
      }
      this.entries++;
      return true;
    }
    const n = cur.len;
    if (n > cur.head && cur.ordAt(n - 1, this.firstLive) === ord) {
      if (cur.minSpan) this.widenChunk(cur, Math.floor((n - 1) / CHUNK), spanMin, spanMax);
      return false;
    }
    this.push(cur, ord);
    this.entries++;
    if (cur.maxStart) this.extendBounds(cur, n, traceStart, spanMin, spanMax);
    else if (cur.len > CHUNK) this.buildBounds(cur);
    return true;
  }

  /** The traces holding term: a posting list, the one trace's ordinal, or undefined for none live. */
  get(term: number): number | Posting | undefined {
    return this.map.get(term) ?? this.singles.get(term, this.firstLive);
  }

  /** Terms held (one-trace terms of dropped traces included until swept). */
  get terms(): number {
    return this.map.size + this.singles.size;
  }

  private push(p: Posting, ord: number): void {
    if (p.small) {
      if (p.len < SMALL_MAX) {
        p.small.push(ord);
        p.len++;
        return;
      }
      const big = new Uint32Array(SMALL_MAX * 4);
      for (let i = 0; i < p.len; i++) big[i] = p.small[i]!;
      p.big = big;
      p.small = undefined;
      this.bigBytes += big.byteLength;
    }
    let big = p.big!;
    if (p.len === big.length) {
      // by a quarter, not double: the lists are most of the index, and the slack of doubling
      // (a third of their bytes on average) costs more than the extra copies
      const next = new Uint32Array(Math.ceil((big.length * 1.25) / 16) * 16);
      next.set(big);
      this.bigBytes += next.byteLength - big.byteLength;
      p.big = big = next;
    }
    big[p.len++] = ord;
  }

  private widenChunk(p: Posting, c: number, spanMin: number, spanMax: number): void {
    if (spanMin < p.minSpan![c]!) p.minSpan![c] = spanMin;
    if (spanMax > p.maxSpan![c]!) {
      p.maxSpan![c] = spanMax;
      const prev = c > 0 ? p.prefMaxSpan![c - 1]! : -Infinity;
      p.prefMaxSpan![c] = Math.max(prev, spanMax);
    }
  }

  private extendBounds(p: Posting, index: number, traceStart: number, spanMin: number, spanMax: number): void {
    const c = Math.floor(index / CHUNK);
    const maxStart = p.maxStart!;
    if (c === maxStart.length) {
      const prevStart = c > 0 ? p.prefMaxStart![c - 1]! : -Infinity;
      const prevSpan = c > 0 ? p.prefMaxSpan![c - 1]! : -Infinity;
      maxStart.push(traceStart);
      p.prefMaxStart!.push(Math.max(prevStart, traceStart));
      p.minSpan!.push(spanMin);
      p.maxSpan!.push(spanMax);
      p.prefMaxSpan!.push(Math.max(prevSpan, spanMax));
      return;
    }
    if (traceStart > maxStart[c]!) {
      maxStart[c] = traceStart;
      const prev = c > 0 ? p.prefMaxStart![c - 1]! : -Infinity;
      p.prefMaxStart![c] = Math.max(prev, traceStart);
    }
    this.widenChunk(p, c, spanMin, spanMax);
  }

  /** Bounds for a list that just grew long: trace starts as they are now (they only ever decrease). */
  private buildBounds(p: Posting): void {
    p.maxStart = [];
    p.prefMaxStart = [];
    p.minSpan = [];
    p.maxSpan = [];
    p.prefMaxSpan = [];
    let pref = -Infinity;
    for (let i = 0; i < p.len; i += CHUNK) {
      let m = -Infinity;
      for (let j = i; j < Math.min(i + CHUNK, p.len); j++)
        m = Math.max(m, this.traceStartOf(p.ordAt(j, this.firstLive)));
      pref = Math.max(pref, m);
      p.maxStart.push(m);
      p.prefMaxStart.push(pref);
      // the span starts of these entries are not known any more: no window pruning for them
      p.minSpan.push(-Infinity);
      p.maxSpan.push(Infinity);
      p.prefMaxSpan.push(Infinity);
    }
  }

  /**
   * Removes entries of dropped traces (ordinal < firstLive, or beyond the live range in modulo
   * form), visiting at most `budget` terms from where the last sweep stopped, so the cost is
   * spread over ingest.
   */
  sweep(nextOrd: number, budget: number): void {
    const firstLive = this.firstLive;
    const liveCount = nextOrd - firstLive;
    if (this.singles.size > 0) this.entries -= this.singles.sweep(firstLive, liveCount, budget);
    if (this.map.size === 0) return;
    let visited = 0;
    while (visited < budget) {
      if (!this.sweepIter) this.sweepIter = this.map.entries();
      const step = this.sweepIter.next();
      if (step.done) {
        this.sweepIter = undefined;
        return;
      }
      visited++;
      const [term, cur] = step.value;
      let h = cur.head;
      if (cur.small) while (h < cur.len && cur.small[h]! < firstLive) h++;
      else while (h < cur.len && (cur.big![h]! - firstLive) >>> 0 >= liveCount) h++;
      this.entries -= h - cur.head;
      cur.head = h;
      if (h === cur.len) {
        this.map.delete(term);
        this.postings--;
        if (cur.big) this.bigBytes -= cur.big.byteLength;
        continue;
      }
      this.compact(cur);
    }
  }

  /** Drops the dead prefix once it is at least half the list (whole chunks only, so bounds stay aligned). */
  private compact(p: Posting): void {
    const cut = p.maxStart ? Math.floor(p.head / CHUNK) * CHUNK : p.head;
    if (cut === 0 || cut * 2 < p.len) return;
    if (p.small) {
      p.small.splice(0, cut);
    } else {
      const big = p.big!;
      const remaining = p.len - cut;
      if (big.length > 64 && remaining * 4 <= big.length) {
        // shrink: give memory back once the list is a quarter of its capacity
        const next = new Uint32Array(Math.max(64, remaining * 2));
        next.set(big.subarray(cut, p.len));
        this.bigBytes += next.byteLength - big.byteLength;
        p.big = next;
      } else {
        big.copyWithin(0, cut, p.len);
      }
    }
    p.len -= cut;
    p.head -= cut;
    if (p.maxStart) {
      const k = cut / CHUNK;
      p.maxStart.splice(0, k);
      p.prefMaxStart!.splice(0, k);
      p.minSpan!.splice(0, k);
      p.maxSpan!.splice(0, k);
      p.prefMaxSpan!.splice(0, k);
    }
  }
}
