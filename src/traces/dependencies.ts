// The service dependency index behind /api/dependencies: parent → child service call counts kept
// per trace and summed per time bucket of trace start, so a request adds up a few bucket totals
// instead of walking every span of every trace.
//
// A trace's first record is read at once, while it is the newest data in memory (waiting would
// mean reading it back after its segment was compressed or written out). Later records of a
// trace are lazy and amortised: the append only marks the trace dirty; dirty traces are re-read
// (one walk of that trace's spans) at the next query or once too many are pending, and traces
// the store dropped are subtracted by ordinal, as the store drops in arrival order.
import type { DependencyLink } from './storage.js';

/** What the index reads from the store: trace ordinals, their time bounds and their spans. */
export interface DependencySource {
  /** traces with a lower ordinal are gone */
  firstLive(): number;
  /** earliest span start of a live trace, ns */
  traceStartNs(ord: number): number;
  /** latest span start of a live trace, ns */
  traceMaxSpanStartNs(ord: number): number;
  /**
   * Calls fn for each span of a live trace with its span ID and parent span ID as two 32-bit
   * words each (parentHi -1 for a root) and its service's id.
   */
  forEachSpan(
    ord: number,
    fn: (idHi: number, idLo: number, parentHi: number, parentLo: number, serviceId: number) => void,
  ): void;
  serviceName(serviceId: number): string;
}

export interface DependencyIndexOptions {
  /** width of a time bucket of trace start, ns (default 1 minute) */
  readonly bucketNs?: number;
  /** dirty traces pending before they are processed without a query (default 16384) */
  readonly maxDirty?: number;
}

/**
 * The edges of traces in one bucket, shared by every trace with the same ones (most requests of a
 * kind call the same services the same number of times): a trace costs a map entry, not a list.
 */
interface EdgeList {
  readonly key: string;
  readonly bucket: number;
  /** edge id, call count, edge id, call count, … by edge id */
  readonly edges: readonly number[];
  refs: number;
}

interface Bucket {
  /** edge id → calls of the bucket's traces */
  readonly counts: Map<number, number>;
  /** traces with edges whose start lies in the bucket */
  readonly ords: Set<number>;
  /** an upper bound of the latest span start of those traces, ns */
  maxSpanStartNs: number;
}

export class DependencyIndex {
  private readonly bucketNs: number;
  private readonly maxDirty: number;
  /** parent service → child service → edge id */
  private readonly edgeIds = new Map<number, Map<number, number>>();
  private readonly edgeParent: number[] = [];
  private readonly edgeChild: number[] = [];
  /** trace ordinal → its edge list id (traces without cross-service calls are absent) */
  private readonly traces = new Map<number, number>();
  private readonly lists: (EdgeList | undefined)[] = [];
  private readonly listIds = new Map<string, number>();
  private readonly freeListIds: number[] = [];
  private readonly buckets = new Map<number, Bucket>();
  private readonly dirty = new Set<number>();
  /** ordinals below this have had their drop processed */
  private droppedBelow = 0;
  /** ordinals from this one on were never touched: their next touch is their first record */
  private untouchedFrom = 0;
  /** traces read at their first record since the last flush */
  private insertedSinceFlush = 0;
  /** trace walks done since start (a test and benchmark figure) */
  walks = 0;

  constructor(
    private readonly source: DependencySource,
    opts: DependencyIndexOptions = {},
  ) {
    this.bucketNs = opts.bucketNs ?? 60e9;
    this.maxDirty = opts.maxDirty ?? 16384;
  }

  /** The trace got spans: its edges are recomputed before the next answer (at once for its first record). */
  touch(ord: number): void {
    if (ord >= this.untouchedFrom && ord >= this.source.firstLive()) {
      // ordinals grow with arrival, so nothing of this trace was read before: its one record is all of it
      this.untouchedFrom = ord + 1;
      this.insert(ord);
      // dropped traces are subtracted at a flush: one is due as often as when every trace waited for it
      if (++this.insertedSinceFlush > this.maxDirty) this.flush();
      return;
    }
    this.untouchedFrom = Math.max(this.untouchedFrom, ord + 1);
    this.dirty.add(ord);
    if (this.dirty.size > this.maxDirty) this.flush();
  }

