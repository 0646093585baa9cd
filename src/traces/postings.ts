// The search index: term → the traces (by ordinal, in arrival order) that hold a span with that
// term. Terms are hashed (service, service+operation, service+duration class, key=value text,
// Jaeger's derived tags) and every candidate is checked against the stored spans, so a hash
// collision costs time, never a wrong answer. Entries are per trace, not per span (a repeat of
// the last entry is skipped), which keeps the index to a few bytes per span.
//
// Storage per term grows with use: an entry in a table of one-trace terms (single-terms.ts: most
// high-cardinality values), then a small JS array, then chunks of varint differences (Posting).
//
// Results must come newest first by trace start, but entries are in arrival order. Long lists
// therefore keep, per chunk of CHUNK entries, an upper bound of the trace starts in it and the
// running maximum of those bounds: walking back from the newest chunk, once `limit` traces
// have been found whose starts are all at or above that running maximum, no older entry can
// beat them and the walk stops.

import { CLAIMED_DROPPED, CLAIMED_NEW, SingleTerms } from './single-terms.js';

export const CHUNK = 256;
const SMALL_MAX = 24;

/**
 * A long list: per chunk of CHUNK entries, its first ordinal as a number and the others as
 * zigzag varint differences from the entry before (lists are nearly in arrival order, so most
 * differences take one byte, where an ordinal took four).
 */
