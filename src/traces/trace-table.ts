// The trace table: one row per trace, in typed-array columns indexed by arrival ordinal (ord -
// base). Traces are dropped strictly in arrival order, so "dropped" is just `ord < firstLive`;
// the dead prefix is cut off (amortised) when the table would otherwise grow.
//
// Trace IDs are a column of four words a row (16 bytes, where a JS string and its Map entry took
// ~100). They are found by a 30-bit hash of those words in the index's open-addressing table of
// one-trace terms (single-terms.ts), each hit checked against the row's words; the rare ID whose
// hash a live trace of another ID holds goes in a small Map instead.
//
// Columns are public for the readers' inner loops; they are replaced when the table grows, so
// read them through the table each time rather than keeping a column across an append.

import { hexWord, traceIdHex } from './arena.js';
import { grown } from './grown.js';
import { mix } from './intern.js';
import { SingleTerms } from './single-terms.js';

/** A trace ID's 30-bit hash, from its four words at u32[o..o+4]. */
export function traceIdHash(u32: Uint32Array, o: number): number {
  return mix(mix(mix(u32[o]!, u32[o + 1]!), u32[o + 2]!), u32[o + 3]!);
}

export class TraceTable {
  /** trace ID hash → the ordinal of the live trace holding it */
  private readonly byHash = new SingleTerms();
  /** IDs whose hash another live trace's ID holds in byHash */
  private readonly collided = new Map<string, number>();
  /** ordinal of slot 0 */
  base = 0;
  /** oldest live ordinal */
  firstLive = 0;
  /** ordinal the next new trace gets */
  nextOrd = 0;
  private cap = 0;
  /** per slot, the trace ID's four words at 4 * slot */
  private ids = new Uint32Array(0);
  /** a trace ID given as a string, parsed */
  private readonly idScratch = new Uint32Array(4);
  /** earliest span start, ns */
  start = new Float64Array(0);
  /** latest span end, ns */
  end = new Float64Array(0);
  /** latest span start, ns */
  maxSpanStart = new Float64Array(0);
  /** the longest span's duration, µs (a minDuration search skips a trace below it without reading its spans) */
  maxDurUs = new Float64Array(0);
  /** ref of the newest record (-1 before the first) */
  lastRef = new Float64Array(0);
  /** wall clock ms when the trace was first seen (for retention) */
  firstSeen = new Float64Array(0);
  spans = new Uint32Array(0);
  /** index entries the trace added (for accounting) */
  entries = new Uint32Array(0);
  /** per trace: the last search generation that checked it (dedupes candidates) */
  private checked = new Uint32Array(0);
  private gen = 0;

  constructor(initialCapacity = 1024) {
    this.grow(initialCapacity);
  }

  /** Live traces. */
  get size(): number {
    return this.nextOrd - this.firstLive;
  }

  /** Capacity in rows. */
  get capacity(): number {
    return this.cap;
  }

  /** Bytes held: the columns' capacity, the ID hash table, and ~100 per collided ID (string, Map entry). */
  get bytes(): number {
    return this.cap * (8 * 6 + 4 * 3 + 16) + this.byHash.bytes + this.collided.size * 100;
  }

  /** The live trace with the 32-hex-digit ID traceId. */
  ordOf(traceId: string): number | undefined {
    return this.ordOfWords(this.parse(traceId), 0);
  }

  /** The live trace whose ID is the four words at u32[o..o+4] (as a record holds it). */
  ordOfWords(u32: Uint32Array, o: number): number | undefined {
    const ord = this.byHash.get(traceIdHash(u32, o), this.firstLive);
    if (ord !== undefined && this.holds(ord, u32, o)) return ord;
    return this.collided.size === 0 ? undefined : this.collided.get(traceIdHex(u32, o));
  }

  idOf(ord: number): string {
    return traceIdHex(this.ids, 4 * (ord - this.base));
  }

  isLive(ord: number): boolean {
    return ord >= this.firstLive && ord < this.nextOrd;
  }

  /** A new empty row for the 32-hex-digit ID traceId; returns its ordinal. */
  add(traceId: string, now: number): number {
    return this.addWords(this.parse(traceId), 0, now);
  }

