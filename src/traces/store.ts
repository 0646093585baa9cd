// The embedded trace store: an in-memory SpanWriter + TraceReader.
//
// Layout (why it is small): spans are packed into append-only word segments (arena.ts,
// layout.ts) with keys, names and low-cardinality values interned (intern.ts); a trace is a row
// in a columnar trace table (typed arrays indexed by arrival ordinal) pointing at its newest
// record. The search index (postings.ts) maps hashed terms to trace ordinals. Traces are
// dropped strictly in arrival order, so "dropped" is just `ord < firstLive`, and segments are
// freed whole once every trace in them is gone.
import {
  anyValueToString,
  int64Value,
  type AnyValue,
  type InstrumentationScope,
  type KeyValue,
  type Resource,
  type ResourceSpans,
  type ScopeSpans,
  type Span,
  type SpanEvent,
  type SpanKind,
  type SpanLink,
  type StatusCode,
  type TracesData,
} from '../otlp/model.js';
import { hexWord, newSegment, readF64, readString, SEGMENT_REF_SPAN, WordBuf, wordHex, type Segment } from './arena.js';
import { DependencyIndex } from './dependencies.js';
import { hashString, mix, StringTable } from './intern.js';
import {
  B_HAS_DROPPED,
  B_HAS_EVENTS,
  B_HAS_FLAGS,
  B_HAS_LINKS,
  B_HAS_PARENT,
  B_HAS_STATUS_MSG,
  B_HAS_TRACE_STATE,
  MAX_COUNT,
  payloadWords,
  REC_COMPLEX_BASE,
  REC_HEADER_WORDS,
  REC_NSPANS,
  REC_PREV,
  SP_BITS,
  SP_END,
  SP_FIXED_WORDS,
  SP_ID,
  SP_NAME,
  SP_ORIGIN,
  SP_PARENT,
  SP_START,
  SP_WORDS,
  V_COMPLEX,
  V_DOUBLE,
  V_EMPTY,
  V_FALSE,
  V_INT,
  V_INT32,
  V_INT64,
  V_STR,
  V_STR_ID,
  V_TRUE,
} from './layout.js';
import type { Component } from '../component/component.js';
import { SELF_METRICS } from '../names/contract.js';
import type { SelfMetrics } from '../selfmetrics/registry.js';
import { CHUNK, Posting, TermIndex } from './postings.js';
import {
  JAEGER_SPAN_KINDS,
  type DependencyLink,
  type OperationInfo,
  type SpanWriter,
  type StoredSpan,
  type Trace,
  type TraceQuery,
  type TraceReader,
  type TraceStoreStats,
} from './storage.js';

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

const UNKNOWN_SERVICE = 'unknown_service';
const MAX_INTERNED_VALUE_LENGTH = 256;

// Term salts for the non-attribute terms; attribute terms are mix(hash(key), hash(value text)).
const T_SERVICE = 0x5e5e1ce;
const T_OPERATION = 0x0be7a71;
const T_DURATION = 0x0d0a7105;
/**
 * Duration thresholds (µs) indexed per service: a span adds a term for every threshold it
 * reaches, so a minDuration search walks only traces with a long enough span of that service
 * (within a factor of ~3) instead of every trace of the service.
 */
const DURATION_THRESHOLDS_US = [1e3, 3e3, 1e4, 3e4, 1e5, 3e5, 1e6, 3e6, 1e7, 3e7, 1e8];
const H_TRUE = hashString('true');
const H_FALSE = hashString('false');
const H_EMPTY = hashString('');

// Jaeger's derived tags (how it shows OTLP fields), searchable like attributes.
const K_SPAN_KIND = 'span.kind';
const K_STATUS_CODE = 'otel.status_code';
const K_STATUS_DESC = 'otel.status_description';
const K_ERROR = 'error';
const K_SCOPE_NAME = 'otel.scope.name';
const K_SCOPE_VERSION = 'otel.scope.version';
const K_TRACE_STATE = 'w3c.tracestate';
const STATUS_TEXT = ['', 'OK', 'ERROR'];

function attrTerm(key: string, text: string): number {
  return mix(hashString(key), hashString(text));
}
const KIND_TERMS = JAEGER_SPAN_KINDS.map((k) => (k === '' ? -1 : attrTerm(K_SPAN_KIND, k)));
const STATUS_TERMS = STATUS_TEXT.map((s) => (s === '' ? -1 : attrTerm(K_STATUS_CODE, s)));
const ERROR_TERM = attrTerm(K_ERROR, 'true');
const H_STATUS_DESC = hashString(K_STATUS_DESC);
const H_TRACE_STATE = hashString(K_TRACE_STATE);

interface Origin {
  readonly id: number;
  readonly resourceId: number;
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly serviceName: string;
  readonly serviceId: number;
  readonly bytes: number;
}

/** A search compiled against the store's tables. */
interface CompiledTag {
  readonly key: string;
  readonly value: string;
  /** -1 when no stored attribute has this key */
  readonly keyId: number;
  readonly term: number;
  /** interned id of the value text, -1 if not interned */
  readonly strId: number;
  readonly bytes: Buffer;
  /** the value as a number when its text is a number's canonical text, else NaN */
  readonly num: number;
  /** the value as an int64 beyond 2^53 when its text is that integer's canonical text */
  readonly int64: bigint | undefined;
  /** whether some origin's resource or scope satisfies it */
  readonly viaOrigin: boolean;
}

interface CompiledQuery {
  readonly serviceId: number;
  readonly nameId: number;
  readonly kind: number;
  readonly tags: readonly CompiledTag[];
  readonly startMinNs: number;
  readonly startMaxNs: number;
  readonly durMinUs: number;
  readonly durMaxUs: number;
  /** per origin id: bitmask of tags its resource/scope satisfies (computed lazily) */
  readonly originMasks: Map<number, number>;
  readonly allTagsMask: number;
}

export class TraceStore implements SpanWriter, TraceReader, Component {
  private readonly budgetBytes: number;
  private readonly retentionMs: number;
  private readonly now: () => number;
  private readonly segmentWords: number;
  private readonly valuesPerKey: number;

  // string tables
  private readonly keys = new StringTable();
  private readonly strs = new StringTable();
  /** per key id: how many distinct values it has interned */
  private readonly keyValueCount: number[] = [];

  // origins (resource + scope) and the catalog of services and operations
  private readonly origins: Origin[] = [];
  private readonly originByKey = new Map<string, Origin>();
  private readonly resourceByKey = new Map<string, { id: number; resource: Resource }>();
  private readonly operations = new Map<number, Set<number>>();
  private originBytes = 0;

  // segments
  private readonly segments: Segment[] = [];
  private nextSegSeq = 0;
  private readonly buf = new WordBuf();

