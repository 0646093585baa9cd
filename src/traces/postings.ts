// The search index: term → the traces (by ordinal, in arrival order) that hold a span with that
// term. Terms are hashed (service, service+operation, key=value text, Jaeger's derived tags) and
// every candidate is checked against the stored spans, so a hash collision costs time, never a
// wrong answer. Entries are per trace, not per span (a repeat of the last entry is skipped),
// which keeps the index to a few bytes per span.
//
// Results must come newest first by trace start, but entries are in arrival order. Long lists
// therefore keep, per chunk of CHUNK entries, an upper bound of the trace starts in it and the
// running maximum of those bounds: walking back from the newest chunk, once `limit` traces
// have been found whose starts are all at or above that running maximum, no older entry can
// beat them and the walk stops.

export const CHUNK = 256;

export class Posting {
  ords: number[];
  /** entries before head belong to dropped traces */
  head = 0;
  /** per chunk: an upper bound of the trace starts (ns) of its entries, and the prefix maximum */
  maxStart: number[] | undefined;
  prefMaxStart: number[] | undefined;
  /** per chunk: span start bounds (ns) of the spans that put entries there, and the prefix max */
  minSpan: number[] | undefined;
  maxSpan: number[] | undefined;
  prefMaxSpan: number[] | undefined;

  constructor(first: number, second: number) {
    this.ords = [first, second];
  }

  get live(): number {
    return this.ords.length - this.head;
  }
}

export type TraceStartOf = (ord: number) => number;

export class TermIndex {
  /** a single-trace term is stored as the bare ordinal: most high-cardinality values are */
  readonly map = new Map<number, number | Posting>();
  private sweepIter: Iterator<[number, number | Posting]> | undefined;
  /** entries held, live or not yet swept */
  entries = 0;
  postings = 0;

  constructor(private readonly traceStartOf: TraceStartOf) {}

  /** Records that trace `ord` (current start traceStart) has a span starting at spanStart with `term`. Returns true when an entry was added. */
  add(term: number, ord: number, traceStart: number, spanStart: number): boolean {
    const cur = this.map.get(term);
    if (cur === undefined) {
      this.map.set(term, ord);
      this.entries++;
      return true;
    }
    if (typeof cur === 'number') {
      if (cur === ord) return false;
      this.map.set(term, new Posting(cur, ord));
      this.entries++;
      this.postings++;
      return true;
    }
    const ords = cur.ords;
    const n = ords.length;
    if (n > cur.head && ords[n - 1] === ord) {
      if (cur.minSpan) this.widenLastChunk(cur, Math.floor((n - 1) / CHUNK), spanStart);
      return false;
    }
    ords.push(ord);
    this.entries++;
    if (cur.maxStart) this.extendBounds(cur, n, traceStart, spanStart);
    else if (ords.length > CHUNK) this.buildBounds(cur);
    return true;
  }

  get(term: number): number | Posting | undefined {
    return this.map.get(term);
  }

  private widenLastChunk(p: Posting, c: number, spanStart: number): void {
    if (spanStart < p.minSpan![c]!) p.minSpan![c] = spanStart;
    if (spanStart > p.maxSpan![c]!) {
      p.maxSpan![c] = spanStart;
      const prev = c > 0 ? p.prefMaxSpan![c - 1]! : -Infinity;
      p.prefMaxSpan![c] = Math.max(prev, spanStart);
    }
  }

  private extendBounds(p: Posting, index: number, traceStart: number, spanStart: number): void {
    const c = Math.floor(index / CHUNK);
    const maxStart = p.maxStart!;
    if (c === maxStart.length) {
      const prevStart = c > 0 ? p.prefMaxStart![c - 1]! : -Infinity;
      const prevSpan = c > 0 ? p.prefMaxSpan![c - 1]! : -Infinity;
      maxStart.push(traceStart);
      p.prefMaxStart!.push(Math.max(prevStart, traceStart));
      p.minSpan!.push(spanStart);
      p.maxSpan!.push(spanStart);
      p.prefMaxSpan!.push(Math.max(prevSpan, spanStart));
      return;
    }
    if (traceStart > maxStart[c]!) {
      maxStart[c] = traceStart;
      const prev = c > 0 ? p.prefMaxStart![c - 1]! : -Infinity;
      p.prefMaxStart![c] = Math.max(prev, traceStart);
    }
    this.widenLastChunk(p, c, spanStart);
  }

  /** Bounds for a list that just grew long: trace starts as they are now (they only ever decrease). */
  private buildBounds(p: Posting): void {
    p.maxStart = [];
    p.prefMaxStart = [];
    p.minSpan = [];
    p.maxSpan = [];
    p.prefMaxSpan = [];
    let pref = -Infinity;
    for (let i = 0; i < p.ords.length; i += CHUNK) {
      let m = -Infinity;
      for (let j = i; j < Math.min(i + CHUNK, p.ords.length); j++) m = Math.max(m, this.traceStartOf(p.ords[j]!));
      pref = Math.max(pref, m);
      p.maxStart.push(m);
      p.prefMaxStart.push(pref);
      // span starts of these entries are not known any more: no window pruning for them
      p.minSpan.push(-Infinity);
      p.maxSpan.push(Infinity);
      p.prefMaxSpan.push(Infinity);
    }
  }

  /**
   * Removes entries of dropped traces (ordinal < firstLive), visiting at most `budget` terms from
   * where the last sweep stopped, so the cost is spread over ingest.
   */
  sweep(firstLive: number, budget: number): void {
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
      if (typeof cur === 'number') {
        if (cur < firstLive) {
          this.map.delete(term);
          this.entries--;
        }
        continue;
      }
      const ords = cur.ords;
      let h = cur.head;
      while (h < ords.length && ords[h]! < firstLive) h++;
      this.entries -= h - cur.head;
      cur.head = h;
      if (h === ords.length) {
        this.map.delete(term);
        this.postings--;
        continue;
      }
      // compact whole chunks only, so chunk bounds stay aligned with entries
      const cut = cur.maxStart ? Math.floor(h / CHUNK) * CHUNK : h;
      if (cut > 0 && cut * 2 >= ords.length) {
        ords.splice(0, cut);
        cur.head -= cut;
        if (cur.maxStart) {
          const k = cut / CHUNK;
          cur.maxStart.splice(0, k);
          cur.prefMaxStart!.splice(0, k);
          cur.minSpan!.splice(0, k);
          cur.maxSpan!.splice(0, k);
          cur.prefMaxSpan!.splice(0, k);
        }
      }
    }
  }

  /** Estimated bytes: 8 per entry plus array slack, and per-term map and object overhead. */
  bytes(): number {
    return this.entries * 12 + this.map.size * 32 + this.postings * 120;
  }
}
