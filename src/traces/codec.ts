// The span record codec: the encoder that packs one batch's spans of a trace into a record
// (layout.ts), the walker (SpanCursor) that every reader steps through records and spans with,
// and the decoder back to OTLP-shaped spans. Where a span's optional fields lie is worked out in
// one place, SpanCursor.nextInRecord; readers only ask the cursor.
import {
  anyValueToString,
  type AnyValue,
  type KeyValue,
  type Span,
  type SpanEvent,
  type SpanKind,
  type SpanLink,
  type StatusCode,
} from '../otlp/model.js';
import {
  hexWord,
  readF64,
  readString,
  SEGMENT_REF_SPAN,
  stringWords,
  traceIdHex,
  WordBuf,
  wordHex,
  type SegmentArena,
  type Segment,
} from './arena.js';
import type { Origin } from './catalogue.js';
import type { Dictionary } from './intern.js';
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
import type { StoredSpan } from './storage.js';

/** Words before an event's attributes: time (f64), name id, attribute count | dropped << 16. */
const EVENT_HEADER_WORDS = 4;
/** Words of a link before its trace state: trace id (4), span id (2). */
const LINK_IDS_WORDS = 6;

/**
 * Encodes records into its buffer, one after another: a batch's records are all encoded (and
 * can be written to the log) before any is stored, so a batch the log refuses leaves no trace.
 * The record facts (record-facts.ts) say what a stored record adds to the index and catalogue.
 */
export class RecordEncoder {
  readonly buf = new WordBuf();
  /** per encoded record: its first word, the word past it, and its complex values [from, to) with their estimated bytes */
  readonly recAt: number[] = [];
  readonly recEnd: number[] = [];
  readonly recComplexFrom: number[] = [];
  readonly recComplexTo: number[] = [];
  readonly recComplexBytes: number[] = [];

  constructor(private readonly dict: Dictionary) {}

  /** Empties the buffer for a new batch. */
  begin(): void {
    this.buf.reset();
    this.recAt.length = 0;
    this.recEnd.length = 0;
    this.recComplexFrom.length = 0;
    this.recComplexTo.length = 0;
    this.recComplexBytes.length = 0;
  }

  /**
   * Puts records read back from the write-ahead log into the buffer, as encode would have left
   * them: words, per record [first word, word past it, complex from, to], complex values.
   */
  load(words: Uint32Array, records: readonly number[], complex: readonly AnyValue[]): void {
    this.begin();
    const buf = this.buf;
    buf.ensure(words.length);
    buf.u32.set(words);
    buf.len = words.length;
    for (const v of complex) buf.complex.push(v);
    for (let i = 0; i + 3 < records.length; i += 4) {
      this.recAt.push(records[i]!);
      this.recEnd.push(records[i + 1]!);
      this.recComplexFrom.push(records[i + 2]!);
      this.recComplexTo.push(records[i + 3]!);
      this.recComplexBytes.push((records[i + 3]! - records[i + 2]!) * 64);
    }
  }

  /** Records encoded since begin(). */
  get count(): number {
    return this.recAt.length;
  }

  /**
   * Appends a record of the spans of one trace (origins[i] is spans[i]'s); the previous record's
   * ref is set later by setPrev. Its complex-base word holds where its complex values start in
   * the buffer until the arena rebases it.
   */
  encode(traceId: string, spans: readonly Span[], origins: readonly Origin[]): void {
    const buf = this.buf;
    const at = buf.len;
    const complexFrom = buf.complex.length;
    const complexBytes = buf.complexBytes;
    buf.ensure(REC_HEADER_WORDS);
    buf.u32[at + REC_NSPANS] = spans.length;
    buf.u32[at + REC_COMPLEX_BASE] = complexFrom;
    buf.len = at + REC_PREV;
    buf.f64(-1);
    buf.word(hexWord(traceId, 0));
    buf.word(hexWord(traceId, 8));
    buf.word(hexWord(traceId, 16));
    buf.word(hexWord(traceId, 24));
    for (let i = 0; i < spans.length; i++) this.encodeSpan(spans[i]!, origins[i]!, complexFrom);
    this.recAt.push(at);
    this.recEnd.push(buf.len);
    this.recComplexFrom.push(complexFrom);
    this.recComplexTo.push(buf.complex.length);
    this.recComplexBytes.push(buf.complexBytes - complexBytes);
  }

  /** Sets record i's link to the trace's previous record (-1: none). */
  setPrev(i: number, ref: number): void {
    setRecordPrev(this.buf.u32, this.recAt[i]!, ref);
  }