  // trace table, indexed by ord - base
  private readonly traceIds = new Map<string, number>();
  private base = 0;
  private firstLive = 0;
  private nextOrd = 0;
  private cap = 0;
  private ids: (string | undefined)[] = [];
  private tStart = new Float64Array(0);
  private tEnd = new Float64Array(0);
  private tMaxSpanStart = new Float64Array(0);
  private tLastRef = new Float64Array(0);
  private tFirstSeen = new Float64Array(0);
  private tSpans = new Uint32Array(0);
  private tEntries = new Uint32Array(0);
  /** per trace: the last query generation that checked it (dedupes candidates) */
  private tChecked = new Uint32Array(0);
  private queryGen = 0;

  private readonly index = new TermIndex((ord) =>
    ord >= this.firstLive && ord < this.nextOrd ? this.tStart[ord - this.base]! : -Infinity,
  );

  private readonly deps = new DependencyIndex({
    firstLive: () => this.firstLive,
    traceStartNs: (ord) => this.tStart[ord - this.base]!,
    traceMaxSpanStartNs: (ord) => this.tMaxSpanStart[ord - this.base]!,
    forEachSpan: (ord, fn) => this.forEachSpanLink(ord, fn),
    serviceName: (id) => this.strs.strings[id]!,
  });

  private liveSpans = 0;
  private liveEntries = 0;
  private droppedTraces = 0;
  private droppedSpans = 0;

  // per-record scratch: terms and the span start they came with
  private readonly termScratch: number[] = [];
  private readonly termStartScratch: number[] = [];
  /** per record: (service id, name id * 8 + kind) of each span, registered once the record is kept */
  private readonly operationScratch: number[] = [];

  constructor(opts: TraceStoreOptions = {}) {
    this.budgetBytes = opts.budgetBytes ?? 256 * 1024 * 1024;
    this.retentionMs = opts.retentionMs ?? 24 * 3600 * 1000;
    this.now = opts.now ?? Date.now;
    this.segmentWords = Math.max(1024, Math.floor((opts.segmentBytes ?? 1024 * 1024) / 4));
    this.valuesPerKey = opts.valuesPerKey ?? 1000;
    this.growTable(1024);
  }

  // ---------------------------------------------------------------- write path

  consumeTraces(batch: TracesData): void {
    // group the batch's spans by trace: one record per trace per batch
    const groups = new Map<string, { spans: Span[]; origins: number[] }>();
    let nSpans = 0;
    for (const rs of batch.resourceSpans) {
      for (const ss of rs.scopeSpans) {
        if (ss.spans.length === 0) continue;
        const origin = this.originOf(rs, ss);
        for (const span of ss.spans) {
          let g = groups.get(span.traceId);
          if (!g) {
            g = { spans: [], origins: [] };
            groups.set(span.traceId, g);
          }
          g.spans.push(span);
          g.origins.push(origin.id);
          nSpans++;
        }
      }
    }
    const now = this.now();
    for (const [traceId, g] of groups) this.appendRecord(traceId, g.spans, g.origins, now);
    this.enforceLimits(now);
    this.index.sweep(this.nextOrd, 256 + nSpans * 16);
  }

  private originOf(rs: ResourceSpans, ss: ScopeSpans): Origin {
    const resKey = attrsKey(rs.resource.attributes);
    const key = `${resKey}\u0001${ss.scope.name}\u0001${ss.scope.version}\u0001${attrsKey(ss.scope.attributes)}`;
    const known = this.originByKey.get(key);
    if (known) return known;
    let res = this.resourceByKey.get(resKey);
    if (!res) {
      res = { id: this.resourceByKey.size, resource: rs.resource };
      this.resourceByKey.set(resKey, res);
    }
    const svc = rs.resource.attributes.find((kv) => kv.key === 'service.name');
    const serviceName = svc ? anyValueToString(svc.value) : UNKNOWN_SERVICE;
    const origin: Origin = {
      id: this.origins.length,
      resourceId: res.id,
      resource: res.resource,
      scope: ss.scope,
      serviceName,
      serviceId: this.strs.intern(serviceName),
      bytes: key.length * 2 + 200,
    };
    this.origins.push(origin);
    this.originByKey.set(key, origin);
    this.originBytes += origin.bytes;
    return origin;
  }

  /**
   * Encodes the spans first and changes the store only once that has succeeded, so a span that
   * cannot be encoded leaves no trace row, service or operation behind.
   */
  private appendRecord(traceId: string, spans: Span[], originIds: number[], now: number): void {
    const buf = this.buf;
    buf.reset();
    buf.ensure(REC_HEADER_WORDS);
    buf.u32[REC_NSPANS] = spans.length;
    buf.u32[REC_COMPLEX_BASE] = 0;
    buf.len = REC_PREV;
    buf.f64(-1); // the previous record's ref, known once the trace row is
    buf.word(hexWord(traceId, 0));
    buf.word(hexWord(traceId, 8));
    buf.word(hexWord(traceId, 16));
    buf.word(hexWord(traceId, 24));

    const terms = this.termScratch;
    const termStarts = this.termStartScratch;
    const operations = this.operationScratch;
    terms.length = 0;
    termStarts.length = 0;
    operations.length = 0;
    let minStart = Infinity;
    let maxEnd = -Infinity;
    let maxStart = -Infinity;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      const origin = this.origins[originIds[i]!]!;
      this.encodeSpan(span, origin, terms, termStarts, operations);
      const s = span.startTimeUnixNano;
      if (s < minStart) minStart = s;
      if (s > maxStart) maxStart = s;
      if (span.endTimeUnixNano > maxEnd) maxEnd = span.endTimeUnixNano;
    }

    let ord = this.traceIds.get(traceId);
    if (ord === undefined) ord = this.newTrace(traceId, now);
    const slot = ord - this.base;
    const end = buf.len;
    buf.len = REC_PREV;
    buf.f64(this.tLastRef[slot]!);
    buf.len = end;
    const ref = this.commit(ord);
    for (let i = 0; i < operations.length; i += 2) {
      let ops = this.operations.get(operations[i]!);
      if (!ops) this.operations.set(operations[i]!, (ops = new Set()));
      ops.add(operations[i + 1]!);
    }

    if (minStart < this.tStart[slot]!) this.tStart[slot] = minStart;
    if (maxEnd > this.tEnd[slot]!) this.tEnd[slot] = maxEnd;
    if (maxStart > this.tMaxSpanStart[slot]!) this.tMaxSpanStart[slot] = maxStart;
    this.tLastRef[slot] = ref;
    this.tSpans[slot] = this.tSpans[slot]! + spans.length;
    this.liveSpans += spans.length;

