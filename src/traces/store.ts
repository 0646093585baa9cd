// The embedded trace store: an in-memory SpanWriter + TraceReader, assembled from parts the way
// the TSDB head delegates to postings, chunks and exemplars:
//
//   intern.ts       Dictionary: keys, names and low-cardinality values stored once, by id
//   catalogue.ts    origins (resource + scope) and the services and operations seen
//   codec.ts        the record encoder, the one walker over stored records, the decoder
//   arena.ts        append-only word segments records are copied into, freed whole
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
import { SegmentArena } from './arena.js';
import { Catalogue, type Origin } from './catalogue.js';
import { decodeSpan, RecordEncoder, recordTraceId, SpanCursor } from './codec.js';
import { DependencyIndex } from './dependencies.js';
import { forEachSpanLink } from './dependency-scan.js';
import { Dictionary } from './intern.js';
import { REC_COMPLEX_BASE } from './layout.js';
import { TermIndex } from './postings.js';
import { RecordFacts } from './record-facts.js';
import { Retention, type MemoryBreakdown } from './retention.js';
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
  /** called with a batch's encoded records before any is stored (the write-ahead log); may throw to refuse the batch */
  private readonly beforeStore: ((enc: RecordEncoder) => void) | undefined;

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
    this.retention = new Retention(parts, opts.budgetBytes ?? 256 * 1024 * 1024, opts.retentionMs ?? 24 * 3600 * 1000);
    this.search = new TraceSearch(parts);
    this.cursor = new SpanCursor(this.arena);
    this.facts = new RecordFacts(this.dict, this.catalogue.origins);
    this.beforeStore = undefined;
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
    this.beforeStore?.(enc);
    const now = this.now();
    for (let i = 0; i < enc.count; i++) this.append(i, now);
    this.retention.enforce(now);
    this.index.sweep(this.table.nextOrd, 256 + nSpans * 16);
  }

  /** The one place a record is stored: encoded record i of the encoder's batch. */
  private append(i: number, now: number): void {
    const enc = this.encoder;
    const buf = enc.buf;
    const at = enc.recAt[i]!;
    const traceId = recordTraceId(buf.u32, at);
    const table = this.table;
    const ord = table.ordOf(traceId) ?? table.add(traceId, now);
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
    table.lastRef[slot] = ref;

    const traceStart = table.start[slot]!;
    const { terms, termStarts } = facts;
    const index = this.index;
    let added = 0;
    // resource and scope attributes are not indexed per trace (they would be a quarter of the
    // index); searches resolve them against the few origins instead
    for (let i = 0; i < terms.length; i++) if (index.add(terms[i]!, ord, traceStart, termStarts[i]!)) added++;
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
