// The index's terms held by one trace so far: most of them (request, user, order IDs: values
// unique to a trace) never get a second. A Map entry costs ~40 bytes; this open-addressing table
// costs 8 bytes a slot, at most 70 % full: a slot is a term and its ordinal side by side in one
// Uint32Array (one cache line read per lookup: the table is megabytes, most lookups miss the
// cache). Terms are 30-bit hashes (terms.ts) stored plus one (0 marks an empty slot); ordinals are
// stored modulo 2^32 and decoded against the oldest live ordinal, as the long posting lists store
// them (postings.ts).

const EMPTY = 0;
/** a deleted slot: probing goes on past it */
const GONE = 0xffffffff;
const MAX_LOAD = 0.7;
/** live ordinals lie within 2^31 of the oldest live one (the sweep removes dropped ones long before they could alias) */
const LIVE_SPAN = 2 ** 31;
/** what claim answers besides a live holder's ordinal */
export const CLAIMED_NEW = -1;
export const CLAIMED_DROPPED = -2;

export class SingleTerms {
  /** per slot i: the term + 1 at 2i, its ordinal at 2i + 1 */
  private slots = new Uint32Array(2 * 1024);
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
    return i < 0 ? undefined : liveOrd(this.slots[2 * i + 1]!, firstLive);
  }

  /**
   * Makes ord term's one trace unless a live trace holds the term, in one probe: returns that
   * trace's ordinal (ord itself included; nothing changes), else CLAIMED_DROPPED (a dropped
   * trace's entry taken over in place) or CLAIMED_NEW (a new entry).
   */
  claim(term: number, ord: number, firstLive: number): number {
    const key = term + 1;
    const mask = this.mask;
    let slots = this.slots;
    let free = -1;
    for (let i = slotOf(term, mask); ; i = (i + 1) & mask) {
      const k = slots[2 * i]!;
      if (k === key) {
        const held = liveOrd(slots[2 * i + 1]!, firstLive);
        if (held !== undefined) return held;
        slots[2 * i + 1] = ord >>> 0;
        return CLAIMED_DROPPED;
      }
      if (k === GONE && free < 0) free = i;
      if (k === EMPTY) {
        if (free < 0) free = i;
        break;
      }
    }
    if ((this.size + this.gone + 1) / (this.mask + 1) > MAX_LOAD) {
      this.rehash();
      slots = this.slots;
      free = slotOf(term, this.mask);
      while (slots[2 * free] !== EMPTY) free = (free + 1) & this.mask;
    } else if (slots[2 * free] === GONE) this.gone--;
    slots[2 * free] = key;
    slots[2 * free + 1] = ord >>> 0;
    this.size++;
    return CLAIMED_NEW;
  }

  /** The slot holding term, or -1. */
  private find(term: number): number {
    const key = term + 1;
    const { slots, mask } = this;
    for (let i = slotOf(term, mask); ; i = (i + 1) & mask) {
      const k = slots[2 * i]!;
      if (k === key) return i;
      if (k === EMPTY) return -1;
    }
  }

  /** Removes a term (if held). */
  delete(term: number): void {
    const i = this.find(term);
    if (i < 0) return;
    this.slots[2 * i] = GONE;
    this.size--;
    this.gone++;
  }

  /**
   * Removes terms of dropped traces (ordinal outside [firstLive, firstLive + liveCount)), looking
   * at most at `budget` slots from where the last sweep stopped; returns how many it removed.
   */
  sweep(firstLive: number, liveCount: number, budget: number): number {
    const slots = this.slots;
    const n = this.mask + 1;
    let removed = 0;
    let i = this.sweepAt;
    for (let seen = 0; seen < Math.min(budget, n); seen++, i = (i + 1) % n) {
      const k = slots[2 * i]!;
      if (k === EMPTY || k === GONE) continue;
      if ((slots[2 * i + 1]! - firstLive) >>> 0 >= liveCount) {
        slots[2 * i] = GONE;
        removed++;
      }
    }
    this.sweepAt = i;
    this.size -= removed;
    this.gone += removed;
    // mostly deleted slots: a smaller table (or the same size without them)
    if (this.gone > this.size && n > 1024) this.rehash();
    return removed;
  }

  /** Bytes of the table. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /** A table sized for the terms held (twice them, at least 1024 slots), without deleted slots. */
  private rehash(): void {
    let cap = 1024;
    while ((this.size + 1) / cap > MAX_LOAD / 2) cap *= 2;
    const old = this.slots;
    this.slots = new Uint32Array(2 * cap);
    this.mask = cap - 1;
    this.gone = 0;
    this.sweepAt = 0;
    const { slots, mask } = this;
    for (let j = 0; j < old.length; j += 2) {
      const k = old[j]!;
      if (k === EMPTY || k === GONE) continue;
      let i = slotOf(k - 1, mask);
      while (slots[2 * i] !== EMPTY) i = (i + 1) & mask;
      slots[2 * i] = k;
      slots[2 * i + 1] = old[j + 1]!;
    }
  }
}

/** The live ordinal an entry's modulo-2^32 ordinal stands for, undefined for a dropped trace's. */
function liveOrd(stored: number, firstLive: number): number | undefined {
  const offset = (stored - firstLive) >>> 0;
  // a dropped trace's ordinal is below firstLive: in modulo form far above any live one
  return offset < LIVE_SPAN ? firstLive + offset : undefined;
}

/** Terms are well-mixed hashes already (terms.ts): their low bits are the slot. */
function slotOf(term: number, mask: number): number {
  return term & mask;
}
