// The embedded trace store: an in-memory SpanWriter + TraceReader, assembled from parts the way
// the TSDB head delegates to postings, chunks and exemplars:
//
//   intern.ts       Dictionary: keys, names and low-cardinality values stored once, by id
//   catalogue.ts    origins (resource + scope) and the services and operations seen
//   codec.ts        the record encoder, the one walker over stored records, the decoder
//   arena.ts        append-only word segments records are copied into, freed whole
//   packed.ts       sealed segments past the newest few, kept compressed and inflated on read
//   trace-table.ts  one columnar row per trace (time bounds, newest record, counts)
//   postings.ts     the term index: hashed terms (terms.ts) → trace ordinals
//   search.ts       query compilation and matching
//   retention.ts    byte budget, retention time, eviction, accounting
//   dependency-scan.ts  service → service calls for /api/dependencies
//
// This class only routes: a batch is grouped by trace, each trace's spans become one record,
// and the reads assemble traces through the codec's walker.
import type { Span, TracesData } from '../otlp/model.js';
import type { Component } from '../component/component.js';
import { SELF_METRICS } from '../names/contract.js';
import type { SelfMetrics } from '../selfmetrics/registry.js';
import { readF64, SEGMENT_REF_SPAN, SegmentArena, type FreeReason, type Segment } from './arena.js';
import { Catalogue, type Origin } from './catalogue.js';
import { decodeSpan, RecordEncoder, SpanCursor } from './codec.js';
import { DependencyIndex } from './dependencies.js';
import { forEachSpanLink } from './dependency-scan.js';
import { Dictionary } from './intern.js';
import { TraceDataDir, residentSegment } from './data-dir.js';
import {
  REC_COMPLEX_BASE,
  REC_HEADER_WORDS,
  REC_NSPANS,
  REC_PREV,
  REC_TRACE_ID,
  SP_FIXED_WORDS,
  SP_WORDS,
} from './layout.js';
import { packSegment, type PackedSegment } from './packed.js';
import { TermIndex } from './postings.js';
import { RecordFacts } from './record-facts.js';
import { Retention, type DiskTier, type MemoryBreakdown } from './retention.js';
import type { SegmentData } from './segment-file.js';
import { TraceSearch } from './search.js';
import type {
  DependencyLink,
  OperationInfo,
  SpanWriter,
  StoredSpan,
  Trace,
  TraceQuery,
  TraceReader,
  TraceStoreStats,
} from './storage.js';
import { TraceTable } from './trace-table.js';

/** sealed segments kept uncompressed by default: the newest, where most searches end, stay fast */
export const DEFAULT_PLAIN_SEGMENTS = 2;

export interface TraceStoreOptions {
  /** estimated memory the store may hold; the oldest traces are dropped beyond it (default 256 MiB) */
  readonly budgetBytes?: number;
  /** traces first seen longer ago than this are dropped (default 24 h) */
  readonly retentionMs?: number;
  /** wall clock in ms, for retention (tests inject one) */
  readonly now?: () => number;
  /** size of one data segment (default 1 MiB); the budget cannot go below one segment */
  readonly segmentBytes?: number;
  /** distinct values interned per attribute key before further new values are stored inline (default 1000) */
  readonly valuesPerKey?: number;
  /**
   * where the store keeps its write-ahead log and sealed segments (the backend gives
   * <data-dir>/traces); without one it holds only memory. Read on start().
   */
  readonly dataDir?: string;
  /** sealed segments kept uncompressed besides the one being written (default 2); older ones are kept deflated */
  readonly plainSegments?: number;
  /** with a data directory: sealed segments kept in memory (compressed, or plain) besides the one being written (default 16) */
  readonly memorySegments?: number;
  /** with a data directory: the most bytes its segment files may take, oldest deleted first (default no limit) */
  readonly retentionBytes?: number;
  /** with a data directory: decoded segments cached for reads from disk (default 16) */
  readonly cacheSegments?: number;
  /** with a data directory: fsync interval of its logs (default 5 s) */
  readonly fsyncIntervalMs?: number;
  /** with a data directory: size at which the write-ahead log begins a new file (default 128 MiB) */
  readonly walSegmentBytes?: number;
  /** where loading and disk trouble are reported (default console.error) */
  readonly log?: (line: string) => void;
}