  private encodeSpan(span: Span, origin: Origin, complexFrom: number): void {
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
    const nameId = this.dict.strs.intern(span.name);
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
    if (span.traceState !== '') buf.str(span.traceState);
    if (span.status.message !== '') buf.str(span.status.message);
    if (dropped) {
      buf.word(span.droppedAttributesCount + (span.attributes.length - nAttrs));
      buf.word(span.droppedEventsCount);
      buf.word(span.droppedLinksCount);
    }
    for (let i = 0; i < nAttrs; i++) this.encodeAttr(span.attributes[i]!, complexFrom);
    if (span.events.length > 0) {
      buf.word(span.events.length);
      for (const ev of span.events) {
        buf.f64(ev.timeUnixNano);
        buf.word(this.dict.strs.intern(ev.name));
        const n = Math.min(ev.attributes.length, MAX_COUNT);
        buf.word(n | (Math.min(ev.droppedAttributesCount + ev.attributes.length - n, MAX_COUNT) << 16));
        for (let i = 0; i < n; i++) this.encodeAttr(ev.attributes[i]!, complexFrom);
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
        for (let i = 0; i < n; i++) this.encodeAttr(l.attributes[i]!, complexFrom);
      }
    }
    buf.u32[p + SP_WORDS] = buf.len - p;
  }

  /** Encodes one attribute (a complex value by its index among the record's, from complexFrom). */
  private encodeAttr(kv: KeyValue, complexFrom: number): void {
    const buf = this.buf;
    const dict = this.dict;
    const keyId = dict.keys.intern(kv.key);
    const v = kv.value;
    buf.ensure(3);
    switch (v.kind) {
      case 'string': {
        const s = v.value;
        const id = dict.valueId(keyId, s);
        if (id !== undefined) {
          buf.word((keyId << 8) | V_STR_ID);
          buf.word(id);
        } else {
          buf.word((keyId << 8) | V_STR);
          buf.str(s);
        }
        break;
      }
      case 'bool':
        buf.word((keyId << 8) | (v.value ? V_TRUE : V_FALSE));
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
        break;
      }
      case 'double':
        buf.word((keyId << 8) | V_DOUBLE);
        buf.f64(v.value);
        break;
      case 'empty':
        buf.word((keyId << 8) | V_EMPTY);
        break;
      default:
        buf.word((keyId << 8) | V_COMPLEX);
        buf.word(buf.complex.length - complexFrom);
        buf.complex.push(v);
        buf.complexBytes += anyValueToString(v).length * 2 + 64;
    }
  }
}

/** Sets the previous-record link of the record at word `at`. */
export function setRecordPrev(u32: Uint32Array, at: number, ref: number): void {
  scratchF64[0] = ref;
  u32[at + REC_PREV] = scratchU32[0]!;
  u32[at + REC_PREV + 1] = scratchU32[1]!;
}

const scratchF64 = new Float64Array(1);
const scratchU32 = new Uint32Array(scratchF64.buffer);

/**
 * The walker over stored records: positioned on a record (or a trace's newest record), it steps
 * from span to span and knows where the current span's optional fields are (-1 when absent).
 * One cursor is reused for every span; nothing is allocated per step.
 */
export class SpanCursor {
  seg!: Segment;
  u32: Uint32Array = new Uint32Array(0);
  /** the record's base in its segment's complex values */
  complexBase = 0;
  /** the ref of the record before the current one of the trace (-1: none) */
  prevRef = -1;
  /** offset of the current span */
  p = 0;
  /** the current span's bits word (kind, status code, presence flags, attribute count) */
  bits = 0;
  private nextP = 0;
  private left = 0;
  // where the current span's optional fields are: worked out on first use (a search that only
  // compares names and times never needs them)
  private located = false;
  private flagsOff = -1;
  private traceStateOff = -1;
  private statusMsgOff = -1;
  private droppedOff = -1;
  private attrsOff = 0;

  constructor(private readonly arena?: SegmentArena) {}

  /** Positions before the first span of the record at ref. */
  record(ref: number): void {
    const seg = this.arena!.segmentOf(ref);
    this.at(seg, ref - seg.seq * SEGMENT_REF_SPAN);
  }