  /** Parent → child service calls of traces overlapping [endTsMs - lookbackMs, endTsMs], sorted. */
  query(endTsMs: number, lookbackMs: number): DependencyLink[] {
    this.flush();
    const fromNs = (endTsMs - lookbackMs) * 1e6;
    const toNs = endTsMs * 1e6;
    const total = new Map<number, number>();
    const add = (edge: number, n: number): void => {
      total.set(edge, (total.get(edge) ?? 0) + n);
    };
    for (const [b, bucket] of this.buckets) {
      const lo = this.lowerBound(b);
      if (lo > toNs || bucket.maxSpanStartNs < fromNs) continue;
      if (lo >= fromNs && this.lowerBound(b + 1) <= toNs) {
        // every trace starting in the bucket overlaps the window
        for (const [edge, n] of bucket.counts) add(edge, n);
        continue;
      }
      for (const ord of bucket.ords) {
        if (this.source.traceStartNs(ord) > toNs || this.source.traceMaxSpanStartNs(ord) < fromNs) continue;
        const { edges } = this.lists[this.traces.get(ord)!]!;
        for (let i = 0; i < edges.length; i += 2) add(edges[i]!, edges[i + 1]!);
      }
    }
    const out: DependencyLink[] = [];
    for (const [edge, callCount] of total) {
      out.push({
        parent: this.source.serviceName(this.edgeParent[edge]!),
        child: this.source.serviceName(this.edgeChild[edge]!),
        callCount,
      });
    }
    return out.sort((a, b) =>
      a.parent < b.parent ? -1 : a.parent > b.parent ? 1 : a.child < b.child ? -1 : a.child > b.child ? 1 : 0,
    );
  }

  /** Rough heap held by the index, for the store's byte budget. */
  bytesEstimate(): number {
    let lists = 0;
    for (const l of this.lists) if (l) lists += 120 + l.key.length * 2 + l.edges.length * 8;
    let counts = 0;
    for (const b of this.buckets.values()) counts += b.counts.size;
    return this.traces.size * 56 + lists + counts * 40 + this.buckets.size * 200 + this.dirty.size * 40;
  }

  /** Subtracts dropped traces and recomputes dirty ones. */
  flush(): void {
    const firstLive = this.source.firstLive();
    for (let ord = this.droppedBelow; ord < firstLive; ord++) {
      const id = this.traces.get(ord);
      if (id !== undefined) this.remove(ord, id);
    }
    this.droppedBelow = Math.max(this.droppedBelow, firstLive);
    for (const ord of this.dirty) {
      if (ord < firstLive) continue;
      const old = this.traces.get(ord);
      if (old !== undefined) this.remove(ord, old);
      this.insert(ord);
    }
    this.dirty.clear();
    this.insertedSinceFlush = 0;
  }

  private insert(ord: number): void {
    const edges = this.traceEdges(ord);
    if (edges.length === 0) return;
    const startNs = this.source.traceStartNs(ord);
    const b = this.bucketOf(startNs);
    let bucket = this.buckets.get(b);
    if (!bucket) {
      bucket = { counts: new Map(), ords: new Set(), maxSpanStartNs: -Infinity };
      this.buckets.set(b, bucket);
    }
    for (let i = 0; i < edges.length; i += 2)
      bucket.counts.set(edges[i]!, (bucket.counts.get(edges[i]!) ?? 0) + edges[i + 1]!);
    bucket.ords.add(ord);
    bucket.maxSpanStartNs = Math.max(bucket.maxSpanStartNs, this.source.traceMaxSpanStartNs(ord));
    this.traces.set(ord, this.listOf(b, edges));
  }

  /** The shared list for these edges in bucket b, with one more user. */
  private listOf(b: number, edges: number[]): number {
    const key = `${b}|${edges.join(',')}`;
    let id = this.listIds.get(key);
    if (id === undefined) {
      id = this.freeListIds.pop() ?? this.lists.length;
      this.lists[id] = { key, bucket: b, edges, refs: 0 };
      this.listIds.set(key, id);
    }
    this.lists[id]!.refs++;
    return id;
  }

