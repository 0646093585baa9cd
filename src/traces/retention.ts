// Retention and byte accounting: what the store holds (live spans and index entries, and an
// estimate of its bytes), what it has dropped, and the dropping itself. Traces go strictly in
// arrival order: past the retention time one by one, past the byte budget (or when the memory
// limiter asks) a whole segment's worth at a time, so the freed memory is real.
import type { FreeReason, SegmentArena } from './arena.js';
import type { Catalogue } from './catalogue.js';
import type { RecordEncoder } from './codec.js';
import type { Dictionary } from './intern.js';
import type { TermIndex } from './postings.js';
import type { TraceTable } from './trace-table.js';

/** The store's parts that hold memory. */
export interface AccountedParts {
  readonly dict: Dictionary;
  readonly catalogue: Catalogue;
  readonly table: TraceTable;
  readonly arena: SegmentArena;
  readonly index: TermIndex;
  readonly encoder: RecordEncoder;
  /** the dependency index, whose bytes count against the budget too */
  readonly deps?: { bytesEstimate(): number };
}

/** Where a store with a data directory keeps sealed segments: memory can be freed by evicting them. */
export interface DiskTier {
  /** Makes one sealed, written segment non-resident; false when there is none. */
  evictOne(): boolean;
  /** bytes of the segment files */
  readonly bytes: number;
}

/** Where the estimated bytes go (for benchmarks and the console's store page). */
export interface MemoryBreakdown {
  readonly segments: number;
  readonly segmentWordsUsed: number;
  readonly traceTable: number;
  readonly index: number;
  readonly indexEntries: number;
  readonly indexTerms: number;
  readonly strings: number;
  /** the dependency index's per-trace edges and per-minute counts */
  readonly dependencies: number;
}

export class Retention {
  liveSpans = 0;
  liveEntries = 0;
  droppedTraces = 0;
  droppedSpans = 0;

  constructor(
    private readonly parts: AccountedParts,
    /** estimated bytes the store may hold */
    private readonly budgetBytes: number,
    /** traces first seen longer ago than this (ms) are dropped */
    private readonly retentionMs: number,
    /** with a data directory: the segment files, and the most bytes they may take (Infinity: no limit) */
    private readonly disk?: DiskTier,
    private readonly retentionBytes = Infinity,
  ) {}

  /** Counts spans and index entries a record added to trace ord. */
  added(ord: number, spans: number, entries: number): void {
    const { table } = this.parts;
    const slot = ord - table.base;
    table.spans[slot] = table.spans[slot]! + spans;
    table.entries[slot] = table.entries[slot]! + entries;
    this.liveSpans += spans;
    this.liveEntries += entries;
  }

  /** Drops traces past the retention time (also on reads, so an idle store still forgets). */
  expire(now: number): void {
    const { table } = this.parts;
    const cutoff = now - this.retentionMs;
    if (table.firstLive >= table.nextOrd || table.firstSeen[table.firstLive - table.base]! >= cutoff) return;
    while (table.firstLive < table.nextOrd && table.firstSeen[table.firstLive - table.base]! < cutoff)
      this.dropOldest();
    this.parts.arena.freeBelow(table.firstLive, 'time');
  }

  /**
   * Retention time, the size on disk, then the byte budget: segments that are on disk leave
   * memory first, and only then are the oldest traces dropped (never the segment being written).
   */
  enforce(now: number): void {
    this.expire(now);
    const disk = this.disk;
    while (disk && disk.bytes > this.retentionBytes && this.parts.arena.count > 1) this.dropOldestSegment('size');
    while (this.bytesEstimate() > this.budgetBytes) {
      if (disk?.evictOne()) continue;
      if (this.parts.arena.count <= 1) break;
      this.dropOldestSegment('memory');
    }
  }

  /**
   * Drops the oldest traces, a whole segment at a time and never the one being written, until the
   * estimate has fallen by `bytes`; returns the bytes freed.
   */
  evictOldest(bytes: number): number {
    const before = this.bytesEstimate();
    while (before - this.bytesEstimate() < bytes) {
      if (this.disk?.evictOne()) continue;
      if (this.parts.arena.count <= 1) break;
      this.dropOldestSegment('memory');
    }
    return Math.max(0, before - this.bytesEstimate());
  }

  private dropOldestSegment(reason: FreeReason): void {
    const { table, arena } = this.parts;
    const target = arena.oldestMaxOrd();
    while (table.firstLive <= target) this.dropOldest();
    arena.freeBelow(table.firstLive, reason);
  }

  /** The one place a trace is dropped. */
  private dropOldest(): void {
    const { table, index } = this.parts;
    const slot = table.firstLive - table.base;
    const spans = table.spans[slot]!;
    this.liveSpans -= spans;
    this.liveEntries -= table.entries[slot]!;
    this.droppedTraces++;
    this.droppedSpans += spans;
    table.dropOldest();
    index.firstLive = table.firstLive;
  }

  bytesEstimate(): number {
    const m = this.memory();
    return m.segments + m.traceTable + m.index + m.strings + m.dependencies;
  }

  memory(): MemoryBreakdown {
    const { table, arena, index, dict, catalogue, encoder } = this.parts;
    const usage = arena.usage();
    // index: the long lists' Uint32Arrays, per list its overhead (map entry, list object, a short
    // list's entries, chunk bounds), and the table of one-trace terms
    const indexBytes = index.bigBytes + index.map.size * 240 + index.singles.bytes;
    return {
      segments: encoder.buf.u32.byteLength + usage.bytes,
      segmentWordsUsed: usage.wordsUsed,
      traceTable: table.bytes,
      index: indexBytes,
      indexEntries: index.entries,
      indexTerms: index.terms,
      strings: dict.bytes + catalogue.bytes,
      dependencies: this.parts.deps?.bytesEstimate() ?? 0,
    };
  }
}
