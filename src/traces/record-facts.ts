// What a stored record adds to the store's index and catalogue, read from the record's words:
// its distinct search terms (each with the first and last start of the spans holding it), its
// (service, operation) pairs and its time bounds. The store reads them the same way from a record it has just
// encoded, from one replayed from the write-ahead log and from one loaded from a segment on
// disk, so an index rebuilt on start is the index the store had.
import { anyValueToString } from '../otlp/model.js';
import { readF64, type Segment } from './arena.js';
import type { Origin } from './catalogue.js';
import { eventAttrCount, eventAttrsAt, readInt64, type SpanCursor } from './codec.js';
import { grown } from './grown.js';
import { hashString, mix, type Dictionary } from './intern.js';
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
import {
  DURATION_THRESHOLDS_US,
  durationBase,
  ERROR_TERM,
  H_EMPTY,
  H_FALSE,
  H_STATUS_DESC,
  H_TRACE_STATE,
  H_TRUE,
  KIND_TERMS,
  operationTerm,
  serviceTerm,
  STATUS_TERMS,
} from './terms.js';

/** FNV-1a of a UTF-8 string as hashString hashes its UTF-16 form (ASCII hashed in place). */
export function hashUtf8(bytes: Buffer, start: number, n: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < start + n; i++) {
    const c = bytes[i]!;
    if (c >= 0x80) return hashString(bytes.toString('utf8', start, start + n));
    h ^= c;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** hashString(String(n)) of an int32 n, without making the string (1.5 integer attributes a demo span). */
export function hashInt32(n: number): number {
  let h = 0x811c9dc5;
  if (n < 0) h = Math.imul(h ^ 0x2d, 0x01000193); // '-'
  const u = Math.abs(n);
  let div = 1;
  while (div * 10 <= u) div *= 10;
  for (; div >= 1; div /= 10) h = Math.imul(h ^ (0x30 + (Math.floor(u / div) % 10)), 0x01000193);
  return h >>> 0;
}

export class RecordFacts {
  /**
   * The record's distinct index terms (terms[0, nTerms)), each with the earliest and latest start
   * of the spans that hold it: a term repeats in most spans of a trace (service, operation, kind,
   * low-cardinality values), and the index needs it once per record with those bounds.
   */
  terms = new Uint32Array(512);
  termMin = new Float64Array(512);
  termMax = new Float64Array(512);
  nTerms = 0;
  /** per span: service id, name id * 8 + kind */
  readonly operations: number[] = [];
  spans = 0;
  minStart = Infinity;
  maxStart = -Infinity;
  maxEnd = -Infinity;
  /** the longest span's duration in µs, rounded as searches compare it */
  maxDurUs = -Infinity;
  // the set of this record's terms: open addressing over slots holding a term's position + 1,
  // valid where stamp equals the record's generation (no clearing per record)
  private slots = new Uint32Array(512);
  private stamp = new Uint32Array(512);
  private gen = 0;

  constructor(
    private readonly dict: Dictionary,
    private readonly origins: readonly Origin[],
  ) {}

  /** Reads the facts of the record the cursor was just positioned on (it is left past its last span). */
  read(cur: SpanCursor): void {
    this.nTerms = 0;
    this.operations.length = 0;
    this.gen = (this.gen + 1) >>> 0;
    if (this.gen === 0) {
      this.stamp.fill(0);
      this.gen = 1;
    }
    let spans = 0;
    let minStart = Infinity;
    let maxStart = -Infinity;
    let maxEnd = -Infinity;
    let maxDurUs = -Infinity;
    while (cur.nextInRecord()) {
      spans++;
      const start = cur.startNs;
      const end = cur.endNs;
      if (start < minStart) minStart = start;
      if (start > maxStart) maxStart = start;
      if (end > maxEnd) maxEnd = end;
      const durUs = Math.round((end - start) / 1000);
      if (durUs > maxDurUs) maxDurUs = durUs;
      this.readSpan(cur, start, end);
    }
    this.spans = spans;
    this.minStart = minStart;
    this.maxStart = maxStart;
    this.maxEnd = maxEnd;
    this.maxDurUs = maxDurUs;
  }

  /** Adds term, held by a span starting at start, to the record's distinct terms. */
  private term(term: number, start: number): void {
    const { slots, stamp, gen } = this;
    const mask = slots.length - 1;
    for (let i = term & mask; ; i = (i + 1) & mask) {
      if (stamp[i] !== gen) {
        const k = this.nTerms++;
        this.terms[k] = term;
        this.termMin[k] = start;
        this.termMax[k] = start;
        stamp[i] = gen;
        slots[i] = k;
        // at most half full: probes stay short
        if (this.nTerms * 2 > slots.length) this.grow();
        return;
      }
      const k = slots[i]!;
      if (this.terms[k] === term) {
        if (start < this.termMin[k]!) this.termMin[k] = start;
        if (start > this.termMax[k]!) this.termMax[k] = start;
        return;
      }
    }
  }

  /** Doubles the term arrays and the set, re-adding the terms held. */
  private grow(): void {
    const cap = this.slots.length * 2;
    this.terms = grown(this.terms, cap);
    this.termMin = grown(this.termMin, cap);
    this.termMax = grown(this.termMax, cap);
    this.slots = new Uint32Array(cap);
    this.stamp = new Uint32Array(cap);
    this.gen = 1;
    const mask = cap - 1;
    for (let k = 0; k < this.nTerms; k++) {
      let i = this.terms[k]! & mask;
      while (this.stamp[i] === 1) i = (i + 1) & mask;
      this.stamp[i] = 1;
      this.slots[i] = k;
    }
  }

  private readSpan(cur: SpanCursor, start: number, end: number): void {
    const seg = cur.seg;
    if (cur.traceStateAt >= 0) this.term(mix(H_TRACE_STATE, stringHash(seg, cur.traceStateAt)), start);
    if (cur.statusMsgAt >= 0) this.term(mix(H_STATUS_DESC, stringHash(seg, cur.statusMsgAt)), start);
    // span and event attributes are searchable; link attributes are not (nor in Jaeger)
    const attrsEnd = this.readAttrs(cur, cur.attrsAt, cur.nAttrs, start);
    const eventsAt = cur.eventsAt(attrsEnd);
    if (eventsAt >= 0) {
      const u32 = cur.u32;
      let o = eventsAt + 1;
      for (let n = u32[eventsAt]!, e = 0; e < n; e++)
        o = this.readAttrs(cur, eventAttrsAt(o), eventAttrCount(u32, o), start);
    }

    // the span's own terms: service, service+operation, duration classes, Jaeger's derived tags
    const serviceId = this.origins[cur.originId]!.serviceId;
    const nameId = cur.nameId;
    const kind = cur.kind;
    const code = cur.statusCode;
    this.term(serviceTerm(serviceId), start);
    this.term(operationTerm(serviceId, nameId), start);
    const durUs = Math.round((end - start) / 1000);
    if (durUs >= DURATION_THRESHOLDS_US[0]!) {
      const durBase = durationBase(serviceId);
      for (let k = 0; k < DURATION_THRESHOLDS_US.length && durUs >= DURATION_THRESHOLDS_US[k]!; k++)
        this.term(mix(durBase, k), start);
    }
    if (kind !== 0 && kind < KIND_TERMS.length) this.term(KIND_TERMS[kind]!, start);
    if (code === 1 || code === 2) {
      this.term(STATUS_TERMS[code]!, start);
      if (code === 2) this.term(ERROR_TERM, start);
    }
    this.operations.push(serviceId, nameId * 8 + kind);
  }

  /** Adds the terms of n attributes at o; returns the offset past them. */
  private readAttrs(cur: SpanCursor, o: number, n: number, start: number): number {
    const { u32, seg, complexBase } = cur;
    const dict = this.dict;
    for (let a = 0; a < n; a++) {
      const header = u32[o]!;
      const type = header & 0xff;
      this.term(mix(dict.keys.hashes[header >>> 8]!, valueHash(seg, type, o + 1, complexBase, dict)), start);
      o += 1 + payloadWords(type, u32, o + 1);
    }
    return o;
  }
}

function stringHash(seg: Segment, o: number): number {
  return hashUtf8(seg.bytes, (o + 1) * 4, seg.u32[o]!);
}

/** The hash of a stored value's text (as a search for that text hashes it). */
function valueHash(seg: Segment, type: number, o: number, complexBase: number, dict: Dictionary): number {
  const u32 = seg.u32;
  switch (type) {
    case V_STR_ID:
      return dict.strs.hashes[u32[o]!]!;
    case V_STR:
      return stringHash(seg, o);
    case V_TRUE:
      return H_TRUE;
    case V_FALSE:
      return H_FALSE;
    case V_INT32:
      return hashInt32(u32[o]! | 0);
    case V_INT:
    case V_DOUBLE:
      return hashString(String(readF64(u32, o)));
    case V_INT64:
      return hashString(String(readInt64(u32, o)));
    case V_COMPLEX: {
      const v = seg.complex[complexBase + u32[o]!];
      return v === undefined ? H_EMPTY : hashString(anyValueToString(v));
    }
    case V_EMPTY:
    default:
      return H_EMPTY;
  }
}
