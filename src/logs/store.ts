// The embedded log store: OTLP log records mapped as Loki maps them (otlp-mapping.ts), grouped
// into streams by their stream labels, appended to per-stream chunks (chunk.ts, block.ts) and
// found through an index of stream labels (postings: label name → value → stream ids) and the
// chunks' trace/span ID hashes. A byte budget evicts the oldest cut chunks first, retention drops
// chunks not written to for longer than it, and limits refuse records too large to keep
// (counted, and reported to the client as OTLP partial success).
import type { Component } from '../component/component.js';
import type { LogsConsumer, Rejections } from '../consumer/consumer.js';
import { labelsKey, type Label, type Labels } from '../labels/labels.js';
import type { Matcher } from '../labels/matcher.js';
import type { LogsData, LogRecord, ScopeLogs } from '../otlp/model.js';
import type { SelfMetrics } from '../selfmetrics/registry.js';
import type { BlockCursor } from './block.js';
import { SymbolTable } from './block.js';
import type { RecordFields } from './block.js';
import { Chunk } from './chunk.js';
import { LogDataDir, type LogDataDirOptions, type LoggedBatch, type LoggedGroup } from './data-dir.js';
import {
  LEVELS,
  bodyLine,
  levelFromSeverity,
  mapResource,
  pushAttributes,
  type StreamMapping,
} from './otlp-mapping.js';

/** Loki's per-record limits (limits_config), with Loki's defaults. */
export interface LogLimits {
  /** max_line_size: a longer line is refused (default 256 KiB) */
  readonly maxLineBytes: number;
  /** max_structured_metadata_entries_count (default 128) */
  readonly maxMetadataEntries: number;
  /** max_structured_metadata_size (default 64 KiB) */
  readonly maxMetadataBytes: number;
}

export const DEFAULT_LOG_LIMITS: LogLimits = {
  maxLineBytes: 256 * 1024,
  maxMetadataEntries: 128,
  maxMetadataBytes: 64 * 1024,
};

/** Refusal reasons, under Loki's discarded-samples reason names. */
export const REFUSAL = {
  lineTooLong: 'line_too_long',
  metadataTooMany: 'structured_metadata_too_many',
  metadataTooLarge: 'structured_metadata_too_large',
} as const;

export interface LogStoreOptions {
  /** estimated memory the store may hold; the oldest chunks are dropped beyond it (default 128 MiB) */
  readonly budgetBytes?: number;
  /** chunks not written to for longer than this are dropped (default 24 h) */
  readonly retentionMs?: number;
  /** uncompressed size at which a stream's open chunk is cut and compressed (default 256 KiB) */
  readonly chunkBytes?: number;
  readonly limits?: Partial<LogLimits>;
  /** wall clock in ms (tests inject one) */
  readonly now?: () => number;
  /** with a directory (the backend gives <data-dir>/logs): every accepted batch is logged there and replayed on start */
  readonly dataDir?: string | Omit<LogDataDirOptions, 'log'>;
  readonly log?: (line: string) => void;
}

export interface Stream {
  readonly id: number;
  readonly labels: Labels;
  readonly key: string;
  /** cut chunks, oldest first */
  readonly chunks: Chunk[];
  head: Chunk | undefined;
}

/** What lets a scan skip chunks without reading their records. */
export interface ScanHints {
  /** substrings every matching line contains (a chunk whose block lacks one is skipped) */
  readonly lineContains?: readonly string[];
  /** trace or span IDs every matching record carries */
  readonly ids?: readonly string[];
  /**
   * called before each chunk, in scan order, with its time bounds: true ends the scan (the
   * caller has all it needs from chunks this old or new)
   */
  readonly stopBefore?: (minT: number, maxT: number) => boolean;
}

/** What a visit sees: the record's stream and chunk, and a cursor on the record. */
export interface ScannedRecord {
  readonly stream: Stream;
  readonly chunk: Chunk;
  readonly cursor: BlockCursor;
}

export interface LogStoreStats {
  readonly streams: number;
  readonly chunks: number;
  readonly records: number;
  readonly bytes: number;
  readonly lineBytes: number;
}