  /** Positions before the first span of the record at word r of seg (a segment, or an encoder's buffer seen as one). */
  at(seg: Segment, r: number): void {
    const u32 = seg.u32;
    this.seg = seg;
    this.u32 = u32;
    this.left = u32[r + REC_NSPANS]!;
    this.complexBase = u32[r + REC_COMPLEX_BASE]!;
    this.prevRef = readF64(u32, r + REC_PREV);
    this.nextP = r + REC_HEADER_WORDS;
  }

  /** Positions before the spans of a trace whose newest record is at lastRef (-1: no records). */
  trace(lastRef: number): void {
    this.left = 0;
    this.prevRef = lastRef;
  }

  /** Steps to the next span of the trace, newest record first; false past the last. */
  next(): boolean {
    while (this.left === 0) {
      if (this.prevRef < 0) return false;
      this.record(this.prevRef);
    }
    return this.nextInRecord();
  }

  /** Steps to the next span of the current record; false past its last. */
  nextInRecord(): boolean {
    if (this.left === 0) return false;
    this.left--;
    const u32 = this.u32;
    const p = this.nextP;
    this.p = p;
    this.nextP = p + u32[p + SP_WORDS]!;
    const bits = u32[p + SP_BITS]!;
    this.bits = bits;
    this.located = false;
    return true;
  }

  /** The one reading of which optional fields a span has and where they lie. */
  private locate(): void {
    const u32 = this.u32;
    const bits = this.bits;
    let o = this.p + SP_FIXED_WORDS;
    this.flagsOff = bits & B_HAS_FLAGS ? o++ : -1;
    if (bits & B_HAS_TRACE_STATE) {
      this.traceStateOff = o;
      o += stringWords(u32, o);
    } else this.traceStateOff = -1;
    if (bits & B_HAS_STATUS_MSG) {
      this.statusMsgOff = o;
      o += stringWords(u32, o);
    } else this.statusMsgOff = -1;
    if (bits & B_HAS_DROPPED) {
      this.droppedOff = o;
      o += 3;
    } else this.droppedOff = -1;
    this.attrsOff = o;
    this.located = true;
  }

  /** Offset of the span's flags word, -1 when absent (flags 0). */
  get flagsAt(): number {
    if (!this.located) this.locate();
    return this.flagsOff;
  }

  /** Offset of the span's trace state string, -1 when absent. */
  get traceStateAt(): number {
    if (!this.located) this.locate();
    return this.traceStateOff;
  }

  /** Offset of the span's status message string, -1 when absent. */
  get statusMsgAt(): number {
    if (!this.located) this.locate();
    return this.statusMsgOff;
  }

  /** Offset of the span's dropped counts (attributes, events, links), -1 when all are 0. */
  get droppedAt(): number {
    if (!this.located) this.locate();
    return this.droppedOff;
  }

  /** Offset of the span's attributes. */
  get attrsAt(): number {
    if (!this.located) this.locate();
    return this.attrsOff;
  }

  get nAttrs(): number {
    return this.bits >>> 16;
  }

  /** Offset of the span's events section ([count, event…]), -1 when it has none; attrsEnd: where its attributes end, when known. */
  eventsAt(attrsEnd = skipAttrs(this.u32, this.attrsAt, this.nAttrs)): number {
    return this.bits & B_HAS_EVENTS ? attrsEnd : -1;
  }

  /** Offset of the span's links section ([count, link…]), -1 when it has none. */
  linksAt(): number {
    if (!(this.bits & B_HAS_LINKS)) return -1;
    const attrsEnd = skipAttrs(this.u32, this.attrsAt, this.nAttrs);
    const ev = this.eventsAt(attrsEnd);
    if (ev < 0) return attrsEnd;
    const u32 = this.u32;
    let o = ev + 1;
    for (let n = u32[ev]!, e = 0; e < n; e++) o = skipAttrs(u32, o + EVENT_HEADER_WORDS, u32[o + 3]! & 0xffff);
    return o;
  }

  /** Offset just past the current span. */
  get end(): number {
    return this.nextP;
  }

  get kind(): number {
    return this.bits & 7;
  }

  get statusCode(): number {
    return (this.bits >>> 3) & 3;
  }

  get originId(): number {
    return this.u32[this.p + SP_ORIGIN]!;
  }

  get nameId(): number {
    return this.u32[this.p + SP_NAME]!;
  }

  get startNs(): number {
    return readF64(this.u32, this.p + SP_START);
  }

  get endNs(): number {
    return readF64(this.u32, this.p + SP_END);
  }

  get hasParent(): boolean {
    return (this.bits & B_HAS_PARENT) !== 0;
  }
}

