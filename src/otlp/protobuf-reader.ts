// A small protobuf wire-format reader tuned for OTLP decoding. One reader walks one buffer; nested
// messages are decoded in place between a start and an end offset (no sub-readers, no copies).
// Every read is bounds-checked against the buffer; a message decoder calls expectEnd() after its
// field loop, which catches fields that overrun their enclosing message. Any fault is a
// DecodeError, never an out-of-range read that silently yields undefined.
import { isUtf8 } from 'node:buffer';
import { DecodeError } from './decode-error.js';

export const WireType = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

/** Buffer's native slicers: they skip toString()'s argument handling, which dominates short strings. */
interface FastSlices {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
}

const TWO_32 = 4294967296;
/** a 64-bit value whose high word is below this is below 2^53, so a safe integer */
const SAFE_HI = 0x200000;
const TEXT_WINDOW = 4096;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export class ProtoReader {
  readonly buf: Buffer;
  readonly len: number;
  pos: number;
  private readonly view: DataView;
  private readonly slices: FastSlices;
  /** whether the last ID read by id() was all zero bytes (an invalid ID, per OTLP) */
  idWasZero = false;
  /** strings read so far whose invalid UTF-8 was replaced with U+FFFD */
  invalidUtf8 = 0;
  /** spans decoded so far with an all-zero trace ID, and with an all-zero span ID (kept by the span decoder) */
  zeroTraceIdSpans = 0;
  zeroSpanIdSpans = 0;
  /** how many array/kvlist values enclose the one being decoded (see MAX_VALUE_NESTING) */
  depth = 0;
  /** high 32 bits of the last 64-bit varint read by varintParts() */
  private hi = 0;
  /** a window of the buffer as latin1 text, bytes textStart..textEnd (see string()) */
  private text = '';
  private textStart = 0;
  private textEnd = 0;

  constructor(bytes: Uint8Array) {
    this.buf = asBuffer(bytes);
    this.len = this.buf.length;
    this.pos = 0;
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.slices = this.buf as unknown as FastSlices;
  }

  truncated(what: string): DecodeError {
    return new DecodeError('', `truncated ${what} at byte ${this.pos}`);
  }

  /** Reads a field tag and returns it whole (field number << 3 | wire type). */
  tag(): number {
    const buf = this.buf;
    const pos = this.pos;
    if (pos < this.len) {
      const b = buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        if (b < 8) throw new DecodeError('', `invalid field number 0 at byte ${pos}`);
        return b;
      }
    }
    const t = this.varintParts();
    if (this.hi !== 0 || t >>> 3 === 0) throw new DecodeError('', `invalid field tag at byte ${pos}`);
    return t;
  }

  /** Unsigned varint as a number (uint32, uint64, enum, bool); exact below 2^53. */
  varint(): number {
    const pos = this.pos;
    if (pos < this.len) {
      const b = this.buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    const lo = this.varintParts();
    return this.hi === 0 ? lo : this.hi * TWO_32 + lo;
  }

  /**
   * int32 / int64 varint, exact: a number when it is a safe integer, a bigint beyond 2^53.
   * Negative values arrive as 10-byte two's complement.
   */
  int64(): number | bigint {
    const pos = this.pos;
    if (pos < this.len) {
      const b = this.buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    const lo = this.varintParts();
    const hi = this.hi;
    if ((hi & 0x80000000) === 0) return hi < SAFE_HI ? hi * TWO_32 + lo : (BigInt(hi) << 32n) | BigInt(lo);
    // magnitude of the negative value: two's complement of (hi, lo)
    const nlo = (~lo + 1) >>> 0;
    let nhi = ~hi >>> 0;
    if (nlo === 0) nhi = (nhi + 1) >>> 0;
    return nhi < SAFE_HI ? -(nhi * TWO_32 + nlo) : -((BigInt(nhi) << 32n) | BigInt(nlo));
  }

  /** sint32 / sint64 (zigzag), as in ExponentialHistogram scale and bucket offsets. */
  sint(): number {
    const lo = this.varintParts();
    const hi = this.hi;
    // zigzag on 64 bits: value = (n >>> 1) ^ -(n & 1)
    const neg = lo & 1;
    let vlo = ((lo >>> 1) | (hi << 31)) >>> 0;
    let vhi = hi >>> 1;
    if (neg === 0) return vhi * TWO_32 + vlo;
    // -(v + 1) where v = (vhi, vlo)
    vlo = (vlo + 1) >>> 0;
    if (vlo === 0) vhi = (vhi + 1) >>> 0;
    return -(vhi * TWO_32 + vlo);
  }

  bool(): boolean {
    return this.varint() !== 0;
  }

  /** Reads a varint of up to 10 bytes; returns the low 32 bits (unsigned) and leaves the high 32 in this.hi. */
  private varintParts(): number {
    const buf = this.buf;
    const len = this.len;
    let pos = this.pos;
    let lo = 0;
    let b = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= len) throw this.truncated('varint');
      b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        this.hi = 0;
        return lo >>> 0;
      }
    }
    if (pos >= len) throw this.truncated('varint');
    b = buf[pos++]!;
    lo = (lo | ((b & 0x0f) << 28)) >>> 0;
    let hi = (b & 0x7f) >>> 4;
    if (b < 0x80) {
      this.pos = pos;
      this.hi = hi;
      return lo;
    }
    for (let shift = 3; shift < 32; shift += 7) {
      if (pos >= len) throw this.truncated('varint');
      b = buf[pos++]!;
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        this.hi = hi >>> 0;
        return lo;
      }
    }
    throw new DecodeError('', `varint longer than 10 bytes at byte ${this.pos}`);
  }

  fixed32(): number {
    const pos = this.pos;
    if (pos + 4 > this.len) throw this.truncated('fixed32');
    this.pos = pos + 4;
    return this.view.getUint32(pos, true);
  }

  /** fixed64 as an unsigned number: nanosecond timestamps lose sub-microsecond bits, by design. */
  fixed64(): number {
    const pos = this.pos;
    if (pos + 8 > this.len) throw this.truncated('fixed64');
    this.pos = pos + 8;
    const view = this.view;
    return view.getUint32(pos + 4, true) * TWO_32 + view.getUint32(pos, true);
  }

  sfixed64(): number {
    const pos = this.pos;
    if (pos + 8 > this.len) throw this.truncated('sfixed64');
    this.pos = pos + 8;
    const view = this.view;
    return view.getInt32(pos + 4, true) * TWO_32 + view.getUint32(pos, true);
  }

  double(): number {
    const pos = this.pos;
    if (pos + 8 > this.len) throw this.truncated('double');
    this.pos = pos + 8;
    return this.view.getFloat64(pos, true);
  }

  /** Reads a length prefix and returns the end offset of the payload that follows (pos at its start). */
  lenEnd(): number {
    const n = this.varint();
    const end = this.pos + n;
    if (end > this.len) throw this.truncated('length-delimited field');
    return end;
  }

  string(): string {
    const end = this.lenEnd();
    const start = this.pos;
    this.pos = end;
    const n = end - start;
    if (n === 0) return '';
    // ASCII strings take the latin1 slicers, which need no validation. Short ones (most attribute
    // keys and values) are cut from a latin1 copy of a window of the buffer: a JS substring beats
    // one native call per string. The window is small so it stays in the young generation, and
    // below 13 characters V8 copies substrings rather than slicing them, so no result pins it.
    const buf = this.buf;
    let i = start;
    while (i < end && buf[i]! < 0x80) i++;
    if (i === end) {
      if (n >= 13) return this.slices.latin1Slice(start, end);
      if (start < this.textStart || end > this.textEnd) {
        this.textStart = start;
        this.textEnd = Math.min(this.len, start + TEXT_WINDOW);
        this.text = this.slices.latin1Slice(start, this.textEnd);
      }
      return this.text.substring(start - this.textStart, end - this.textStart);
    }
    const s = this.slices.utf8Slice(start, end);
    // utf8Slice replaces invalid UTF-8 with U+FFFD: count it (a U+FFFD may also be genuine)
    if (s.indexOf('\ufffd') >= 0 && !isUtf8(buf.subarray(start, end))) this.invalidUtf8++;
    return s;
  }

  /** A copy, so the decoded model never pins the request buffer. */
  bytes(): Uint8Array {
    const end = this.lenEnd();
    const start = this.pos;
    this.pos = end;
    return new Uint8Array(this.buf.subarray(start, end));
  }

  /**
   * A trace or span ID as lower-case hex. `size` is the required byte length; an empty field gives
   * '' when `allowEmpty`, anything else is a DecodeError naming `field`.
   */
  id(size: number, field: string, allowEmpty: boolean): string {
    const end = this.lenEnd();
    const start = this.pos;
    const n = end - start;
    if (n === size) {
      this.pos = end;
      const buf = this.buf;
      let i = start;
      while (i < end && buf[i] === 0) i++;
      this.idWasZero = i === end;
      return this.slices.hexSlice(start, end);
    }
    if (n === 0 && allowEmpty) return '';
    throw new DecodeError(field, `expected ${size} bytes${allowEmpty ? ' or none' : ''}, got ${n}`);
  }

  /** Skips one field's payload after its tag. Groups are refused: OTLP never uses them. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.VARINT: {
        const buf = this.buf;
        const len = this.len;
        let pos = this.pos;
        for (let i = 0; i < 10; i++) {
          if (pos >= len) throw this.truncated('varint');
          if (buf[pos++]! < 0x80) {
            this.pos = pos;
            return;
          }
        }
        throw new DecodeError('', `varint longer than 10 bytes at byte ${this.pos}`);
      }
      case WireType.I64:
        if (this.pos + 8 > this.len) throw this.truncated('fixed64');
        this.pos += 8;
        return;
      case WireType.LEN:
        this.pos = this.lenEnd();
        return;
      case WireType.I32:
        if (this.pos + 4 > this.len) throw this.truncated('fixed32');
        this.pos += 4;
        return;
      default:
        throw new DecodeError('', `unsupported wire type ${wireType} at byte ${this.pos}`);
    }
  }

  /** Called after a message's field loop: the last field must end exactly where the message does. */
  expectEnd(end: number): void {
    if (this.pos !== end) throw new DecodeError('', `field overruns its message at byte ${end}`);
  }
}
