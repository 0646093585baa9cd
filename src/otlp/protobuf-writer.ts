// A protobuf wire-format writer over one growing buffer, the counterpart of protobuf-reader.ts,
// for the exporters (OTLP forwarding, Prometheus remote write). A nested message is written in
// place: begin() leaves one byte for its length, end() writes the length and, when it needs more
// than one byte, moves the body along (rare for the many small messages, a few copies for the
// few big ones), so no message is encoded into a buffer of its own and copied.
const TWO_32 = 4294967296;
const UTF8 = new TextEncoder();
/** the value of a hex digit by its char code (IDs are lower-case hex; upper case read too) */
const HEX = new Uint8Array(128);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = HEX[65 + i] = 10 + i;

export class ProtoWriter {
  private buf: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = new Uint8Array(Math.max(16, initialBytes));
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** an unsigned varint of a non-negative integer up to 2^53 (divides: values exceed 32 bits) */
  varint(x: number): void {
    this.ensure(10);
    let v = x;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** int64/int32 as a varint: negative values in two's complement (ten bytes) */
  int64(field: number, v: number | bigint): void {
    this.tag(field, 0);
    if (typeof v === 'number' && v >= 0) {
      this.varint(v);
      return;
    }
    let u = BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }

  /** a uint32/uint64/enum/bool field, skipped when zero (proto3 default) */
  uint(field: number, v: number): void {
    if (v === 0) return;
    this.tag(field, 0);
    this.varint(v);
  }

  /** sint32/sint64 (zigzag), skipped when zero */
  sint(field: number, v: number): void {
    if (v === 0) return;
    this.tag(field, 0);
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  /** a double field, always written (callers skip defaults where proto3 would) */
  double(field: number, v: number): void {
    this.tag(field, 1);
    this.rawDouble(v);
  }

  rawDouble(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** the bits of a double as given, little-endian (Prometheus's StaleNaN needs its exact payload) */
  rawDoubleBits(hi: number, lo: number): void {
    this.ensure(8);
    this.view.setUint32(this.pos, lo, true);
    this.view.setUint32(this.pos + 4, hi, true);
    this.pos += 8;
  }

  /** fixed64 of a non-negative integer held in a double (nanosecond times, counts), skipped when zero */
  fixed64(field: number, v: number): void {
    if (v === 0) return;
    this.tag(field, 1);
    this.rawFixed64(v);
  }

  rawFixed64(v: number): void {
    const n = Math.max(0, Math.trunc(v));
    const hi = Math.floor(n / TWO_32);
    this.ensure(8);
    this.view.setUint32(this.pos, n - hi * TWO_32, true);
    this.view.setUint32(this.pos + 4, hi, true);
    this.pos += 8;
  }

  /** fixed32, skipped when zero */
  fixed32(field: number, v: number): void {
    if (v === 0) return;
    this.tag(field, 5);
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
  }

  /** a string field, skipped when empty unless `keepEmpty` */
  string(field: number, s: string, keepEmpty = false): void {
    if (s === '' && !keepEmpty) return;
    this.tag(field, 2);
    // At most 3 bytes per UTF-16 unit; the length is written after the text, as for a message.
    const max = s.length * 3;
    this.ensure(max + 10);
    if (max < 0x80) {
      const start = this.pos++;
      const n = this.utf8(s);
      this.buf[start] = n;
      return;
    }
    const mark = this.begin();
    this.utf8(s);
    this.end(mark);
  }

  private utf8(s: string): number {
    // ASCII (nearly every attribute key and value) byte by byte: encodeInto's call and subarray
    // cost more than the copy for short strings.
    const buf = this.buf;
    const start = this.pos;
    const n = s.length;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[start + i] = c;
    }
    if (i === n) {
      this.pos = start + n;
      return n;
    }
    const { written } = UTF8.encodeInto(s.slice(i), buf.subarray(start + i));
    this.pos = start + i + written;
    return i + written;
  }

  /** a bytes field, skipped when empty */
  bytes(field: number, b: Uint8Array): void {
    if (b.length === 0) return;
    this.tag(field, 2);
    this.varint(b.length);
    this.raw(b);
  }

  /** a bytes field from lower-case hex (trace and span IDs), skipped when empty */
  hex(field: number, hex: string): void {
    if (hex === '') return;
    const n = hex.length >>> 1;
    this.tag(field, 2);
    this.varint(n);
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = (HEX[hex.charCodeAt(2 * i)]! << 4) | HEX[hex.charCodeAt(2 * i + 1)]!;
    this.pos = p;
  }

  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** starts a length-delimited field (a nested message); pass the returned mark to end() */
  fork(field: number): number {
    this.tag(field, 2);
    return this.begin();
  }

  private begin(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** ends the message started at mark: writes its length before it */
  end(mark: number): void {
    const len = this.pos - mark - 1;
    if (len < 0x80) {
      this.buf[mark] = len;
      return;
    }
    let extra = 0;
    for (let v = len; v >= 0x80; v = Math.floor(v / 0x80)) extra++;
    this.ensure(extra);
    this.buf.copyWithin(mark + 1 + extra, mark + 1, this.pos);
    let v = len;
    let p = mark;
    while (v >= 0x80) {
      this.buf[p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[p] = v;
    this.pos += extra;
  }

  /** the bytes written, copied out (the writer can be reset and reused) */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }
}
