// The index's terms held by one trace so far: most of them (request, user, order IDs: values
// unique to a trace) never get a second. A Map entry costs ~40 bytes; this open-addressing table
// of two Uint32Arrays costs 8 bytes a slot, at most 70 % full. Terms are 30-bit hashes (terms.ts)
// stored plus one (0 marks an empty slot); ordinals are stored modulo 2^32 and decoded against the
// oldest live ordinal, as the long posting lists store them (postings.ts).

const EMPTY = 0;
/** a deleted slot: probing goes on past it */
const GONE = 0xffffffff;
const MAX_LOAD = 0.7;
/** live ordinals lie within 2^31 of the oldest live one (the sweep removes dropped ones long before they could alias) */
const LIVE_SPAN = 2 ** 31;

export class SingleTerms {
  private keys = new Uint32Array(1024);
  private ords = new Uint32Array(1024);
  private mask = 1023;
  /** terms held */
  size = 0;
  /** slots holding GONE */
  private gone = 0;
  /** where the next sweep goes on from */
  private sweepAt = 0;

  /**
   * The ordinal of term's one trace, given the oldest live ordinal; undefined when the term is not
   * held or its trace is dropped (an entry the sweep has not reached yet).
   */
  get(term: number, firstLive: number): number | undefined {
    const i = this.find(term);
    if (i < 0) return undefined;
    const offset = (this.ords[i]! - firstLive) >>> 0;
    // a dropped trace's ordinal is below firstLive: in modulo form far above any live one
    return offset < LIVE_SPAN ? firstLive + offset : undefined;
  }

  /** Sets term's one trace (replacing a dropped one's entry). Returns false when it replaced one. */
  set(term: number, ord: number): boolean {
    const held = this.find(term);
    if (held >= 0) {
      this.ords[held] = ord >>> 0;
      return false;
    }
    if ((this.size + this.gone + 1) / this.keys.length > MAX_LOAD) this.rehash();
    const { keys, mask } = this;
    let i = slotOf(term, mask);
    while (keys[i] !== EMPTY && keys[i] !== GONE) i = (i + 1) & mask;
    if (keys[i] === GONE) this.gone--;
    keys[i] = term + 1;
    this.ords[i] = ord >>> 0;
    this.size++;
    return true;
  }

  /** The slot holding term, or -1. */
  private find(term: number): number {
    const key = term + 1;
    const { keys, mask } = this;
    for (let i = slotOf(term, mask); ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === key) return i;
      if (k === EMPTY) return -1;
    }
  }

  /** Removes a term (if held). */
  delete(term: number): void {
    const i = this.find(term);
    if (i < 0) return;
    this.keys[i] = GONE;
    this.size--;
    this.gone++;
  }

  /**
   * Removes terms of dropped traces (ordinal outside [firstLive, firstLive + liveCount)), looking
   * at most at `budget` slots from where the last sweep stopped; returns how many it removed.
   */
  sweep(firstLive: number, liveCount: number, budget: number): number {
    const { keys, ords } = this;
    const n = keys.length;
    let removed = 0;
    let i = this.sweepAt;
    for (let seen = 0; seen < Math.min(budget, n); seen++, i = (i + 1) % n) {
      const k = keys[i]!;
      if (k === EMPTY || k === GONE) continue;
      if ((ords[i]! - firstLive) >>> 0 >= liveCount) {
        keys[i] = GONE;
        removed++;
      }
    }
    this.sweepAt = i;
    this.size -= removed;
    this.gone += removed;
    // mostly deleted slots: a smaller table (or the same size without them)
    if (this.gone > this.size && this.keys.length > 1024) this.rehash();
    return removed;
  }

  /** Bytes of the table. */
  get bytes(): number {
    return this.keys.byteLength + this.ords.byteLength;
  }

  /** A table sized for the terms held (twice them, at least 1024 slots), without deleted slots. */
  private rehash(): void {
    let cap = 1024;
    while ((this.size + 1) / cap > MAX_LOAD / 2) cap *= 2;
    const oldKeys = this.keys;
    const oldOrds = this.ords;
    this.keys = new Uint32Array(cap);
    this.ords = new Uint32Array(cap);
    this.mask = cap - 1;
    this.gone = 0;
    this.sweepAt = 0;
    const { keys, ords, mask } = this;
    for (let j = 0; j < oldKeys.length; j++) {
      const k = oldKeys[j]!;
      if (k === EMPTY || k === GONE) continue;
      let i = slotOf(k - 1, mask);
      while (keys[i] !== EMPTY) i = (i + 1) & mask;
      keys[i] = k;
      ords[i] = oldOrds[j]!;
    }
  }
}

/** Terms are well-mixed hashes already (terms.ts): their low bits are the slot. */
function slotOf(term: number, mask: number): number {
  return term & mask;
}
