// The trace table: one row per trace, in typed-array columns indexed by arrival ordinal (ord -
// base). Traces are dropped strictly in arrival order, so "dropped" is just `ord < firstLive`;
// the dead prefix is cut off (amortised) when the table would otherwise grow.
//
// Columns are public for the readers' inner loops; they are replaced when the table grows, so
// read them through the table each time rather than keeping a column across an append.

import { grown } from './grown.js';

export class TraceTable {
  private readonly byId = new Map<string, number>();
  /** ordinal of slot 0 */
  base = 0;
  /** oldest live ordinal */
  firstLive = 0;
  /** ordinal the next new trace gets */
  nextOrd = 0;
  private cap = 0;
  private ids: (string | undefined)[] = [];
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

  /** Capacity in rows (for the byte estimate). */
  get capacity(): number {
    return this.cap;
  }

  ordOf(traceId: string): number | undefined {
    return this.byId.get(traceId);
  }

  idOf(ord: number): string {
    return this.ids[ord - this.base]!;
  }

  isLive(ord: number): boolean {
    return ord >= this.firstLive && ord < this.nextOrd;
  }

  /** A new empty row for traceId; returns its ordinal. */
  add(traceId: string, now: number): number {
    if (this.nextOrd - this.base >= this.cap) {
      const dead = this.firstLive - this.base;
      if (dead >= this.cap / 2) this.shift(dead);
      else this.grow(this.cap * 2);
    }
    const ord = this.nextOrd++;
    const slot = ord - this.base;
    this.byId.set(traceId, ord);
    this.ids[slot] = traceId;
    this.start[slot] = Infinity;
    this.end[slot] = -Infinity;
    this.maxSpanStart[slot] = -Infinity;
    this.maxDurUs[slot] = -Infinity;
    this.lastRef[slot] = -1;
    this.firstSeen[slot] = now;
    this.spans[slot] = 0;
    this.entries[slot] = 0;
    this.checked[slot] = 0;
    return ord;
  }

  /** Drops the oldest live trace; returns its ordinal. */
  dropOldest(): number {
    const ord = this.firstLive;
    const slot = ord - this.base;
    const id = this.ids[slot];
    // the id may name a newer row by now (a trace id seen again after a restart dropped the old one)
    if (id !== undefined && this.byId.get(id) === ord) this.byId.delete(id);
    this.ids[slot] = undefined;
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

  private grow(cap: number): void {
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
    this.ids.splice(0, by);
    this.base += by;
  }
}