export class LogStore implements LogsConsumer, Component {
  readonly symbols = new SymbolTable();
  private readonly now: () => number;
  private readonly budgetBytes: number;
  private readonly retentionMs: number;
  private readonly chunkBytes: number;
  private readonly gramBytes: number;
  readonly limits: LogLimits;
  private readonly streams = new Map<string, Stream>();
  private readonly byId = new Map<number, Stream>();
  /** label name → value → stream ids */
  private readonly postings = new Map<string, Map<string, Set<number>>>();
  /** cut chunks in the order they were cut: eviction takes from the front */
  private readonly cutOrder: Chunk[] = [];
  private cutFront = 0;
  private nextStreamId = 1;
  private nextChunkId = 1;
  private cutBytes = 0;
  private liveRecords = 0;
  /** totals for self-metrics */
  appendedRecords = 0;
  evictedRecords = 0;
  readonly refused = new Map<string, number>();
  /** with a data directory: its write-ahead log */
  readonly dataDir: LogDataDir | undefined;
  private started = false;

  constructor(opts: LogStoreOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.budgetBytes = opts.budgetBytes ?? 128 * 1024 * 1024;
    this.retentionMs = opts.retentionMs ?? 24 * 3600_000;
    this.chunkBytes = opts.chunkBytes ?? 256 * 1024;
    // the 4-gram filter: 1/16 of the chunk's target size, a power of two of at least 512 bytes
    this.gramBytes = Math.max(512, 2 ** Math.round(Math.log2(this.chunkBytes / 16)));
    this.limits = { ...DEFAULT_LOG_LIMITS, ...opts.limits };
    for (const r of Object.values(REFUSAL)) this.refused.set(r, 0);
    const dd = typeof opts.dataDir === 'string' ? { dir: opts.dataDir } : opts.dataDir;
    this.dataDir = dd ? new LogDataDir({ ...dd, ...(opts.log ? { log: opts.log } : {}) }) : undefined;
  }

  // ---------------------------------------------------------------- write path

  consumeLogs(batch: LogsData, rejections?: Rejections): void {
    const nowMs = this.now();
    const groups: LoggedGroup[] = [];
    for (const rl of batch.resourceLogs) {
      let mapping: StreamMapping | undefined;
      let group: { labels: Label[]; origins: Label[][]; records: RecordFields[] } | undefined;
      for (const sl of rl.scopeLogs) {
        if (sl.logRecords.length === 0) continue;
        if (!mapping) mapping = mapResource(rl.resource.attributes);
        let origin = -1;
        for (const rec of sl.logRecords) {
          if (origin < 0) {
            group ??= { labels: mapping.labels, origins: [], records: [] };
            origin = group.origins.push(scopeOrigin(sl, mapping.resourceMetadata)) - 1;
          }
          const fields = this.admit(rec, group!.origins[origin]!, origin, nowMs, rejections);
          if (fields) group!.records.push(fields);
        }
      }
      if (group && group.records.length > 0) groups.push(group);
    }
    if (groups.length === 0) return this.enforce(nowMs);
    const logged: LoggedBatch = { nowMs, groups };
    // logged before it is stored: a failed write refuses the whole batch, keeping none of it
    this.dataDir?.logBatch(logged);
    this.appendedRecords += this.storeBatch(logged);
    this.enforce(nowMs);
    if (this.dataDir?.checkpointDue) this.dataDir.checkpoint(() => this.snapshot());
  }