export interface SegmentUsage {
  /** live segments, resident or not */
  readonly segments: number;
  /** of which in memory uncompressed (the open one included) */
  readonly resident: number;
  /** of which in memory compressed */
  readonly packed: number;
  /** blocks of compressed segments inflated for reads (cache misses) */
  readonly blocksInflated: number;
  readonly files: number;
  readonly diskBytes: number;
  /** segment files read back (cache misses) */
  readonly diskReads: number;
  /** segment files deleted whole, by reason */
  readonly deleted: Readonly<Record<FreeReason, number>>;
}

export class TraceStore implements SpanWriter, TraceReader, Component {
  private readonly now: () => number;
  private readonly dict: Dictionary;
  private readonly catalogue: Catalogue;
  private readonly arena: SegmentArena;
  private readonly table = new TraceTable();
  private readonly index: TermIndex;
  private readonly encoder: RecordEncoder;
  private readonly retention: Retention;
  private readonly search: TraceSearch;
  private readonly cursor: SpanCursor;
  private readonly deps: DependencyIndex;
  private readonly facts: RecordFacts;
  private readonly disk: TraceDataDir | undefined;
  private readonly memorySegments: number;
  private readonly plainSegments: number;
  private readonly log: (line: string) => void;
  /** wall clock of the newest stored batch (a sealed segment's files says it) */
  private lastAppendMs = 0;
  private loaded = false;

  constructor(opts: TraceStoreOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.dict = new Dictionary(opts.valuesPerKey ?? 1000);
    this.catalogue = new Catalogue(this.dict.strs);
    this.arena = new SegmentArena(Math.max(1024, Math.floor((opts.segmentBytes ?? 1024 * 1024) / 4)));
    const table = this.table;
    this.index = new TermIndex((ord) => (table.isLive(ord) ? table.start[ord - table.base]! : -Infinity));
    this.encoder = new RecordEncoder(this.dict);
    const scanSource = { table, arena: this.arena, catalogue: this.catalogue, strs: this.dict.strs };
    this.deps = new DependencyIndex({
      firstLive: () => table.firstLive,
      traceStartNs: (o) => table.start[o - table.base]!,
      traceMaxSpanStartNs: (o) => table.maxSpanStart[o - table.base]!,
      forEachSpan: (o, fn) => forEachSpanLink(scanSource, o, fn),
      serviceName: (id) => this.dict.strs.strings[id]!,
    });
    const parts = {
      dict: this.dict,
      catalogue: this.catalogue,
      table,
      arena: this.arena,
      index: this.index,
      encoder: this.encoder,
      deps: this.deps,
    };
    this.log = opts.log ?? ((line) => console.error(line));
    this.memorySegments = opts.memorySegments ?? 16;
    this.plainSegments = opts.plainSegments ?? DEFAULT_PLAIN_SEGMENTS;
    // a sealed segment is compressed once: that form is kept in memory and is its file
    this.arena.onSeal = (seg) => {
      seg.packed = packSegment(seg, this.lastAppendMs);
      this.disk?.sealed(seg, this.lastAppendMs);
    };
    let tier: DiskTier | undefined;
    if (opts.dataDir !== undefined) {
      const disk = new TraceDataDir(
        {
          dir: opts.dataDir,
          cacheSegments: opts.cacheSegments,
          fsyncIntervalMs: opts.fsyncIntervalMs,
          walSegmentBytes: opts.walSegmentBytes,
          log: this.log,
        },
        this.dict,
        this.catalogue,
      );
      this.disk = disk;
      this.arena.onFree = (seg, reason) => disk.freed(seg, reason);
      this.arena.loader = (stub, word) => disk.load(stub, word);
      this.arena.mayReuse = (seg) => disk.isWritten(seg);
      tier = {
        evictOne: () => this.evictResident(Infinity) > 0,
        get bytes() {
          return disk.segments.bytes;
        },
      };
    }
    this.retention = new Retention(
      parts,
      opts.budgetBytes ?? 256 * 1024 * 1024,
      opts.retentionMs ?? 24 * 3600 * 1000,
      tier,
      opts.retentionBytes ?? Infinity,
    );
    this.search = new TraceSearch(parts);
    this.cursor = new SpanCursor(this.arena);
    this.facts = new RecordFacts(this.dict, this.catalogue.origins);
  }

  // ---------------------------------------------------------------- data directory

