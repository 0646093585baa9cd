// Word layout of a record and of a span inside it (see arena.ts). Offsets are in 32-bit words.
//
// record: [nSpans, complexBase, prevRef (f64, -1 = first record of the trace), traceId (4 words)] spans…
// span:   [spanWords, spanId hi, lo, parent hi, lo, start ns (f64), end ns (f64), nameId, originId, bits]
//         [flags]? [traceState string]? [status message string]? [dropped attrs, events, links]?
//         attributes × nAttrs
//         [nEvents, event × nEvents]?   event: [time (f64), nameId, nAttrs | dropped << 16, attributes…]
//         [nLinks, link × nLinks]?      link:  [traceId ×4, spanId ×2, traceState string, flags, nAttrs | dropped << 16, attributes…]
// attribute: [keyId << 8 | valueType, payload…]

export const REC_NSPANS = 0;
export const REC_COMPLEX_BASE = 1;
export const REC_PREV = 2;
export const REC_TRACE_ID = 4;
export const REC_HEADER_WORDS = 8;

export const SP_WORDS = 0;
export const SP_ID = 1;
export const SP_PARENT = 3;
export const SP_START = 5;
export const SP_END = 7;
export const SP_NAME = 9;
export const SP_ORIGIN = 10;
export const SP_BITS = 11;
export const SP_FIXED_WORDS = 12;

// bits word: kind 0-2, status code 3-4, flags 5-11, attribute count 16-31
export const B_HAS_PARENT = 1 << 5;
export const B_HAS_FLAGS = 1 << 6;
export const B_HAS_TRACE_STATE = 1 << 7;
export const B_HAS_STATUS_MSG = 1 << 8;
export const B_HAS_DROPPED = 1 << 9;
export const B_HAS_EVENTS = 1 << 10;
export const B_HAS_LINKS = 1 << 11;
export const MAX_COUNT = 0xffff;

// attribute value types
export const V_STR_ID = 1; // interned string: 1 word id
export const V_STR = 2; // inline UTF-8 string
export const V_TRUE = 3;
export const V_FALSE = 4;
export const V_INT32 = 5; // 1 word, two's complement
export const V_INT = 6; // f64 (integers beyond int32)
export const V_DOUBLE = 7; // f64
export const V_EMPTY = 8;
export const V_COMPLEX = 9; // 1 word: index into the segment's complex values (plus the record's base)
export const V_INT64 = 10; // 2 words, low then high, two's complement: int64 beyond 2^53 (a bigint in the model)

/** Words of an attribute value's payload at o (after the header word). */
export function payloadWords(type: number, u32: Uint32Array, o: number): number {
  switch (type) {
    case V_STR_ID:
    case V_INT32:
    case V_COMPLEX:
      return 1;
    case V_STR:
      return 1 + ((u32[o]! + 3) >>> 2);
    case V_INT:
    case V_DOUBLE:
    case V_INT64:
      return 2;
    default:
      return 0;
  }
}