    const traceStart = this.tStart[slot]!;
    let added = 0;
    const index = this.index;
    // resource and scope attributes are not indexed per trace (they would be a quarter of the
    // index); searches resolve them against the few origins instead
    for (let i = 0; i < terms.length; i++) if (index.add(terms[i]!, ord, traceStart, termStarts[i]!)) added++;
    this.tEntries[slot] = this.tEntries[slot]! + added;
    this.liveEntries += added;
    this.deps.touch(ord);
  }

  private newTrace(traceId: string, now: number): number {
    if (this.nextOrd - this.base >= this.cap) {
      const dead = this.firstLive - this.base;
      if (dead >= this.cap / 2) this.shiftTable(dead);
      else this.growTable(this.cap * 2);
    }
    const ord = this.nextOrd++;
    const slot = ord - this.base;
    this.traceIds.set(traceId, ord);
    this.ids[slot] = traceId;
    this.tStart[slot] = Infinity;
    this.tEnd[slot] = -Infinity;
    this.tMaxSpanStart[slot] = -Infinity;
    this.tLastRef[slot] = -1;
    this.tFirstSeen[slot] = now;
    this.tSpans[slot] = 0;
    this.tEntries[slot] = 0;
    this.tChecked[slot] = 0;
    return ord;
  }

  private growTable(cap: number): void {
    const grow = <T extends Float64Array | Uint32Array>(a: T, make: (n: number) => T): T => {
      const next = make(cap);
      next.set(a);
      return next;
    };
    this.tStart = grow(this.tStart, (n) => new Float64Array(n));
    this.tEnd = grow(this.tEnd, (n) => new Float64Array(n));
    this.tMaxSpanStart = grow(this.tMaxSpanStart, (n) => new Float64Array(n));
    this.tLastRef = grow(this.tLastRef, (n) => new Float64Array(n));
    this.tFirstSeen = grow(this.tFirstSeen, (n) => new Float64Array(n));
    this.tSpans = grow(this.tSpans, (n) => new Uint32Array(n));
    this.tEntries = grow(this.tEntries, (n) => new Uint32Array(n));
    this.tChecked = grow(this.tChecked, (n) => new Uint32Array(n));
    this.cap = cap;
  }

  /** Moves the live rows down by `by` slots (amortised: only when half the table is dead). */
  private shiftTable(by: number): void {
    const n = this.nextOrd - this.base;
    for (const a of [
      this.tStart,
      this.tEnd,
      this.tMaxSpanStart,
      this.tLastRef,
      this.tFirstSeen,
      this.tSpans,
      this.tEntries,
      this.tChecked,
    ]) {
      a.copyWithin(0, by, n);
    }
    this.ids.splice(0, by);
    this.base += by;
  }

  /** Copies the encoded record to the current segment and returns its ref. */
  private commit(ord: number): number {
    const buf = this.buf;
    const words = buf.len;
    let seg = this.segments[this.segments.length - 1];
    if (!seg || seg.used + words > seg.u32.length) {
      seg = newSegment(this.nextSegSeq++, Math.max(this.segmentWords, words));
      this.segments.push(seg);
    }
    const off = seg.used;
    if (words <= 512) {
      // a plain loop beats creating a subarray view for the typical record of a few spans
      const src = buf.u32;
      const dst = seg.u32;
      for (let i = 0; i < words; i++) dst[off + i] = src[i]!;
    } else seg.u32.set(buf.u32.subarray(0, words), off);
    seg.u32[off + REC_COMPLEX_BASE] = seg.complex.length;
    for (const v of buf.complex) seg.complex.push(v);
    seg.complexBytes += buf.complexBytes;
    seg.used += words;
    if (ord > seg.maxOrd) seg.maxOrd = ord;
    return seg.seq * SEGMENT_REF_SPAN + off;
  }

  /** Encodes one span into the record buffer; its (service id, operation) pair goes to `operations`. */
  private encodeSpan(span: Span, origin: Origin, terms: number[], termStarts: number[], operations: number[]): void {
    const buf = this.buf;
    const p = buf.len;
    const start = span.startTimeUnixNano;
    buf.ensure(SP_FIXED_WORDS);
    buf.len += 1; // SP_WORDS, set at the end
    buf.word(hexWord(span.spanId, 0));
    buf.word(hexWord(span.spanId, 8));
    const hasParent = span.parentSpanId !== '';
    buf.word(hasParent ? hexWord(span.parentSpanId, 0) : 0);
    buf.word(hasParent ? hexWord(span.parentSpanId, 8) : 0);
    buf.f64(start);
    buf.f64(span.endTimeUnixNano);
    const nameId = this.strs.intern(span.name);
    buf.word(nameId);
    buf.word(origin.id);
    const nAttrs = Math.min(span.attributes.length, MAX_COUNT);
    const dropped =
      span.droppedAttributesCount + span.droppedEventsCount + span.droppedLinksCount > 0 ||
      nAttrs < span.attributes.length;
    const kind = span.kind & 7;
    const code = span.status.code & 3;
    const bits =
      kind |
      (code << 3) |
      (hasParent ? B_HAS_PARENT : 0) |
      (span.flags !== 0 ? B_HAS_FLAGS : 0) |
      (span.traceState !== '' ? B_HAS_TRACE_STATE : 0) |
      (span.status.message !== '' ? B_HAS_STATUS_MSG : 0) |
      (dropped ? B_HAS_DROPPED : 0) |
      (span.events.length > 0 ? B_HAS_EVENTS : 0) |
      (span.links.length > 0 ? B_HAS_LINKS : 0) |
      (nAttrs << 16);
    buf.word(bits);
    if (span.flags !== 0) buf.word(span.flags);
    if (span.traceState !== '') {
      buf.str(span.traceState);
      terms.push(mix(H_TRACE_STATE, hashString(span.traceState)));
      termStarts.push(start);
    }
    if (span.status.message !== '') {
      buf.str(span.status.message);
      terms.push(mix(H_STATUS_DESC, hashString(span.status.message)));
      termStarts.push(start);
    }
    if (dropped) {
      buf.word(span.droppedAttributesCount + (span.attributes.length - nAttrs));
      buf.word(span.droppedEventsCount);
      buf.word(span.droppedLinksCount);
    }
    for (let i = 0; i < nAttrs; i++) this.encodeAttr(span.attributes[i]!, terms, termStarts, start);
    if (span.events.length > 0) {
      buf.word(span.events.length);
      for (const ev of span.events) {
        buf.f64(ev.timeUnixNano);
        buf.word(this.strs.intern(ev.name));
        const n = Math.min(ev.attributes.length, MAX_COUNT);
        buf.word(n | (Math.min(ev.droppedAttributesCount + ev.attributes.length - n, MAX_COUNT) << 16));
        for (let i = 0; i < n; i++) this.encodeAttr(ev.attributes[i]!, terms, termStarts, start);
      }
    }
    if (span.links.length > 0) {
      buf.word(span.links.length);
      for (const l of span.links) {
        buf.word(hexWord(l.traceId, 0));
        buf.word(hexWord(l.traceId, 8));
        buf.word(hexWord(l.traceId, 16));
        buf.word(hexWord(l.traceId, 24));
        buf.word(hexWord(l.spanId, 0));
        buf.word(hexWord(l.spanId, 8));
        buf.str(l.traceState);
        buf.word(l.flags);
        const n = Math.min(l.attributes.length, MAX_COUNT);
        buf.word(n | (Math.min(l.droppedAttributesCount + l.attributes.length - n, MAX_COUNT) << 16));
        // link attributes are kept but not searchable (Jaeger does not search them either)
        for (let i = 0; i < n; i++) this.encodeAttr(l.attributes[i]!, undefined, undefined, start);
      }
    }
    buf.u32[p + SP_WORDS] = buf.len - p;

    // the span's own terms: service, service+operation, Jaeger's derived tags
    terms.push(mix(T_SERVICE, origin.serviceId), mix(mix(T_OPERATION, origin.serviceId), nameId));
    termStarts.push(start, start);
    const durUs = Math.round((span.endTimeUnixNano - start) / 1000);
    if (durUs >= DURATION_THRESHOLDS_US[0]!) {
      const durBase = mix(T_DURATION, origin.serviceId);
      for (let k = 0; k < DURATION_THRESHOLDS_US.length && durUs >= DURATION_THRESHOLDS_US[k]!; k++) {
        terms.push(mix(durBase, k));
        termStarts.push(start);
      }
    }
    if (kind !== 0 && kind < KIND_TERMS.length) {
      terms.push(KIND_TERMS[kind]!);
      termStarts.push(start);
    }
    if (code === 1 || code === 2) {
      terms.push(STATUS_TERMS[code]!);
      termStarts.push(start);
      if (code === 2) {
        terms.push(ERROR_TERM);
        termStarts.push(start);
      }
    }
    operations.push(origin.serviceId, nameId * 8 + kind);
  }

  /** Encodes one attribute; when terms is given, also records its search term. */
  private encodeAttr(kv: KeyValue, terms: number[] | undefined, termStarts: number[] | undefined, start: number): void {
    const buf = this.buf;
    const keyId = this.keys.intern(kv.key);
    const v = kv.value;
    let textHash: number;
    buf.ensure(3);
    switch (v.kind) {
      case 'string': {
        const s = v.value;
        let id = this.strs.get(s);
        if (
          id === undefined &&
          s.length <= MAX_INTERNED_VALUE_LENGTH &&
          (this.keyValueCount[keyId] ?? 0) < this.valuesPerKey
        ) {
          id = this.strs.add(s);
          this.keyValueCount[keyId] = (this.keyValueCount[keyId] ?? 0) + 1;
        }
        if (id !== undefined) {
          buf.word((keyId << 8) | V_STR_ID);
          buf.word(id);
          textHash = this.strs.hashes[id]!;
        } else {
          buf.word((keyId << 8) | V_STR);
          buf.str(s);
          textHash = hashString(s);
        }
        break;
      }
      case 'bool':
        buf.word((keyId << 8) | (v.value ? V_TRUE : V_FALSE));
        textHash = v.value ? H_TRUE : H_FALSE;
        break;
      case 'int': {
        const n = v.value;
        if (typeof n === 'bigint') {
          const u = BigInt.asUintN(64, n);
          buf.word((keyId << 8) | V_INT64);
          buf.word(Number(u & 0xffffffffn));
          buf.word(Number(u >> 32n));
        } else if (n >= -0x80000000 && n <= 0x7fffffff && Number.isInteger(n)) {
          buf.word((keyId << 8) | V_INT32);
          buf.word(n);
        } else {
          buf.word((keyId << 8) | V_INT);
          buf.f64(n);
        }
        textHash = hashString(String(n));
        break;
      }
      case 'double':
        buf.word((keyId << 8) | V_DOUBLE);
        buf.f64(v.value);
        textHash = hashString(String(v.value));
        break;
      case 'empty':
        buf.word((keyId << 8) | V_EMPTY);
        textHash = H_EMPTY;
        break;
      default: {
        const text = anyValueToString(v);
        buf.word((keyId << 8) | V_COMPLEX);
        buf.word(buf.complex.length);
        buf.complex.push(v);
        buf.complexBytes += text.length * 2 + 64;
        textHash = hashString(text);
      }
    }
    if (terms) {
      terms.push(mix(this.keys.hashes[keyId]!, textHash));
      termStarts!.push(start);
    }
  }

  // ---------------------------------------------------------------- retention

  /** Drops traces past the retention time (also on reads, so an idle store still forgets). */
  private expire(now: number): void {
    const cutoff = now - this.retentionMs;
    if (this.firstLive >= this.nextOrd || this.tFirstSeen[this.firstLive - this.base]! >= cutoff) return;
    while (this.firstLive < this.nextOrd && this.tFirstSeen[this.firstLive - this.base]! < cutoff) this.dropOldest();
    this.freeSegments();
  }

  private enforceLimits(now: number): void {
    this.expire(now);
    while (this.bytesEstimate() > this.budgetBytes && this.segments.length > 1) this.dropOldestSegment();
  }

  /**
   * Drops the oldest traces, a whole segment at a time and never the one being written, until the
   * estimate has fallen by `bytes`; returns the bytes freed. The memory limiter calls it to make
   * room under its soft limit instead of refusing input until retention frees data.
   */
  evictOldest(bytes: number): number {
    const before = this.bytesEstimate();
    while (before - this.bytesEstimate() < bytes && this.segments.length > 1) this.dropOldestSegment();
    return Math.max(0, before - this.bytesEstimate());
  }

  private dropOldestSegment(): void {
    const target = this.segments[0]!.maxOrd;
    while (this.firstLive <= target) this.dropOldest();
    this.freeSegments();
  }

  private dropOldest(): void {
    const slot = this.firstLive - this.base;
    const id = this.ids[slot];
    if (id !== undefined) this.traceIds.delete(id);
    this.ids[slot] = undefined;
    this.liveSpans -= this.tSpans[slot]!;
    this.liveEntries -= this.tEntries[slot]!;
    this.droppedTraces++;
    this.droppedSpans += this.tSpans[slot]!;
    this.firstLive++;
    this.index.firstLive = this.firstLive;
  }

  private freeSegments(): void {
    while (this.segments.length > 0 && this.segments[0]!.maxOrd < this.firstLive) this.segments.shift();
  }

  private bytesEstimate(): number {
    const m = this.memory();
    return m.segments + m.traceTable + m.index + m.strings + this.deps.bytesEstimate();
  }

  /** Where the estimated bytes go (for benchmarks and the console's store page). */
  memory(): {
    segments: number;
    segmentWordsUsed: number;
    traceTable: number;
    index: number;
    indexEntries: number;
    indexTerms: number;
    strings: number;
  } {
    let segments = this.buf.u32.byteLength;
    let used = 0;
    for (const s of this.segments) {
      segments += s.u32.byteLength + s.complexBytes;
      used += s.used;
    }
    // typed-array columns, plus per live trace its id string (~48 B) and Map entry (~40 B)
    const traceTable = this.cap * (8 * 5 + 4 * 3) + (this.nextOrd - this.firstLive) * 100;
    // index: entries as counted per live trace (4 B each in a Uint32Array, plus growth slack),
    // plus per-term overhead (map entry; list object, arrays and chunk bounds)
    const index = this.liveEntries * 5.5 + this.index.map.size * 40 + this.index.postings * 200;
    return {
      segments,
      segmentWordsUsed: used,
      traceTable,
      index,
      indexEntries: this.index.entries,
      indexTerms: this.index.map.size,
      strings: this.keys.bytes + this.strs.bytes + this.originBytes,
    };
  }

  // ---------------------------------------------------------------- read path

  stats(): TraceStoreStats {
    this.expire(this.now());
    return {
      traces: this.nextOrd - this.firstLive,
      spans: this.liveSpans,
      bytes: this.bytesEstimate(),
      droppedTraces: this.droppedTraces,
      droppedSpans: this.droppedSpans,
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
      () => this.droppedTraces,
    );
    registry.counterFunc(
      SELF_METRICS.droppedSpans,
      'Spans dropped by the byte budget, retention or the memory limiter.',
      () => this.droppedSpans,
    );
  }

  getServices(): string[] {
    const out: string[] = [];
    for (const id of this.operations.keys()) out.push(this.strs.strings[id]!);
    return out.sort();
  }

  getOperations(q: { readonly service: string; readonly spanKind?: string }): OperationInfo[] {
    const sid = this.strs.get(q.service);
    const ops = sid === undefined ? undefined : this.operations.get(sid);
    if (!ops) return [];
    const out: OperationInfo[] = [];
    for (const packed of ops) {
      const spanKind = JAEGER_SPAN_KINDS[packed & 7] ?? '';
      if (q.spanKind !== undefined && q.spanKind !== '' && q.spanKind !== spanKind) continue;
      out.push({ name: this.strs.strings[Math.floor(packed / 8)]!, spanKind });
    }
    return out.sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : a.spanKind < b.spanKind ? -1 : a.spanKind > b.spanKind ? 1 : 0,
    );
  }

  getTrace(traceId: string): Trace | undefined {
    this.expire(this.now());
    const id = normalizeTraceId(traceId);
    if (id === undefined) return undefined;
    const ord = this.traceIds.get(id);
    return ord === undefined ? undefined : this.assemble(ord);
  }

  findTraces(q: TraceQuery): Trace[] {
    this.expire(this.now());
    const cq = this.compile(q);
    if (!cq) return [];
    const limit = q.limit > 0 ? q.limit : Infinity;
    // the candidate list: the shortest posting among the query's indexed terms
    const terms: number[] = [];
    if (cq.serviceId >= 0)
      terms.push(cq.nameId >= 0 ? mix(mix(T_OPERATION, cq.serviceId), cq.nameId) : mix(T_SERVICE, cq.serviceId));
    if (cq.kind > 0) terms.push(KIND_TERMS[cq.kind]!);
    if (cq.serviceId >= 0 && cq.durMinUs >= DURATION_THRESHOLDS_US[0]!) {
      let k = 0;
      while (k + 1 < DURATION_THRESHOLDS_US.length && DURATION_THRESHOLDS_US[k + 1]! <= cq.durMinUs) k++;
      terms.push(mix(mix(T_DURATION, cq.serviceId), k));
    }
    // a tag some resource or scope satisfies can match spans without the term: not a candidate list
    for (const t of cq.tags) if (!t.viaOrigin) terms.push(t.term);
    let best: number | Posting | undefined;
    let bestLen = Infinity;
    for (const term of terms) {
      const p = this.index.get(term);
      if (p === undefined) return []; // no span holds this term: nothing can match
      const len = typeof p === 'number' ? 1 : p.live;
      if (len < bestLen) {
        best = p;
        bestLen = len;
      }
    }

    const gen = this.nextGen();
    const resOrds: number[] = [];
    const resStarts: number[] = [];
    const offer = (ord: number): void => {
      const slot = ord - this.base;
      if (this.tChecked[slot] === gen) return;
      this.tChecked[slot] = gen;
      const start = this.tStart[slot]!;
      // a trace that could not enter the results is not worth checking
      if (resOrds.length >= limit && start <= resStarts[resStarts.length - 1]!) return;
      if (!this.matches(ord, cq)) return;
      if (resOrds.length >= limit) {
        if (start <= resStarts[resStarts.length - 1]!) return;
        resOrds.pop();
        resStarts.pop();
      }
      // insertion keeps results sorted newest first
      let i = resOrds.length;
      while (i > 0 && resStarts[i - 1]! < start) i--;
      resOrds.splice(i, 0, ord);
      resStarts.splice(i, 0, start);
    };
    const full = (): boolean => resOrds.length >= limit;

    if (best === undefined) {
      for (let ord = this.nextOrd - 1; ord >= this.firstLive; ord--) offer(ord);
    } else if (typeof best === 'number') {
      if (best >= this.firstLive) offer(best);
    } else if (!best.maxStart) {
      for (let i = best.len - 1; i >= best.head; i--) {
        const ord = best.ordAt(i, this.firstLive);
        if (ord >= this.firstLive && ord < this.nextOrd) offer(ord);
      }
    } else {
      const p = best;
      const big = p.big!;
      const firstLive = this.firstLive;
      const liveCount = this.nextOrd - firstLive;
      for (let c = Math.floor((p.len - 1) / CHUNK); c >= 0; c--) {
        if (full() && resStarts[resStarts.length - 1]! >= p.prefMaxStart![c]!) break;
        if (p.prefMaxSpan![c]! < cq.startMinNs) break;
        if (p.maxSpan![c]! < cq.startMinNs || p.minSpan![c]! >= cq.startMaxNs) continue;
        const lo = Math.max(c * CHUNK, p.head);
        for (let i = Math.min(p.len, (c + 1) * CHUNK) - 1; i >= lo; i--) {
          const off = (big[i]! - firstLive) >>> 0;
          if (off < liveCount) offer(firstLive + off);
        }
        if (lo === p.head) break;
      }
    }
    return resOrds.map((ord) => this.assemble(ord));
  }

  /**
   * Calls `visit` with every stored span that itself satisfies the query (service, operation,
   * kind, tags, start window, duration), newest trace first; `q.limit` does not apply. For
   * statistics over all matching spans (the diagnosis comparison): no trace is assembled.
   */
  scanSpans(q: TraceQuery, visit: (span: StoredSpan) => void): void {
    this.expire(this.now());
    const cq = this.compile(q);
    if (!cq) return;
    for (let ord = this.nextOrd - 1; ord >= this.firstLive; ord--) {
      const slot = ord - this.base;
      if (this.tMaxSpanStart[slot]! < cq.startMinNs || this.tStart[slot]! >= cq.startMaxNs) continue;
      const traceId = this.ids[slot]!;
      for (let ref = this.tLastRef[slot]!; ref >= 0;) {
        const seg = this.segmentOf(ref);
        const u32 = seg.u32;
        const r = ref - seg.seq * SEGMENT_REF_SPAN;
        const n = u32[r + REC_NSPANS]!;
        const complexBase = u32[r + REC_COMPLEX_BASE]!;
        let p = r + REC_HEADER_WORDS;
        for (let i = 0; i < n; i++) {
          if (this.spanMatches(seg, p, complexBase, cq)) visit(this.decodeSpan(seg, p, complexBase, traceId));
          p += u32[p + SP_WORDS]!;
        }
        ref = readF64(u32, r + REC_PREV);
      }
    }
  }

  private nextGen(): number {
    this.queryGen = (this.queryGen + 1) >>> 0;
    if (this.queryGen === 0) {
      this.tChecked.fill(0);
      this.queryGen = 1;
    }
    return this.queryGen;
  }

  /** Resolves names to ids; undefined when some condition can never hold. */
  private compile(q: TraceQuery): CompiledQuery | undefined {
    let serviceId = -1;
    if (q.service !== undefined && q.service !== '') {
      const id = this.strs.get(q.service);
      if (id === undefined || !this.operations.has(id)) return undefined;
      serviceId = id;
    }
    let nameId = -1;
    if (q.operation !== undefined && q.operation !== '') {
      const id = this.strs.get(q.operation);
      if (id === undefined) return undefined;
      nameId = id;
    }
    let kind = -1;
    if (q.spanKind !== undefined && q.spanKind !== '') {
      kind = JAEGER_SPAN_KINDS.indexOf(q.spanKind);
      if (kind <= 0) return undefined;
    }
    const tags: CompiledTag[] = [];
    for (const [key, value] of Object.entries(q.tags)) {
      const num = value.trim() === '' ? NaN : Number(value);
      const viaOrigin = this.origins.some((o) => originSatisfies(o, key, value));
      tags.push({
        viaOrigin,
        key,
        value,
        keyId: this.keys.get(key) ?? -1,
        term: attrTerm(key, value),
        strId: this.strs.get(value) ?? -1,
        bytes: Buffer.from(value, 'utf8'),
        num: String(num) === value ? num : NaN,
        int64: unsafeInt64(value),
      });
    }
    if (tags.length > 30) return undefined; // bitmask width; no real search sends this many
    return {
      serviceId,
      nameId,
      kind,
      tags,
      // [min, max] in whole µs, as a span's start rounds to µs
      startMinNs: q.startTimeMinUs !== undefined ? q.startTimeMinUs * 1000 - 500 : -Infinity,
      startMaxNs: q.startTimeMaxUs !== undefined ? q.startTimeMaxUs * 1000 + 500 : Infinity,
      durMinUs: q.durationMinUs ?? -Infinity,
      durMaxUs: q.durationMaxUs ?? Infinity,
      originMasks: new Map(),
      allTagsMask: tags.length === 0 ? 0 : (2 ** tags.length - 1) | 0,
    };
  }

  private originMask(cq: CompiledQuery, originId: number): number {
    const m = cq.originMasks.get(originId);
    if (m !== undefined) return m;
    let mask = 0;
    const o = this.origins[originId]!;
    for (let i = 0; i < cq.tags.length; i++) {
      const t = cq.tags[i]!;
      if (t.viaOrigin && originSatisfies(o, t.key, t.value)) mask |= 1 << i;
    }
    cq.originMasks.set(originId, mask);
    return mask;
  }

  /** Whether one span of the trace satisfies every condition of the query. */
  private matches(ord: number, cq: CompiledQuery): boolean {
    const slot = ord - this.base;
    if (this.tMaxSpanStart[slot]! < cq.startMinNs || this.tStart[slot]! >= cq.startMaxNs) return false;
    let ref = this.tLastRef[slot]!;
    while (ref >= 0) {
      const seg = this.segmentOf(ref);
      const u32 = seg.u32;
      const r = ref - seg.seq * SEGMENT_REF_SPAN;
      const n = u32[r + REC_NSPANS]!;
      const complexBase = u32[r + REC_COMPLEX_BASE]!;
      let p = r + REC_HEADER_WORDS;
      for (let i = 0; i < n; i++) {
        if (this.spanMatches(seg, p, complexBase, cq)) return true;
        p += u32[p + SP_WORDS]!;
      }
      ref = readF64(u32, r + REC_PREV);
    }
    return false;
  }

  private spanMatches(seg: Segment, p: number, complexBase: number, cq: CompiledQuery): boolean {
    const u32 = seg.u32;
    const originId = u32[p + SP_ORIGIN]!;
    if (cq.serviceId >= 0 && this.origins[originId]!.serviceId !== cq.serviceId) return false;
    if (cq.nameId >= 0 && u32[p + SP_NAME] !== cq.nameId) return false;
    const bits = u32[p + SP_BITS]!;
    const kind = bits & 7;
    if (cq.kind > 0 && kind !== cq.kind) return false;
    const start = readF64(u32, p + SP_START);
    if (start < cq.startMinNs || start >= cq.startMaxNs) return false;
    if (cq.durMinUs > -Infinity || cq.durMaxUs < Infinity) {
      // µs as Jaeger shows them (rounded: ns doubles near today's epoch are not exact)
      const durUs = Math.round((readF64(u32, p + SP_END) - start) / 1000);
      if (durUs < cq.durMinUs || durUs > cq.durMaxUs) return false;
    }
    if (cq.tags.length === 0) return true;

    let sat = this.originMask(cq, originId);
    const code = (bits >>> 3) & 3;
    let o = p + SP_FIXED_WORDS;
    if (bits & B_HAS_FLAGS) o++;
    let traceStateAt = -1;
    let statusMsgAt = -1;
    if (bits & B_HAS_TRACE_STATE) {
      traceStateAt = o;
      o += 1 + ((u32[o]! + 3) >>> 2);
    }
    if (bits & B_HAS_STATUS_MSG) {
      statusMsgAt = o;
      o += 1 + ((u32[o]! + 3) >>> 2);
    }
    if (bits & B_HAS_DROPPED) o += 3;
    // Jaeger's derived tags
    const tags = cq.tags;
    for (let i = 0; i < tags.length; i++) {
      const t = tags[i]!;
      switch (t.key) {
        case K_SPAN_KIND:
          if (kind !== 0 && JAEGER_SPAN_KINDS[kind] === t.value) sat |= 1 << i;
          break;
        case K_STATUS_CODE:
          if (code !== 0 && STATUS_TEXT[code] === t.value) sat |= 1 << i;
          break;
        case K_ERROR:
          if (code === 2 && t.value === 'true') sat |= 1 << i;
          break;
        case K_STATUS_DESC:
          if (statusMsgAt >= 0 && readString(seg, statusMsgAt) === t.value) sat |= 1 << i;
          break;
        case K_TRACE_STATE:
          if (traceStateAt >= 0 && readString(seg, traceStateAt) === t.value) sat |= 1 << i;
          break;
      }
    }
    if (sat === cq.allTagsMask) return true;
    // span attributes
    const nAttrs = bits >>> 16;
    o = this.scanAttrs(seg, o, nAttrs, complexBase, cq, (s) => (sat |= s));
    if (sat === cq.allTagsMask) return true;
    // event attributes
    if (bits & B_HAS_EVENTS) {
      const nEvents = u32[o++]!;
      for (let e = 0; e < nEvents; e++) {
        o += 3; // time, name
        const n = u32[o++]! & 0xffff;
        o = this.scanAttrs(seg, o, n, complexBase, cq, (s) => (sat |= s));
      }
    }
    return sat === cq.allTagsMask;
  }

  /** Checks n attributes at o against the query's tags, reporting satisfied tag bits; returns the end offset. */
  private scanAttrs(
    seg: Segment,
    o: number,
    n: number,
    complexBase: number,
    cq: CompiledQuery,
    report: (bits: number) => void,
  ): number {
    const u32 = seg.u32;
    const tags = cq.tags;
    let sat = 0;
    for (let a = 0; a < n; a++) {
      const header = u32[o]!;
      const keyId = header >>> 8;
      const type = header & 0xff;
      for (let i = 0; i < tags.length; i++) {
        const t = tags[i]!;
        if (t.keyId !== keyId) continue;
        if (valueMatches(seg, type, o + 1, complexBase, t)) sat |= 1 << i;
      }
      o += 1 + payloadWords(type, u32, o + 1);
    }
    if (sat !== 0) report(sat);
    return o;
  }

  private segmentOf(ref: number): Segment {
    const seq = Math.floor(ref / SEGMENT_REF_SPAN);
    return this.segments[seq - this.segments[0]!.seq]!;
  }

  // ---------------------------------------------------------------- decoding

  private assemble(ord: number): Trace {
    const slot = ord - this.base;
    const traceId = this.ids[slot]!;
    const refs: number[] = [];
    for (let ref = this.tLastRef[slot]!; ref >= 0;) {
      refs.push(ref);
      const seg = this.segmentOf(ref);
      ref = readF64(seg.u32, ref - seg.seq * SEGMENT_REF_SPAN + REC_PREV);
    }
    const spans: StoredSpan[] = [];
    for (let k = refs.length - 1; k >= 0; k--) {
      const seg = this.segmentOf(refs[k]!);
      const r = refs[k]! - seg.seq * SEGMENT_REF_SPAN;
      const n = seg.u32[r + REC_NSPANS]!;
      const complexBase = seg.u32[r + REC_COMPLEX_BASE]!;
      let p = r + REC_HEADER_WORDS;
      for (let i = 0; i < n; i++) {
        spans.push(this.decodeSpan(seg, p, complexBase, traceId));
        p += seg.u32[p + SP_WORDS]!;
      }
    }
    return { traceId, spans, startTimeUnixNano: this.tStart[slot]!, endTimeUnixNano: this.tEnd[slot]! };
  }

  private decodeSpan(seg: Segment, p: number, complexBase: number, traceId: string): StoredSpan {
    const u32 = seg.u32;
    const bits = u32[p + SP_BITS]!;
    const origin = this.origins[u32[p + SP_ORIGIN]!]!;
    let o = p + SP_FIXED_WORDS;
    let flags = 0;
    if (bits & B_HAS_FLAGS) flags = u32[o++]!;
    let traceState = '';
    if (bits & B_HAS_TRACE_STATE) {
      traceState = readString(seg, o);
      o += 1 + ((u32[o]! + 3) >>> 2);
    }
    let statusMessage = '';
    if (bits & B_HAS_STATUS_MSG) {
      statusMessage = readString(seg, o);
      o += 1 + ((u32[o]! + 3) >>> 2);
    }
    let droppedAttributesCount = 0;
    let droppedEventsCount = 0;
    let droppedLinksCount = 0;
    if (bits & B_HAS_DROPPED) {
      droppedAttributesCount = u32[o]!;
      droppedEventsCount = u32[o + 1]!;
      droppedLinksCount = u32[o + 2]!;
      o += 3;
    }
    const attributes: KeyValue[] = [];
    o = this.decodeAttrs(seg, o, bits >>> 16, complexBase, attributes);
    const events: SpanEvent[] = [];
    if (bits & B_HAS_EVENTS) {
      const nEvents = u32[o++]!;
      for (let e = 0; e < nEvents; e++) {
        const timeUnixNano = readF64(u32, o);
        const name = this.strs.strings[u32[o + 2]!]!;
        const counts = u32[o + 3]!;
        o += 4;
        const attrs: KeyValue[] = [];
        o = this.decodeAttrs(seg, o, counts & 0xffff, complexBase, attrs);
        events.push({ timeUnixNano, name, attributes: attrs, droppedAttributesCount: counts >>> 16 });
      }
    }
    const links: SpanLink[] = [];
    if (bits & B_HAS_LINKS) {
      const nLinks = u32[o++]!;
      for (let l = 0; l < nLinks; l++) {
        const linkTraceId = wordHex(u32[o]!) + wordHex(u32[o + 1]!) + wordHex(u32[o + 2]!) + wordHex(u32[o + 3]!);
        const linkSpanId = wordHex(u32[o + 4]!) + wordHex(u32[o + 5]!);
        o += 6;
        const ts = readString(seg, o);
        o += 1 + ((u32[o]! + 3) >>> 2);
        const linkFlags = u32[o++]!;
        const counts = u32[o++]!;
        const attrs: KeyValue[] = [];
        o = this.decodeAttrs(seg, o, counts & 0xffff, complexBase, attrs);
        links.push({
          traceId: linkTraceId,
          spanId: linkSpanId,
          traceState: ts,
          attributes: attrs,
          droppedAttributesCount: counts >>> 16,
          flags: linkFlags,
        });
      }
    }
    return {
      traceId,
      spanId: wordHex(u32[p + SP_ID]!) + wordHex(u32[p + SP_ID + 1]!),
      traceState,
      parentSpanId: bits & B_HAS_PARENT ? wordHex(u32[p + SP_PARENT]!) + wordHex(u32[p + SP_PARENT + 1]!) : '',
      flags,
      name: this.strs.strings[u32[p + SP_NAME]!]!,
      kind: (bits & 7) as SpanKind,
      startTimeUnixNano: readF64(u32, p + SP_START),
      endTimeUnixNano: readF64(u32, p + SP_END),
      attributes,
      droppedAttributesCount,
      events,
      droppedEventsCount,
      links,
      droppedLinksCount,
      status: { code: ((bits >>> 3) & 3) as StatusCode, message: statusMessage },
      resource: origin.resource,
      serviceName: origin.serviceName,
      scope: origin.scope,
    };
  }

  private decodeAttrs(seg: Segment, o: number, n: number, complexBase: number, out: KeyValue[]): number {
    const u32 = seg.u32;
    for (let a = 0; a < n; a++) {
      const header = u32[o]!;
      const type = header & 0xff;
      const key = this.keys.strings[header >>> 8]!;
      let value: AnyValue;
      switch (type) {
        case V_STR_ID:
          value = { kind: 'string', value: this.strs.strings[u32[o + 1]!]! };
          break;
        case V_STR:
          value = { kind: 'string', value: readString(seg, o + 1) };
          break;
        case V_TRUE:
          value = { kind: 'bool', value: true };
          break;
        case V_FALSE:
          value = { kind: 'bool', value: false };
          break;
        case V_INT32:
          value = { kind: 'int', value: u32[o + 1]! | 0 };
          break;
        case V_INT:
          value = { kind: 'int', value: readF64(u32, o + 1) };
          break;
        case V_INT64:
          value = { kind: 'int', value: readInt64(u32, o + 1) };
          break;
        case V_DOUBLE:
          value = { kind: 'double', value: readF64(u32, o + 1) };
          break;
        case V_COMPLEX:
          value = seg.complex[complexBase + u32[o + 1]!] ?? { kind: 'empty' };
          break;
        default:
          value = { kind: 'empty' };
      }
      out.push({ key, value });
      o += 1 + payloadWords(type, u32, o + 1);
    }
    return o;
  }

  // ---------------------------------------------------------------- dependencies

  getDependencies(endTsMs: number, lookbackMs: number): DependencyLink[] {
    this.expire(this.now());
    return this.deps.query(endTsMs, lookbackMs);
  }

  /** Each span of a live trace: span and parent ID words (parent -1, -1 for a root) and service id. */
  private forEachSpanLink(
    ord: number,
    fn: (idHi: number, idLo: number, parentHi: number, parentLo: number, serviceId: number) => void,
  ): void {
    for (let ref = this.tLastRef[ord - this.base]!; ref >= 0;) {
      const seg = this.segmentOf(ref);
      const u32 = seg.u32;
      const r = ref - seg.seq * SEGMENT_REF_SPAN;
      const n = u32[r + REC_NSPANS]!;
      let p = r + REC_HEADER_WORDS;
      for (let i = 0; i < n; i++) {
        const hasParent = (u32[p + SP_BITS]! & B_HAS_PARENT) !== 0;
        fn(
          u32[p + SP_ID]!,
          u32[p + SP_ID + 1]!,
          hasParent ? u32[p + SP_PARENT]! : -1,
          hasParent ? u32[p + SP_PARENT + 1]! : -1,
          this.origins[u32[p + SP_ORIGIN]!]!.serviceId,
        );
        p += u32[p + SP_WORDS]!;
      }
      ref = readF64(u32, r + REC_PREV);
    }
  }
}