  /** Loads the data directory (dictionary, segment files, then the logged batches); idempotent. */
  start(): void {
    if (!this.disk || this.loaded) return;
    this.loaded = true;
    const t0 = performance.now();
    const disk = this.disk;
    disk.loadDictionary();
    let maxSeq = -1;
    const inFiles = new Set<number>();
    let skipped = 0;
    for (const file of disk.segments.list()) {
      maxSeq = Math.max(maxSeq, file.seq);
      let read: { data: SegmentData; packed: PackedSegment };
      try {
        read = disk.segments.read(file.seq);
      } catch (err) {
        disk.setAside(file.seq, err);
        continue;
      }
      disk.segments.track(file);
      const data = read.data;
      const seg = residentSegment(data, -1);
      seg.packed = read.packed;
      this.arena.restore(seg);
      skipped += this.restoreRecords(seg, data.lastAppendMs);
      inFiles.add(file.seq);
      // as it goes: loading a large directory must not hold every segment plain
      this.settleSegments();
    }
    const batches = disk.readBatches();
    for (const b of batches) maxSeq = Math.max(maxSeq, b.seq);
    // new segments never reuse a number a file or a logged batch names
    this.arena.reserveSeqThrough(maxSeq);
    let replayed = 0;
    for (const b of batches) {
      if (inFiles.has(b.seq)) continue;
      this.encoder.load(b.words, b.records, b.complex);
      this.storeEncoded(b.nowMs);
      replayed += this.encoder.count;
    }
    // the replayed records go to a file now, and the log is emptied: a second kill must not
    // replay them again beside the files written while replaying
    if (replayed > 0) this.arena.sealOpen();
    disk.replayDone();
    this.settleSegments();
    this.retention.enforce(this.now());
    const s = this.stats();
    this.log(
      `orrery: trace store: loaded ${s.traces} traces (${s.spans} spans) from ${inFiles.size} segment files and ${replayed} logged records in ${(performance.now() - t0).toFixed(0)} ms` +
        (skipped > 0 ? `; ${skipped} records of traces whose earlier records are gone were skipped` : ''),
    );
  }

  /** Writes the open segment and closes the logs. */
  shutdown(): void {
    if (!this.disk || !this.loaded) return;
    this.arena.sealOpen();
    this.disk.shutdown();
    this.loaded = false;
  }

  /**
   * Indexes the records of a segment read from disk; returns how many were skipped: records of
   * traces whose earlier records are gone (dropped, or in a segment that was lost).
   */
  private restoreRecords(seg: Segment, firstSeenMs: number): number {
    const { u32, used } = seg;
    const table = this.table;
    const base = seg.seq * SEGMENT_REF_SPAN;
    let skipped = 0;
    for (let r = 0; r + REC_HEADER_WORDS <= used;) {
      let end = r + REC_HEADER_WORDS;
      for (let n = u32[r + REC_NSPANS]!, k = 0; k < n; k++) {
        const w = u32[end + SP_WORDS]!;
        if (w < SP_FIXED_WORDS || end + w > used) {
          this.log(
            `orrery: trace store: segment ${seg.seq}: record at word ${r} runs past the segment; the rest is skipped`,
          );
          return skipped + 1;
        }
        end += w;
      }
      const prevRef = readF64(u32, r + REC_PREV);
      let ord = table.ordOfWords(u32, r + REC_TRACE_ID);
      if (prevRef >= 0 && (ord === undefined || table.lastRef[ord - table.base] !== prevRef)) {
        skipped++;
      } else {
        if (prevRef < 0) ord = table.addWords(u32, r + REC_TRACE_ID, firstSeenMs);
        if (ord! > seg.maxOrd) seg.maxOrd = ord!;
        this.indexRecord(ord!, base + r);
      }
      r = end;
    }
    return skipped;
  }

  /** After a batch: the plain window is compressed past its size, and the memory window evicted to disk. */
  private settleSegments(): void {
    this.compressOld();
    this.evictResident(this.memorySegments);
  }

  /** Sealed segments older than the newest `plainSegments` keep only their compressed words. */
  private compressOld(): void {
    const segs = this.arena.segments;
    let plain = 0;
    for (let i = segs.length - 1; i >= 0; i--) {
      const seg = segs[i]!;
      if (!seg.sealed || !seg.resident || !seg.packed) continue;
      if (++plain > this.plainSegments) this.arena.compress(seg);
    }
  }

  /**
   * Makes the oldest sealed segments whose files are written leave memory until at most `keep`
   * remain there, plain or compressed (besides the open one); returns how many it evicted
   * (Infinity: one).
   */
  private evictResident(keep: number): number {
    const disk = this.disk;
    if (!disk) return 0;
    const segs = this.arena.segments;
    let inMemory = 0;
    for (const seg of segs) if (seg.sealed && (seg.resident || seg.packed)) inMemory++;
    let evicted = 0;
    for (let i = 0; i < segs.length && (keep === Infinity ? evicted === 0 : inMemory > keep); i++) {
      const seg = segs[i]!;
      if (!(seg.resident || seg.packed) || !disk.isWritten(seg)) continue;
      this.arena.evict(seg);
      inMemory--;
      evicted++;
    }
    return evicted;
  }