  /** The record as stored, or undefined when a limit refuses it (counted, reported). */
  private admit(
    rec: LogRecord,
    origins: readonly Label[],
    origin: number,
    nowMs: number,
    rejections: Rejections | undefined,
  ): RecordFields | undefined {
    const line = bodyLine(rec.body);
    const lineBytes = Buffer.byteLength(line, 'utf8');
    const lim = this.limits;
    if (lineBytes > lim.maxLineBytes)
      return this.refuse(REFUSAL.lineTooLong, rejections, `line longer than ${lim.maxLineBytes} bytes`);
    // counted before flattening too, so that 10,000 attributes are refused without being walked
    const tooMany = (n: number): boolean => n + origins.length > lim.maxMetadataEntries;
    const attributes: Label[] = [];
    if (!tooMany(rec.attributes.length)) pushAttributes(attributes, rec.attributes);
    if (tooMany(rec.attributes.length) || tooMany(attributes.length))
      return this.refuse(
        REFUSAL.metadataTooMany,
        rejections,
        `more than ${lim.maxMetadataEntries} structured metadata entries`,
      );
    let mdBytes = 0;
    for (const a of attributes) mdBytes += a.name.length + a.value.length;
    for (const a of origins) mdBytes += a.name.length + a.value.length;
    if (mdBytes > lim.maxMetadataBytes)
      return this.refuse(
        REFUSAL.metadataTooLarge,
        rejections,
        `structured metadata larger than ${lim.maxMetadataBytes} bytes`,
      );
    return {
      timeNs: rec.timeUnixNano || rec.observedTimeUnixNano || nowMs * 1e6,
      observedNs: rec.observedTimeUnixNano,
      severityNumber: rec.severityNumber,
      severityText: rec.severityText,
      level: LEVELS.indexOf(levelFromSeverity(rec.severityNumber, rec.severityText)),
      traceId: rec.traceId,
      spanId: rec.spanId,
      origin,
      line,
      attributes,
    };
  }

  /** Appends a batch's records to their streams' heads; returns how many. */
  private storeBatch(batch: LoggedBatch): number {
    let n = 0;
    for (const g of batch.groups) {
      const stream = this.streamOf(g.labels);
      const keys = g.origins.map((o) => labelsKey(o));
      for (const rec of g.records) {
        let head = stream.head;
        if (head && head.rawBytes >= this.chunkBytes) {
          this.cutHead(stream);
          head = undefined;
        }
        if (!head) {
          head = new Chunk(this.nextChunkId++, stream.id, this.gramBytes);
          stream.head = head;
        }
        const origin = head.originOf(keys[rec.origin]!, () => [...g.origins[rec.origin]!]);
        head.append({ ...rec, origin }, Buffer.byteLength(rec.line, 'utf8'), this.symbols, batch.nowMs);
        this.liveRecords++;
        n++;
      }
    }
    return n;
  }