  private remove(ord: number, listId: number): void {
    const list = this.lists[listId]!;
    const bucket = this.buckets.get(list.bucket)!;
    const edges = list.edges;
    for (let i = 0; i < edges.length; i += 2) {
      const left = bucket.counts.get(edges[i]!)! - edges[i + 1]!;
      if (left === 0) bucket.counts.delete(edges[i]!);
      else bucket.counts.set(edges[i]!, left);
    }
    bucket.ords.delete(ord);
    if (bucket.ords.size === 0) this.buckets.delete(list.bucket);
    this.traces.delete(ord);
    if (--list.refs === 0) {
      this.listIds.delete(list.key);
      this.lists[listId] = undefined;
      this.freeListIds.push(listId);
    }
  }

  /** The bucket b with lowerBound(b) <= startNs < lowerBound(b + 1), in float arithmetic. */
  private bucketOf(startNs: number): number {
    let b = Math.floor(startNs / this.bucketNs);
    while (this.lowerBound(b) > startNs) b--;
    while (this.lowerBound(b + 1) <= startNs) b++;
    return b;
  }

  private lowerBound(b: number): number {
    return b * this.bucketNs;
  }

  // scratch of traceEdges, reused: span and parent ID words and services of one trace
  private readonly ids: number[] = [];
  private readonly parents: number[] = [];
  private readonly services: number[] = [];
  private readonly collect = (idHi: number, idLo: number, parentHi: number, parentLo: number, svc: number): void => {
    this.ids.push(idHi, idLo);
    this.parents.push(parentHi, parentLo);
    this.services.push(svc);
  };

  /** A trace's cross-service parent → child calls as [edge, count, …]. */
  private traceEdges(ord: number): number[] {
    this.walks++;
    const { ids, parents, services } = this;
    ids.length = 0;
    parents.length = 0;
    services.length = 0;
    this.source.forEachSpan(ord, this.collect);
    const n = services.length;
    // span index by the low ID word (a clash of low words falls back to a scan for that word)
    let byLo: Map<number, number> | undefined;
    if (n > 16) {
      byLo = new Map();
      for (let i = 0; i < n; i++) {
        const lo = ids[2 * i + 1]!;
        const prev = byLo.get(lo);
        byLo.set(lo, prev === undefined || (ids[2 * prev] === ids[2 * i] && prev >= 0) ? i : -1);
      }
    }
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const hi = parents[2 * i]!;
      if (hi < 0) continue;
      const lo = parents[2 * i + 1]!;
      const hit = byLo?.get(lo);
      let parent = -1;
      if (hit !== undefined && hit >= 0) parent = ids[2 * hit] === hi ? hit : -1;
      else if (byLo === undefined || hit === -1)
        // the last span with that ID, as a repeated ID overwrites
        for (let j = 0; j < n; j++) if (ids[2 * j] === hi && ids[2 * j + 1] === lo) parent = j;
      if (parent < 0 || services[parent] === services[i]) continue;
      const edge = this.edgeId(services[parent]!, services[i]!);
      let k = 0;
      while (k < out.length && out[k] !== edge) k += 2;
      if (k < out.length) out[k + 1]!++;
      else out.push(edge, 1);
    }
    // by edge id, so equal edge sets share one list (an insertion sort of the few pairs, in place)
    for (let k = 2; k < out.length; k += 2) {
      const edge = out[k]!;
      const calls = out[k + 1]!;
      let j = k - 2;
      for (; j >= 0 && out[j]! > edge; j -= 2) {
        out[j + 2] = out[j]!;
        out[j + 3] = out[j + 1]!;
      }
      out[j + 2] = edge;
      out[j + 3] = calls;
    }
    return out;
  }

  private edgeId(parent: number, child: number): number {
    let byChild = this.edgeIds.get(parent);
    if (!byChild) this.edgeIds.set(parent, (byChild = new Map()));
    let id = byChild.get(child);
    if (id === undefined) {
      id = this.edgeParent.length;
      byChild.set(child, id);
      this.edgeParent.push(parent);
      this.edgeChild.push(child);
    }
    return id;
  }
}
