// Trace search: a TraceQuery is compiled against the store's tables (names to ids, tag texts to
// the forms stored values compare with), the shortest posting list among its indexed terms
// gives the candidates, and each candidate trace is checked span by span through the codec's
// cursor. Results are the newest traces by start; a candidate that could not enter them is not
// checked at all.
import { anyValueToString, int64Value } from '../otlp/model.js';
import { readF64, readString, type Segment, type SegmentArena } from './arena.js';
import type { Catalogue, Origin } from './catalogue.js';
import { eventAttrCount, eventAttrsAt, readInt64, SpanCursor } from './codec.js';
import type { Dictionary } from './intern.js';
import {
  payloadWords,
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
import { CHUNK, type Posting, type TermIndex } from './postings.js';
import { JAEGER_SPAN_KINDS, type TraceQuery } from './storage.js';
import {
  attrTerm,
  DURATION_THRESHOLDS_US,
  durationTerm,
  K_ERROR,
  K_SCOPE_NAME,
  K_SCOPE_VERSION,
  K_SPAN_KIND,
  K_STATUS_CODE,
  K_STATUS_DESC,
  K_TRACE_STATE,
  KIND_TERMS,
  operationTerm,
  serviceTerm,
  STATUS_TEXT,
} from './terms.js';
import type { TraceTable } from './trace-table.js';

/** One tag of a search, compiled against the store's tables. */
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

export interface CompiledQuery {
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

/** What a search reads: the store's parts, shared, never changed by it (but the table's checked marks). */
export interface SearchSource {
  readonly dict: Dictionary;
  readonly catalogue: Catalogue;
  readonly table: TraceTable;
  readonly arena: SegmentArena;
  readonly index: TermIndex;
}

export class TraceSearch {
  private readonly cursor: SpanCursor;
  /** one chunk of a long posting list, decoded */
  private readonly chunkOrds = new Float64Array(CHUNK);
  /** tag bits satisfied by the attributes scanAttrs has seen since it was last reset */
  private scanned = 0;

  constructor(private readonly src: SearchSource) {
    this.cursor = new SpanCursor(src.arena);
  }

  /** The ordinals of the traces matching q, newest trace start first, at most q.limit (0: all). */
  find(q: TraceQuery): number[] {
    const cq = compile(q, this.src.dict, this.src.catalogue);
    if (!cq) return [];
    const { table, index } = this.src;
    const limit = q.limit > 0 ? q.limit : Infinity;
    // the candidate list: the shortest posting among the query's indexed terms
    const terms: number[] = [];
    if (cq.serviceId >= 0)
      terms.push(cq.nameId >= 0 ? operationTerm(cq.serviceId, cq.nameId) : serviceTerm(cq.serviceId));
    if (cq.kind > 0) terms.push(KIND_TERMS[cq.kind]!);
    if (cq.serviceId >= 0 && cq.durMinUs >= DURATION_THRESHOLDS_US[0]!) {
      let k = 0;
      while (k + 1 < DURATION_THRESHOLDS_US.length && DURATION_THRESHOLDS_US[k + 1]! <= cq.durMinUs) k++;
      terms.push(durationTerm(cq.serviceId, k));
    }
    // a tag some resource or scope satisfies can match spans without the term: not a candidate list
    for (const t of cq.tags) if (!t.viaOrigin) terms.push(t.term);
    let best: number | Posting | undefined;
    let bestLen = Infinity;
    for (const term of terms) {
      const p = index.get(term);
      if (p === undefined) return []; // no span holds this term: nothing can match
      const len = typeof p === 'number' ? 1 : p.live;
      if (len < bestLen) {
        best = p;
        bestLen = len;
      }
    }

    table.nextGeneration();
    const resOrds: number[] = [];
    const resStarts: number[] = [];
    const offer = (ord: number): void => {
      if (table.markChecked(ord)) return;
      const start = table.start[ord - table.base]!;
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
    const firstLive = table.firstLive;
    const nextOrd = table.nextOrd;

    if (best === undefined) {
      for (let ord = nextOrd - 1; ord >= firstLive; ord--) offer(ord);
    } else if (typeof best === 'number') {
      if (best >= firstLive) offer(best);
    } else {
      const p = best;
      const ords = this.chunkOrds;
      if (p.small) {
        for (let i = p.len - 1; i >= p.head; i--) {
          const ord = p.small[i]!;
          if (ord >= firstLive && ord < nextOrd) offer(ord);
        }
      }
      for (let c = p.chunks - 1; c >= 0; c--) {
        if (p.maxStart) {
          if (full() && resStarts[resStarts.length - 1]! >= p.prefMaxStart![c]!) break;
          if (p.prefMaxSpan![c]! < cq.startMinNs) break;
          if (p.maxSpan![c]! < cq.startMinNs || p.minSpan![c]! >= cq.startMaxNs) continue;
        }
        const from = c * CHUNK;
        const lo = Math.max(from, p.head);
        for (let i = from + p.decodeChunk(c, ords) - 1; i >= lo; i--) {
          const ord = ords[i - from]!;
          if (ord >= firstLive && ord < nextOrd) offer(ord);
        }
        if (lo === p.head) break;
      }
    }
    return resOrds;
  }

  /**
   * Calls `visit` with the cursor on every span that itself satisfies q, newest trace first;
   * q.limit does not apply (statistics over every matching span: the diagnosis comparison).
   */
  forEachSpan(q: TraceQuery, visit: (cur: SpanCursor, ord: number) => void): void {
    const cq = compile(q, this.src.dict, this.src.catalogue);
    if (!cq) return;
    const table = this.src.table;
    const cur = this.cursor;
    for (let ord = table.nextOrd - 1; ord >= table.firstLive; ord--) {
      const slot = ord - table.base;
      if (table.maxSpanStart[slot]! < cq.startMinNs || table.start[slot]! >= cq.startMaxNs) continue;
      cur.trace(table.lastRef[slot]!);
      while (cur.next()) if (this.spanMatches(cur, cq)) visit(cur, ord);
    }
  }

  /** Whether one span of the trace satisfies every condition of the query. */
  private matches(ord: number, cq: CompiledQuery): boolean {
    const table = this.src.table;
    const slot = ord - table.base;
    if (table.maxSpanStart[slot]! < cq.startMinNs || table.start[slot]! >= cq.startMaxNs) return false;
    // no span is long enough: decided without reading the spans (which may be compressed or on disk)
    if (table.maxDurUs[slot]! < cq.durMinUs) return false;
    const cur = this.cursor;
    cur.trace(table.lastRef[slot]!);
    while (cur.next()) if (this.spanMatches(cur, cq)) return true;
    return false;
  }

  private spanMatches(cur: SpanCursor, cq: CompiledQuery): boolean {
    const originId = cur.originId;
    if (cq.serviceId >= 0 && this.src.catalogue.origins[originId]!.serviceId !== cq.serviceId) return false;
    if (cq.nameId >= 0 && cur.nameId !== cq.nameId) return false;
    const kind = cur.kind;
    if (cq.kind > 0 && kind !== cq.kind) return false;
    const start = cur.startNs;
    if (start < cq.startMinNs || start >= cq.startMaxNs) return false;
    if (cq.durMinUs > -Infinity || cq.durMaxUs < Infinity) {
      // µs as Jaeger shows them (rounded: ns doubles near today's epoch are not exact)
      const durUs = Math.round((cur.endNs - start) / 1000);
      if (durUs < cq.durMinUs || durUs > cq.durMaxUs) return false;
    }
    if (cq.tags.length === 0) return true;

    let sat = this.originMask(cq, originId);
    const code = cur.statusCode;
    const seg = cur.seg;
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
          if (cur.statusMsgAt >= 0 && readString(seg, cur.statusMsgAt) === t.value) sat |= 1 << i;
          break;
        case K_TRACE_STATE:
          if (cur.traceStateAt >= 0 && readString(seg, cur.traceStateAt) === t.value) sat |= 1 << i;
          break;
      }
    }
    if (sat === cq.allTagsMask) return true;
    // span attributes, then event attributes
    this.scanned = 0;
    const attrsEnd = this.scanAttrs(cur, cur.attrsAt, cur.nAttrs, cq);
    sat |= this.scanned;
    if (sat === cq.allTagsMask) return true;
    const eventsAt = cur.eventsAt(attrsEnd);
    if (eventsAt >= 0) {
      const u32 = cur.u32;
      const nEvents = u32[eventsAt]!;
      let o = eventsAt + 1;
      for (let e = 0; e < nEvents; e++) o = this.scanAttrs(cur, eventAttrsAt(o), eventAttrCount(u32, o), cq);
      sat |= this.scanned;
    }
    return sat === cq.allTagsMask;
  }

  /** Checks n attributes at o against the query's tags (into `scanned`); returns the offset past them. */
  private scanAttrs(cur: SpanCursor, o: number, n: number, cq: CompiledQuery): number {
    const u32 = cur.u32;
    const seg = cur.seg;
    const tags = cq.tags;
    let sat = 0;
    for (let a = 0; a < n; a++) {
      const header = u32[o]!;
      const keyId = header >>> 8;
      const type = header & 0xff;
      for (let i = 0; i < tags.length; i++) {
        const t = tags[i]!;
        if (t.keyId !== keyId) continue;
        if (valueMatches(seg, type, o + 1, cur.complexBase, t)) sat |= 1 << i;
      }
      o += 1 + payloadWords(type, u32, o + 1);
    }
    this.scanned |= sat;
    return o;
  }

  private originMask(cq: CompiledQuery, originId: number): number {
    const m = cq.originMasks.get(originId);
    if (m !== undefined) return m;
    let mask = 0;
    const o = this.src.catalogue.origins[originId]!;
    for (let i = 0; i < cq.tags.length; i++) {
      const t = cq.tags[i]!;
      if (t.viaOrigin && originSatisfies(o, t.key, t.value)) mask |= 1 << i;
    }
    cq.originMasks.set(originId, mask);
    return mask;
  }
}

/** Resolves names to ids; undefined when some condition can never hold. */
export function compile(q: TraceQuery, dict: Dictionary, catalogue: Catalogue): CompiledQuery | undefined {
  let serviceId = -1;
  if (q.service !== undefined && q.service !== '') {
    const id = dict.strs.get(q.service);
    if (id === undefined || !catalogue.hasService(id)) return undefined;
    serviceId = id;
  }
  let nameId = -1;
  if (q.operation !== undefined && q.operation !== '') {
    const id = dict.strs.get(q.operation);
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
    const viaOrigin = catalogue.origins.some((o) => originSatisfies(o, key, value));
    tags.push({
      viaOrigin,
      key,
      value,
      keyId: dict.keys.get(key) ?? -1,
      term: attrTerm(key, value),
      strId: dict.strs.get(value) ?? -1,
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

/** `text` as a bigint when it is the canonical text of an int64 beyond the safe integers, else undefined. */
function unsafeInt64(text: string): bigint | undefined {
  if (!/^-?[1-9]\d{15,18}$/.test(text)) return undefined;
  const v = int64Value(BigInt(text));
  return typeof v === 'bigint' ? v : undefined;
}