/** Whether an origin's resource attributes or scope (as Jaeger's otel.scope.* tags) hold key=value. */
function originSatisfies(o: Origin, key: string, value: string): boolean {
  if (key === K_SCOPE_NAME) return o.scope.name !== '' && o.scope.name === value;
  if (key === K_SCOPE_VERSION) return o.scope.version !== '' && o.scope.version === value;
  for (const kv of o.resource.attributes) if (kv.key === key && anyValueToString(kv.value) === value) return true;
  return false;
}

/** Whether the stored value at o (payload) prints as the tag's text. */
function valueMatches(seg: Segment, type: number, o: number, complexBase: number, t: CompiledTag): boolean {
  const u32 = seg.u32;
  switch (type) {
    case V_STR_ID:
      return t.strId >= 0 && u32[o] === t.strId;
    case V_STR: {
      const n = u32[o]!;
      if (n !== t.bytes.length) return false;
      const start = (o + 1) * 4;
      return t.bytes.compare(seg.bytes, start, start + n) === 0;
    }
    case V_TRUE:
      return t.value === 'true';
    case V_FALSE:
      return t.value === 'false';
    case V_INT32:
      return (u32[o]! | 0) === t.num;
    case V_INT:
    case V_DOUBLE:
      return readF64(u32, o) === t.num;
    case V_INT64:
      return t.int64 !== undefined && readInt64(u32, o) === t.int64;
    case V_EMPTY:
      return t.value === '';
    case V_COMPLEX: {
      const v = seg.complex[complexBase + u32[o]!];
      return v !== undefined && anyValueToString(v) === t.value;
    }
    default:
      return false;
  }
}

/** The int64 stored at o (V_INT64: low word, high word). */
function readInt64(u32: Uint32Array, o: number): bigint {
  return BigInt.asIntN(64, (BigInt(u32[o + 1]!) << 32n) | BigInt(u32[o]!));
}

/** `text` as a bigint when it is the canonical text of an int64 beyond the safe integers, else undefined. */
function unsafeInt64(text: string): bigint | undefined {
  if (!/^-?[1-9]\d{15,18}$/.test(text)) return undefined;
  const v = int64Value(BigInt(text));
  return typeof v === 'bigint' ? v : undefined;
}

/** A content key for a list of attributes (to recognise a resource or scope seen before). */
function attrsKey(attrs: readonly KeyValue[]): string {
  let s = '';
  for (const kv of attrs) s += `${kv.key}\u0002${kv.value.kind}\u0002${anyValueToString(kv.value)}\u0003`;
  return s;
}

/** 32 lower-case hex digits from any-case hex of up to 32 digits (left-padded), else undefined. */
export function normalizeTraceId(id: string): string | undefined {
  if (id.length === 0 || id.length > 32 || !/^[0-9a-fA-F]+$/.test(id)) return undefined;
  return id.toLowerCase().padStart(32, '0');
}