/** The offset past n attributes at o. */
export function skipAttrs(u32: Uint32Array, o: number, n: number): number {
  for (let a = 0; a < n; a++) o += 1 + payloadWords(u32[o]! & 0xff, u32, o + 1);
  return o;
}

/** Event layout at o (for readers of a cursor's eventsAt section). */
export function eventAttrsAt(o: number): number {
  return o + EVENT_HEADER_WORDS;
}
export function eventAttrCount(u32: Uint32Array, o: number): number {
  return u32[o + 3]! & 0xffff;
}

/** The int64 stored at o (V_INT64: low word, high word). */
export function readInt64(u32: Uint32Array, o: number): bigint {
  return BigInt.asIntN(64, (BigInt(u32[o + 1]!) << 32n) | BigInt(u32[o]!));
}

/** Decodes the cursor's current span. */
export function decodeSpan(cur: SpanCursor, traceId: string, dict: Dictionary, origins: readonly Origin[]): StoredSpan {
  const seg = cur.seg;
  const u32 = cur.u32;
  const p = cur.p;
  const bits = cur.bits;
  const strings = dict.strs.strings;
  const origin = origins[cur.originId]!;
  const dropped = cur.droppedAt;
  const attributes: KeyValue[] = [];
  let o = decodeAttributes(seg, cur.attrsAt, cur.nAttrs, cur.complexBase, dict, attributes);
  const events: SpanEvent[] = [];
  const eventsAt = cur.eventsAt(o);
  if (eventsAt >= 0) {
    const nEvents = u32[eventsAt]!;
    o = eventsAt + 1;
    for (let e = 0; e < nEvents; e++) {
      const timeUnixNano = readF64(u32, o);
      const name = strings[u32[o + 2]!]!;
      const counts = u32[o + 3]!;
      const attrs: KeyValue[] = [];
      o = decodeAttributes(seg, eventAttrsAt(o), counts & 0xffff, cur.complexBase, dict, attrs);
      events.push({ timeUnixNano, name, attributes: attrs, droppedAttributesCount: counts >>> 16 });
    }
  }
  const links: SpanLink[] = [];
  if (bits & B_HAS_LINKS) {
    const nLinks = u32[o++]!;
    for (let l = 0; l < nLinks; l++) {
      const linkTraceId = traceIdHex(u32, o);
      const linkSpanId = wordHex(u32[o + 4]!) + wordHex(u32[o + 5]!);
      o += LINK_IDS_WORDS;
      const ts = readString(seg, o);
      o += stringWords(u32, o);
      const linkFlags = u32[o++]!;
      const counts = u32[o++]!;
      const attrs: KeyValue[] = [];
      o = decodeAttributes(seg, o, counts & 0xffff, cur.complexBase, dict, attrs);
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
    traceState: cur.traceStateAt >= 0 ? readString(seg, cur.traceStateAt) : '',
    parentSpanId: bits & B_HAS_PARENT ? wordHex(u32[p + SP_PARENT]!) + wordHex(u32[p + SP_PARENT + 1]!) : '',
    flags: cur.flagsAt >= 0 ? u32[cur.flagsAt]! : 0,
    name: strings[u32[p + SP_NAME]!]!,
    kind: cur.kind as SpanKind,
    startTimeUnixNano: readF64(u32, p + SP_START),
    endTimeUnixNano: readF64(u32, p + SP_END),
    attributes,
    droppedAttributesCount: dropped >= 0 ? u32[dropped]! : 0,
    events,
    droppedEventsCount: dropped >= 0 ? u32[dropped + 1]! : 0,
    links,
    droppedLinksCount: dropped >= 0 ? u32[dropped + 2]! : 0,
    status: {
      code: cur.statusCode as StatusCode,
      message: cur.statusMsgAt >= 0 ? readString(seg, cur.statusMsgAt) : '',
    },
    resource: origin.resource,
    serviceName: origin.serviceName,
    scope: origin.scope,
  };
}

/** Decodes n attributes at o (of a record with that complexBase) into out; returns the offset past them. */
export function decodeAttributes(
  seg: Segment,
  o: number,
  n: number,
  complexBase: number,
  dict: Dictionary,
  out: KeyValue[],
): number {
  const u32 = seg.u32;
  for (let a = 0; a < n; a++) {
    const header = u32[o]!;
    const type = header & 0xff;
    const key = dict.keys.strings[header >>> 8]!;
    let value: AnyValue;
    switch (type) {
      case V_STR_ID:
        value = { kind: 'string', value: dict.strs.strings[u32[o + 1]!]! };
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