  /**
   * A new empty row for the ID at u32[o..o+4]; returns its ordinal. A live trace of the same ID
   * (a record that begins it again, read after a restart) is no longer found by it.
   */
  addWords(u32: Uint32Array, o: number, now: number): number {
    if (this.nextOrd - this.base >= this.cap) {
      const dead = this.firstLive - this.base;
      if (dead >= this.cap / 2) this.shift(dead);
      else this.grow(this.cap * 2);
    }
    const ord = this.nextOrd++;
    const slot = ord - this.base;
    this.ids.set(u32.subarray(o, o + 4), 4 * slot);
    this.start[slot] = Infinity;
    this.end[slot] = -Infinity;
    this.maxSpanStart[slot] = -Infinity;
    this.maxDurUs[slot] = -Infinity;
    this.lastRef[slot] = -1;
    this.firstSeen[slot] = now;
    this.spans[slot] = 0;
    this.entries[slot] = 0;
    this.checked[slot] = 0;
    const hash = traceIdHash(u32, o);
    const held = this.byHash.claim(hash, ord, this.firstLive);
    if (held >= 0 && held !== ord) {
      if (this.holds(held, u32, o)) {
        this.byHash.delete(hash);
        this.byHash.claim(hash, ord, this.firstLive);
      } else {
        this.collided.set(traceIdHex(u32, o), ord);
      }
    }
    return ord;
  }

  /** Drops the oldest live trace; returns its ordinal. */
  dropOldest(): number {
    const ord = this.firstLive;
    const o = 4 * (ord - this.base);
    const hash = traceIdHash(this.ids, o);
    // the ID may name a newer row by now (a trace ID seen again after a restart)
    if (this.byHash.get(hash, ord) === ord) this.byHash.delete(hash);
    else if (this.collided.size > 0) {
      const id = traceIdHex(this.ids, o);
      if (this.collided.get(id) === ord) this.collided.delete(id);
    }
    this.firstLive++;
    return ord;
  }

  /** A fresh search generation: markChecked answers false once per trace per generation. */
  nextGeneration(): void {
    this.gen = (this.gen + 1) >>> 0;
    if (this.gen === 0) {
      this.checked.fill(0);
      this.gen = 1;
    }
  }

  /** Marks trace ord checked in this generation; true when it already was. */
  markChecked(ord: number): boolean {
    const slot = ord - this.base;
    if (this.checked[slot] === this.gen) return true;
    this.checked[slot] = this.gen;
    return false;
  }

  /** Whether trace ord's ID is the four words at u32[o..o+4]. */
  private holds(ord: number, u32: Uint32Array, o: number): boolean {
    const ids = this.ids;
    const p = 4 * (ord - this.base);
    return ids[p] === u32[o] && ids[p + 1] === u32[o + 1] && ids[p + 2] === u32[o + 2] && ids[p + 3] === u32[o + 3];
  }

  private parse(traceId: string): Uint32Array {
    const w = this.idScratch;
    for (let k = 0; k < 4; k++) w[k] = hexWord(traceId, 8 * k);
    return w;
  }

  private grow(cap: number): void {
    this.ids = grown(this.ids, 4 * cap);
    this.start = grown(this.start, cap);
    this.end = grown(this.end, cap);
    this.maxSpanStart = grown(this.maxSpanStart, cap);
    this.maxDurUs = grown(this.maxDurUs, cap);
    this.lastRef = grown(this.lastRef, cap);
    this.firstSeen = grown(this.firstSeen, cap);
    this.spans = grown(this.spans, cap);
    this.entries = grown(this.entries, cap);
    this.checked = grown(this.checked, cap);
    this.cap = cap;
  }

  /** Moves the live rows down by `by` slots (amortised: only when half the table is dead). */
  private shift(by: number): void {
    const n = this.nextOrd - this.base;
    for (const a of [
      this.start,
      this.end,
      this.maxSpanStart,
      this.maxDurUs,
      this.lastRef,
      this.firstSeen,
      this.spans,
      this.entries,
      this.checked,
    ]) {
      a.copyWithin(0, by, n);
    }
    this.ids.copyWithin(0, 4 * by, 4 * n);
    this.base += by;
  }
}