  // ---------------------------------------------------------------- write path

  consumeTraces(batch: TracesData): void {
    // group the batch's spans by trace: one record per trace per batch
    const groups = new Map<string, { spans: Span[]; origins: Origin[] }>();
    let nSpans = 0;
    for (const rs of batch.resourceSpans) {
      for (const ss of rs.scopeSpans) {
        if (ss.spans.length === 0) continue;
        const origin = this.catalogue.originOf(rs, ss);
        for (const span of ss.spans) {
          let g = groups.get(span.traceId);
          if (!g) {
            g = { spans: [], origins: [] };
            groups.set(span.traceId, g);
          }
          g.spans.push(span);
          g.origins.push(origin);
          nSpans++;
        }
      }
    }
    // every record is encoded before any is stored: a span that cannot be encoded, or a batch
    // the log refuses, leaves no trace row, service or operation
    const enc = this.encoder;
    enc.begin();
    for (const [traceId, g] of groups) enc.encode(traceId, g.spans, g.origins);
    const now = this.now();
    if (enc.count > 0) {
      const seg = this.arena.prepare(enc.buf.len);
      // before anything is stored: a refusal (disk full) leaves the store as it was
      this.disk?.logBatch(enc, seg.seq, now);
      this.storeEncoded(now);
    }
    this.retention.enforce(now);
    this.index.sweep(this.table.nextOrd, 256 + nSpans * 16);
  }

  /** Stores the encoder's records (one batch: they go to one segment). */
  private storeEncoded(now: number): void {
    const enc = this.encoder;
    this.arena.prepare(enc.buf.len);
    this.lastAppendMs = now;
    for (let i = 0; i < enc.count; i++) this.append(i, now);
    this.settleSegments();
  }

  /** The one place a record is stored: encoded record i of the encoder's batch. */
  private append(i: number, now: number): void {
    const enc = this.encoder;
    const buf = enc.buf;
    const at = enc.recAt[i]!;
    const table = this.table;
    const idAt = at + REC_TRACE_ID;
    const ord = table.ordOfWords(buf.u32, idAt) ?? table.addWords(buf.u32, idAt, now);
    enc.setPrev(i, table.lastRef[ord - table.base]!);
    const ref = this.arena.append(
      buf,
      at,
      enc.recEnd[i]!,
      REC_COMPLEX_BASE,
      enc.recComplexFrom[i]!,
      enc.recComplexTo[i]!,
      enc.recComplexBytes[i]!,
      ord,
    );
    this.indexRecord(ord, ref);
  }

  /** Adds the stored record at ref (of trace ord) to the trace row, catalogue and index. */
  private indexRecord(ord: number, ref: number): void {
    const cur = this.cursor;
    cur.record(ref);
    const facts = this.facts;
    facts.read(cur);
    this.catalogue.addOperations(facts.operations);
    const table = this.table;
    const slot = ord - table.base;
    if (facts.minStart < table.start[slot]!) table.start[slot] = facts.minStart;
    if (facts.maxEnd > table.end[slot]!) table.end[slot] = facts.maxEnd;
    if (facts.maxStart > table.maxSpanStart[slot]!) table.maxSpanStart[slot] = facts.maxStart;
    if (facts.maxDurUs > table.maxDurUs[slot]!) table.maxDurUs[slot] = facts.maxDurUs;
    table.lastRef[slot] = ref;

    const traceStart = table.start[slot]!;
    const { terms, termMin, termMax, nTerms } = facts;
    const index = this.index;
    let added = 0;
    // resource and scope attributes are not indexed per trace (they would be a quarter of the
    // index); searches resolve them against the few origins instead
    for (let i = 0; i < nTerms; i++) if (index.add(terms[i]!, ord, traceStart, termMin[i]!, termMax[i]!)) added++;
    this.retention.added(ord, facts.spans, added);
    this.deps.touch(ord);
  }

  /**
   * Drops the oldest traces, a whole segment at a time and never the one being written, until the
   * estimate has fallen by `bytes`; returns the bytes freed. The memory limiter calls it to make
   * room under its soft limit instead of refusing input until retention frees data.
   */
  evictOldest(bytes: number): number {
    return this.retention.evictOldest(bytes);
  }

  /** Where the estimated bytes go (for benchmarks and the console's store page). */
  memory(): MemoryBreakdown {
    return this.retention.memory();
  }