  /** The records held, one batch per chunk, in the order the chunks were last written to. */
  private *snapshot(): Generator<LoggedBatch> {
    const chunks: { stream: Stream; chunk: Chunk }[] = [];
    for (const stream of this.streams.values())
      for (const chunk of stream.head ? [...stream.chunks, stream.head] : stream.chunks)
        if (chunk.count > 0) chunks.push({ stream, chunk });
    chunks.sort((a, b) => a.chunk.lastWriteMs - b.chunk.lastWriteMs);
    for (const { stream, chunk } of chunks) {
      const records: RecordFields[] = [];
      const c = chunk.cursor(this.symbols);
      while (c.next())
        records.push({
          timeNs: c.timeNs,
          observedNs: c.observedNs,
          severityNumber: c.severityNumber,
          severityText: c.severityText,
          level: c.level,
          traceId: c.traceId,
          spanId: c.spanId,
          origin: c.origin,
          line: c.line,
          attributes: c.attributes(),
        });
      yield { nowMs: chunk.lastWriteMs, groups: [{ labels: stream.labels, origins: chunk.origins, records }] };
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** With a data directory: the log is replayed into the (empty) store, retention and budget applied. */
  start(): void {
    if (!this.dataDir || this.started) return;
    this.started = true;
    this.dataDir.replay((batch) => {
      this.storeBatch(batch);
      this.enforce(this.now());
    });
  }

  shutdown(): void {
    this.started = false;
    this.dataDir?.shutdown();
  }

  private refuse(reason: string, rejections: Rejections | undefined, why: string): undefined {
    this.refused.set(reason, (this.refused.get(reason) ?? 0) + 1);
    rejections?.add(`log records refused: ${why} (${reason})`);
    return undefined;
  }

  private streamOf(labels: readonly Label[]): Stream {
    const key = labelsKey(labels);
    let s = this.streams.get(key);
    if (s) return s;
    s = { id: this.nextStreamId++, labels, key, chunks: [], head: undefined };
    this.streams.set(key, s);
    this.byId.set(s.id, s);
    for (const l of labels) {
      let values = this.postings.get(l.name);
      if (!values) this.postings.set(l.name, (values = new Map()));
      let ids = values.get(l.value);
      if (!ids) values.set(l.value, (ids = new Set()));
      ids.add(s.id);
    }
    return s;
  }

  private dropStream(s: Stream): void {
    this.streams.delete(s.key);
    this.byId.delete(s.id);
    for (const l of s.labels) {
      const values = this.postings.get(l.name);
      const ids = values?.get(l.value);
      ids?.delete(s.id);
      if (ids && ids.size === 0) values!.delete(l.value);
      if (values && values.size === 0) this.postings.delete(l.name);
    }
  }

  private cutHead(stream: Stream): void {
    const head = stream.head;
    if (!head) return;
    head.cut();
    stream.head = undefined;
    stream.chunks.push(head);
    this.cutOrder.push(head);
    this.cutBytes += head.bytes;
  }

  /** Cuts every open chunk (benchmarks, and before measuring compressed sizes). */
  flush(): void {
    for (const s of this.streams.values()) this.cutHead(s);
  }

  // ---------------------------------------------------------------- budget and retention

  private enforce(nowMs: number): void {
    this.expire(nowMs);
    const over = this.bytesEstimate() - this.budgetBytes;
    if (over > 0) this.evictOldest(over);
  }

  /** Drops chunks last written to before the retention horizon. */
  expire(nowMs = this.now()): void {
    const horizon = nowMs - this.retentionMs;
    while (this.cutFront < this.cutOrder.length && this.cutOrder[this.cutFront]!.lastWriteMs < horizon)
      this.evictChunk(this.cutOrder[this.cutFront]!);
    for (const s of [...this.streams.values()]) {
      if (s.head && s.head.lastWriteMs < horizon) {
        this.liveRecords -= s.head.count;
        this.evictedRecords += s.head.count;
        s.head = undefined;
      }
      if (!s.head && s.chunks.length === 0) this.dropStream(s);
    }
  }

  /**
   * Drops the oldest cut chunks (then, if need be, the largest open ones) until the estimate has
   * fallen by `bytes`; returns the bytes freed. The memory limiter calls it too.
   */
  evictOldest(bytes: number): number {
    let freed = 0;
    while (freed < bytes && this.cutFront < this.cutOrder.length)
      freed += this.evictChunk(this.cutOrder[this.cutFront]!);
    while (freed < bytes) {
      let largest: Stream | undefined;
      for (const s of this.streams.values())
        if (s.head && (!largest || s.head.bytes > largest.head!.bytes)) largest = s;
      if (!largest) break;
      const head = largest.head!;
      freed += head.bytes;
      this.liveRecords -= head.count;
      this.evictedRecords += head.count;
      largest.head = undefined;
      if (largest.chunks.length === 0) this.dropStream(largest);
    }
    return freed;
  }

  private evictChunk(c: Chunk): number {
    // chunks are evicted from the front of the cut order, so this is that front (or retention's)
    if (this.cutOrder[this.cutFront] === c) this.cutFront++;
    if (this.cutFront > 1024 && this.cutFront * 2 > this.cutOrder.length) {
      this.cutOrder.splice(0, this.cutFront);
      this.cutFront = 0;
    }
    const s = this.byId.get(c.streamId);
    if (s) {
      const i = s.chunks.indexOf(c);
      if (i >= 0) s.chunks.splice(i, 1);
      if (!s.head && s.chunks.length === 0) this.dropStream(s);
    }
    const b = c.bytes;
    this.cutBytes -= b;
    this.liveRecords -= c.count;
    this.evictedRecords += c.count;
    return b;
  }

  bytesEstimate(): number {
    let heads = 0;
    for (const s of this.streams.values()) {
      heads += 160 + s.key.length * 2;
      if (s.head) heads += s.head.bytes;
    }
    return this.cutBytes + heads + this.symbols.bytes;
  }

  // ---------------------------------------------------------------- read path

  /** The streams whose labels satisfy every matcher (equality matchers through the postings). */
  matchStreams(matchers: readonly Matcher[]): Stream[] {
    this.expire();
    let candidates: Iterable<Stream> = this.streams.values();
    const eq = matchers.find((m) => m.type === '=' && m.value !== '');
    if (eq) {
      const ids = this.postings.get(eq.name)?.get(eq.value);
      if (!ids) return [];
      candidates = [...ids].map((id) => this.byId.get(id)!);
    }
    const out: Stream[] = [];
    for (const s of candidates) if (matchers.every((m) => m.matches(labelValue(s.labels, m.name)))) out.push(s);
    return out;
  }

  /** The chunks of `streams` that may hold records in [startNs, endNs] and satisfy the hints' IDs. */
  private chunksFor(streams: readonly Stream[], startNs: number, endNs: number, ids: readonly string[]): Chunk[] {
    const out: Chunk[] = [];
    for (const s of streams) {
      const all = s.head ? [...s.chunks, s.head] : s.chunks;
      for (const c of all) {
        if (c.count === 0 || c.maxT < startNs || c.minT > endNs) continue;
        if (ids.every((id) => c.mayContainId(id))) out.push(c);
      }
    }
    return out;
  }

  /**
   * Visits the records of `streams` with startNs <= time <= endNs, chunk by chunk: newest chunk
   * first when `backward`, oldest first otherwise (records within a chunk in arrival order).
   */
  scan(
    streams: readonly Stream[],
    startNs: number,
    endNs: number,
    backward: boolean,
    hints: ScanHints,
    visit: (r: ScannedRecord) => void,
  ): { chunks: number; records: number; bytes: number } {
    const chunks = this.chunksFor(streams, startNs, endNs, hints.ids ?? []);
    chunks.sort(backward ? (a, b) => b.maxT - a.maxT : (a, b) => a.minT - b.minT);
    const textNeedles = (hints.lineContains ?? []).filter((n) => n !== '');
    const needles = textNeedles.map((n) => Buffer.from(n, 'utf8'));
    let records = 0;
    let bytes = 0;
    let read = 0;
    for (const c of chunks) {
      if (hints.stopBefore?.(c.minT, c.maxT)) break;
      if (textNeedles.some((n) => !c.mayContainText(n))) continue;
      const block = c.block();
      read++;
      bytes += block.length;
      if (needles.some((n) => block.indexOf(n) < 0)) continue;
      const stream = this.byId.get(c.streamId)!;
      const cursor = c.cursor(this.symbols, block);
      const rec: ScannedRecord = { stream, chunk: c, cursor };
      while (cursor.next()) {
        records++;
        if (cursor.timeNs < startNs || cursor.timeNs > endNs) continue;
        visit(rec);
      }
    }
    return { chunks: read, records, bytes };
  }

  /** Stream label names of streams holding records in the range, sorted. */
  labelNames(startNs: number, endNs: number): string[] {
    const names = new Set<string>();
    for (const s of this.streamsInRange(startNs, endNs)) for (const l of s.labels) names.add(l.name);
    return [...names].sort();
  }

  labelValues(name: string, startNs: number, endNs: number, matchers: readonly Matcher[] = []): string[] {
    const values = new Set<string>();
    const streams = matchers.length > 0 ? this.matchStreams(matchers) : [...this.streams.values()];
    for (const s of streams) {
      if (!this.hasDataIn(s, startNs, endNs)) continue;
      const v = labelValue(s.labels, name);
      if (v !== '') values.add(v);
    }
    return [...values].sort();
  }

  /** The streams matching any of the matcher sets with records in the range. */
  series(matcherSets: readonly (readonly Matcher[])[], startNs: number, endNs: number): Stream[] {
    const out = new Map<number, Stream>();
    const sets = matcherSets.length > 0 ? matcherSets : [[]];
    for (const ms of sets)
      for (const s of ms.length ? this.matchStreams(ms) : this.streams.values())
        if (this.hasDataIn(s, startNs, endNs)) out.set(s.id, s);
    return [...out.values()];
  }

  /** /index/stats: streams, chunks, entries and line bytes of the matching data in the range. */
  indexStats(matchers: readonly Matcher[], startNs: number, endNs: number): LogStoreStats {
    let streams = 0;
    let chunks = 0;
    let records = 0;
    let bytes = 0;
    let lineBytes = 0;
    for (const s of this.matchStreams(matchers)) {
      const cs = this.chunksFor([s], startNs, endNs, []);
      if (cs.length === 0) continue;
      streams++;
      for (const c of cs) {
        chunks++;
        records += c.count;
        bytes += c.bytes;
        lineBytes += c.lineBytes;
      }
    }
    return { streams, chunks, records, bytes, lineBytes };
  }

  /** Line bytes per stream in the range (chunk granularity, as Loki's volume index is). */
  volumeByStream(matchers: readonly Matcher[], startNs: number, endNs: number): { labels: Labels; bytes: number }[] {
    const out: { labels: Labels; bytes: number }[] = [];
    for (const s of this.matchStreams(matchers)) {
      let bytes = 0;
      for (const c of this.chunksFor([s], startNs, endNs, [])) bytes += c.lineBytes;
      if (bytes > 0) out.push({ labels: s.labels, bytes });
    }
    return out;
  }

  private streamsInRange(startNs: number, endNs: number): Stream[] {
    this.expire();
    return [...this.streams.values()].filter((s) => this.hasDataIn(s, startNs, endNs));
  }

  private hasDataIn(s: Stream, startNs: number, endNs: number): boolean {
    return this.chunksFor([s], startNs, endNs, []).length > 0;
  }

  stats(): LogStoreStats {
    this.expire();
    let chunks = 0;
    let lineBytes = 0;
    for (const s of this.streams.values()) {
      for (const c of s.chunks) {
        chunks++;
        lineBytes += c.lineBytes;
      }
      if (s.head) {
        chunks++;
        lineBytes += s.head.lineBytes;
      }
    }
    return { streams: this.streams.size, chunks, records: this.liveRecords, bytes: this.bytesEstimate(), lineBytes };
  }

  registerMetrics(registry: SelfMetrics): void {
    this.dataDir?.registerMetrics(registry);
    registry.gauge('orrery_log_store_records', 'Log records held by the log store.', () => this.stats().records);
    registry.gauge('orrery_log_store_streams', 'Log streams held by the log store.', () => this.stats().streams);
    registry.gauge(
      'orrery_log_store_bytes',
      'Estimated bytes held by the log store.',
      () => this.stats().bytes,
      'bytes',
    );
    registry.counterFunc('orrery_log_store_appended_records_total', 'Log records stored.', () => this.appendedRecords);
    registry.counterFunc(
      'orrery_log_store_evicted_records_total',
      'Log records dropped by the byte budget, retention or the memory limiter.',
      () => this.evictedRecords,
    );
    registry.counterFunc(
      'orrery_log_store_refused_records_total',
      'Log records refused by a per-record limit, by reason.',
      () => [...this.refused].map(([reason, value]) => ({ labels: { reason }, value })),
    );
  }
}

function labelValue(labels: Labels, name: string): string {
  for (const l of labels) if (l.name === name) return l.value;
  return '';
}

/** The metadata a scope's records share: scope name, version and attributes, then the resource's. */
function scopeOrigin(sl: ScopeLogs, resourceMetadata: readonly Label[]): Label[] {
  const out: Label[] = [];
  if (sl.scope.name !== '') out.push({ name: 'scope_name', value: sl.scope.name });
  if (sl.scope.version !== '') out.push({ name: 'scope_version', value: sl.scope.version });
  pushAttributes(out, sl.scope.attributes);
  out.push(...resourceMetadata);
  return out;
}

/**
 * A record's structured metadata in Loki's order: its attributes, observed_timestamp,
 * severity_number, severity_text, span_id, trace_id, then its scope's and resource's, and
 * detected_level.
 */
export function recordMetadata(r: ScannedRecord): Label[] {
  const c = r.cursor;
  const out = c.attributes();
  if (c.observedNs > 0) out.push({ name: 'observed_timestamp', value: BigInt(c.observedNs).toString() });
  if (c.severityNumber > 0) out.push({ name: 'severity_number', value: String(c.severityNumber) });
  if (c.severityText !== '') out.push({ name: 'severity_text', value: c.severityText });
  if (c.spanId !== '') out.push({ name: 'span_id', value: c.spanId });
  if (c.traceId !== '') out.push({ name: 'trace_id', value: c.traceId });
  const origin = r.chunk.origins[c.origin];
  if (origin) out.push(...origin);
  out.push({ name: 'detected_level', value: c.levelName });
  return out;
}