export class Posting {
  /** up to SMALL_MAX entries: plain ordinals */
  small: number[] | undefined;
  /** beyond: the chunks' varint bytes, back to back (undefined while small) */
  bytes: Uint8Array | undefined;
  /** bytes of `bytes` in use */
  used = 0;
  /** per chunk: its first ordinal, and where its other entries' bytes begin */
  chunkFirst: number[] | undefined;
  chunkAt: number[] | undefined;
  /** the newest entry (a repeat of it is skipped) */
  last: number;
  len = 0;
  /** entries before head belong to dropped traces */
  head = 0;
  /** where entry `head` begins in bytes (when it is not a chunk's first), and the entry before it */
  headAt = 0;
  headPrev = 0;
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
    this.last = second;
  }

  get live(): number {
    return this.len - this.head;
  }

  /** Chunks of a big list. */
  get chunks(): number {
    return this.chunkFirst?.length ?? 0;
  }

  /** The ordinal at i (for tests and the rare single read: it decodes i's chunk up to i). */
  ordAt(i: number): number {
    if (this.small) return this.small[i]!;
    const c = Math.floor(i / CHUNK);
    const n = i - c * CHUNK + 1;
    const out = n <= scratch.length ? scratch : new Float64Array(n);
    this.decodeChunk(c, out, n);
    return out[n - 1]!;
  }

  /**
   * Writes the first n entries of big chunk c to out (n at most the chunk's entries); returns n.
   * The inner loop of searches over long lists.
   */
  decodeChunk(c: number, out: Float64Array, n = Math.min(CHUNK, this.len - c * CHUNK)): number {
    const bytes = this.bytes!;
    let at = this.chunkAt![c]!;
    let v = this.chunkFirst![c]!;
    out[0] = v;
    for (let k = 1; k < n; k++) {
      let b = bytes[at++]!;
      let z = b & 127;
      for (let scale = 128; b >= 128; scale *= 128) {
        b = bytes[at++]!;
        z += (b & 127) * scale;
      }
      v += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      out[k] = v;
    }
    return n;
  }

  /** Appends ord; returns the bytes the list's storage grew by. */
  push(ord: number): number {
    let grewBy = 0;
    if (this.small) {
      if (this.len < SMALL_MAX) {
        this.small.push(ord);
        this.len++;
        this.last = ord;
        return 0;
      }
      const entries = this.small;
      this.small = undefined;
      this.bytes = new Uint8Array(SMALL_MAX * 4);
      grewBy = this.bytes.byteLength;
      this.chunkFirst = [];
      this.chunkAt = [];
      this.used = 0;
      this.len = 0;
      // head keeps its entry; advanceHead resumes at the bytes where that entry begins
      const head = this.head;
      for (let k = 0; k < entries.length; k++) {
        if (k === head) this.placeHead(entries[k - 1]);
        this.pushBig(entries[k]!);
      }
      if (head === entries.length) this.placeHead(entries[head - 1]);
    }
    return grewBy + this.pushBig(ord);
  }

  /** Where advanceHead resumes: the next entry's bytes begin at `used`, after `prev` (none: a chunk's first). */
  private placeHead(prev: number | undefined): void {
    this.headAt = this.used;
    this.headPrev = prev ?? 0;
  }

  private pushBig(ord: number): number {
    const i = this.len++;
    const prev = this.last;
    this.last = ord;
    if (i % CHUNK === 0) {
      this.chunkFirst!.push(ord);
      this.chunkAt!.push(this.used);
      return 0;
    }
    const d = ord - prev;
    let z = d >= 0 ? 2 * d : -2 * d - 1;
    let grewBy = 0;
    if (this.used + 8 > this.bytes!.length) {
      // by a quarter, not double: the lists are most of the index, and the slack of doubling
      // (a third of their bytes on average) costs more than the extra copies
      const old = this.bytes!;
      const next = new Uint8Array(Math.ceil((old.length * 1.25 + 8) / 16) * 16);
      next.set(old.subarray(0, this.used));
      this.bytes = next;
      grewBy = next.byteLength - old.byteLength;
    }
    const bytes = this.bytes!;
    while (z >= 128) {
      bytes[this.used++] = (z % 128) | 128;
      z = Math.floor(z / 128);
    }
    bytes[this.used++] = z;
    return grewBy;
  }

  /**
   * Moves head past the entries below firstLive at the front of the list; returns how many it
   * passed. One varint read per entry from where the last call stopped.
   */
  advanceHead(firstLive: number): number {
    const from = this.head;
    if (this.small) {
      while (this.head < this.len && this.small[this.head]! < firstLive) this.head++;
      return this.head - from;
    }
    const bytes = this.bytes!;
    let h = this.head;
    let at = this.headAt;
    let prev = this.headPrev;
    while (h < this.len) {
      let v: number;
      if (h % CHUNK === 0) {
        v = this.chunkFirst![h / CHUNK]!;
        at = this.chunkAt![h / CHUNK]!;
      } else {
        let b = bytes[at++]!;
        let z = b & 127;
        for (let scale = 128; b >= 128; scale *= 128) {
          b = bytes[at++]!;
          z += (b & 127) * scale;
        }
        v = prev + (z % 2 === 0 ? z / 2 : -(z + 1) / 2);
      }
      if (v >= firstLive) break;
      // past this entry: the next one's bytes begin at `at`
      prev = v;
      h++;
      this.headAt = at;
      this.headPrev = prev;
    }
    this.head = h;
    return h - from;
  }

  /**
   * Drops the dead prefix once it is at least half the list: whole chunks of a list with chunk
   * bounds (so bounds stay aligned), else the list is written anew from head. Returns the bytes
   * the storage changed by.
   */
  compact(): number {
    const cut = this.maxStart ? Math.floor(this.head / CHUNK) * CHUNK : this.head;
    if (cut === 0 || cut * 2 < this.len) return 0;
    if (this.small) {
      this.small.splice(0, cut);
      this.len -= cut;
      this.head -= cut;
      return 0;
    }
    const old = this.bytes!;
    if (!this.maxStart) {
      // one chunk at most: decode the live entries and encode them again
      const n = this.len - this.head;
      const live = new Float64Array(this.len);
      this.decodeChunk(0, live, this.len);
      this.bytes = new Uint8Array(Math.max(64, Math.ceil((n * 2) / 16) * 16));
      this.chunkFirst = [];
      this.chunkAt = [];
      this.used = 0;
      this.len = 0;
      this.head = 0;
      this.headAt = 0;
      this.headPrev = 0;
      for (let k = cut; k < cut + n; k++) this.pushBig(live[k]!);
      return this.bytes.byteLength - old.byteLength;
    }
    const k = cut / CHUNK;
    const from = this.chunkAt![k]!;
    const remaining = this.used - from;
    let delta = 0;
    if (old.length > 256 && remaining * 4 <= old.length) {
      // shrink: give memory back once the list is a quarter of its capacity
      const next = new Uint8Array(Math.max(64, Math.ceil((remaining * 2) / 16) * 16));
      next.set(old.subarray(from, this.used));
      this.bytes = next;
      delta = next.byteLength - old.byteLength;
    } else {
      old.copyWithin(0, from, this.used);
    }
    this.used = remaining;
    this.chunkFirst!.splice(0, k);
    this.chunkAt!.splice(0, k);
    for (let c = 0; c < this.chunkAt!.length; c++) this.chunkAt![c] -= from;
    if (this.head % CHUNK !== 0) this.headAt -= from;
    this.len -= cut;
    this.head -= cut;
    this.maxStart.splice(0, k);
    this.prefMaxStart!.splice(0, k);
    this.minSpan!.splice(0, k);
    this.maxSpan!.splice(0, k);
    this.prefMaxSpan!.splice(0, k);
    return delta;
  }
}

/** chunk decoding scratch for ordAt */
const scratch = new Float64Array(CHUNK);

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
  /** bytes of the long lists' byte arrays (their capacity) */
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
    if (n > cur.head && cur.last === ord) {
      if (cur.minSpan) this.widenChunk(cur, Math.floor((n - 1) / CHUNK), spanMin, spanMax);
      return false;
    }
    this.bigBytes += cur.push(ord);
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
    const ords = new Float64Array(CHUNK);
    for (let c = 0; c < p.chunks; c++) {
      let m = -Infinity;
      for (let j = 0, n = p.decodeChunk(c, ords); j < n; j++) m = Math.max(m, this.traceStartOf(ords[j]!));
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
   * Removes entries of dropped traces (ordinal < firstLive) from the front of the lists, visiting at most `budget` terms from where the last sweep stopped, so the cost is
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
      this.entries -= cur.advanceHead(firstLive);
      if (cur.head === cur.len) {
        this.map.delete(term);
        this.postings--;
        if (cur.bytes) this.bigBytes -= cur.bytes.byteLength;
        continue;
      }
      this.bigBytes += cur.compact();
    }
  }
}