  /** Segments in memory and on disk (all zero on disk without a data directory). */
  segmentUsage(): SegmentUsage {
    const segs = this.arena.segments;
    let resident = 0;
    let packed = 0;
    for (const seg of segs) {
      if (seg.resident) resident++;
      else if (seg.packed) packed++;
    }
    const disk = this.disk;
    return {
      segments: segs.length,
      resident,
      packed,
      blocksInflated: this.arena.unpacked.inflated,
      files: disk?.segments.files ?? 0,
      diskBytes: disk?.segments.bytes ?? 0,
      diskReads: disk?.segments.reads ?? 0,
      deleted: { ...(disk?.deleted ?? { time: 0, size: 0, memory: 0 }) },
    };
  }

  // ---------------------------------------------------------------- read path

  stats(): TraceStoreStats {
    this.retention.expire(this.now());
    const r = this.retention;
    return {
      traces: this.table.size,
      spans: r.liveSpans,
      bytes: r.bytesEstimate(),
      droppedTraces: r.droppedTraces,
      droppedSpans: r.droppedSpans,
    };
  }

  registerMetrics(registry: SelfMetrics): void {
    this.disk?.registerMetrics(registry);
    registry.gauge(SELF_METRICS.storedTraces, 'Traces held by the trace store.', () => this.stats().traces);
    registry.gauge(SELF_METRICS.storedSpans, 'Spans held by the trace store.', () => this.stats().spans);
    registry.gauge(
      SELF_METRICS.traceStoreBytes,
      'Estimated bytes held by the trace store.',
      () => this.stats().bytes,
      'bytes',
    );
    registry.counterFunc(
      SELF_METRICS.droppedTraces,
      'Traces dropped by the byte budget, retention or the memory limiter.',
      () => this.retention.droppedTraces,
    );
    registry.counterFunc(
      SELF_METRICS.droppedSpans,
      'Spans dropped by the byte budget, retention or the memory limiter.',
      () => this.retention.droppedSpans,
    );
  }

  getServices(): string[] {
    return this.catalogue.services();
  }

  getOperations(q: { readonly service: string; readonly spanKind?: string }): OperationInfo[] {
    return this.catalogue.operationsOf(q);
  }

  getTrace(traceId: string): Trace | undefined {
    this.retention.expire(this.now());
    const id = normalizeTraceId(traceId);
    if (id === undefined) return undefined;
    const ord = this.table.ordOf(id);
    return ord === undefined ? undefined : this.assemble(ord);
  }

  findTraces(q: TraceQuery): Trace[] {
    this.retention.expire(this.now());
    return this.search.find(q).map((ord) => this.assemble(ord));
  }

  /**
   * Calls `visit` with every stored span that itself satisfies the query (service, operation,
   * kind, tags, start window, duration), newest trace first; `q.limit` does not apply. For
   * statistics over all matching spans (the diagnosis comparison): no trace is assembled.
   */
  scanSpans(q: TraceQuery, visit: (span: StoredSpan) => void): void {
    this.retention.expire(this.now());
    const origins = this.catalogue.origins;
    this.search.forEachSpan(q, (cur, ord) => visit(decodeSpan(cur, this.table.idOf(ord), this.dict, origins)));
  }

  getDependencies(endTsMs: number, lookbackMs: number): DependencyLink[] {
    this.retention.expire(this.now());
    return this.deps.query(endTsMs, lookbackMs);
  }

  /** A trace's spans in arrival order: its records oldest first. */
  private assemble(ord: number): Trace {
    const table = this.table;
    const slot = ord - table.base;
    const traceId = table.idOf(ord);
    const cur = this.cursor;
    const refs: number[] = [];
    for (let ref = table.lastRef[slot]!; ref >= 0; ref = cur.prevRef) {
      refs.push(ref);
      cur.record(ref);
    }
    const spans: StoredSpan[] = [];
    const origins = this.catalogue.origins;
    for (let k = refs.length - 1; k >= 0; k--) {
      cur.record(refs[k]!);
      while (cur.nextInRecord()) spans.push(decodeSpan(cur, traceId, this.dict, origins));
    }
    return { traceId, spans, startTimeUnixNano: table.start[slot]!, endTimeUnixNano: table.end[slot]! };
  }
}

/** 32 lower-case hex digits from any-case hex of up to 32 digits (left-padded), else undefined. */
export function normalizeTraceId(id: string): string | undefined {
  if (id.length === 0 || id.length > 32 || !/^[0-9a-fA-F]+$/.test(id)) return undefined;
  return id.toLowerCase().padStart(32, '0');
}
