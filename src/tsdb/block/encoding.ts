// Byte-level encodings of Prometheus's block files: big-endian fixed-width integers, Go's
// uvarint/varint (LEB128, zig-zag for signed) and length-prefixed strings. Numbers stay JS
// numbers: every quantity in a block (millisecond timestamps, file offsets, chunk refs of
// segment << 32 | offset) fits 53 bits, so arithmetic replaces 32-bit bit operators.

const TWO32 = 4294967296;
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** A growable output buffer. */
export class ByteWriter {
  private buf: Uint8Array;
  len = 0;

  constructor(initial = 4096) {
    this.buf = new Uint8Array(initial);
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b & 0xff;
  }

  be32(x: number): void {
    this.ensure(4);
    const b = this.buf;
    b[this.len] = x >>> 24;
    b[this.len + 1] = x >>> 16;
    b[this.len + 2] = x >>> 8;
    b[this.len + 3] = x;
    this.len += 4;
  }

  /** Writes a big-endian 32-bit value at an earlier position (a length filled in afterwards). */
  be32At(pos: number, x: number): void {
    const b = this.buf;
    b[pos] = x >>> 24;
    b[pos + 1] = x >>> 16;
    b[pos + 2] = x >>> 8;
    b[pos + 3] = x;
  }

  be64(x: number): void {
    const hi = Math.floor(x / TWO32);
    this.be32(hi >>> 0);
    this.be32((x - hi * TWO32) >>> 0);
  }

  uvarint(x: number): void {
    this.ensure(10);
    const b = this.buf;
    while (x >= 0x80) {
      b[this.len++] = (x % 128) | 0x80;
      x = Math.floor(x / 128);
    }
    b[this.len++] = x;
  }

  /** Go's PutVarint: zig-zag, then uvarint. */
  varint(x: number): void {
    this.uvarint(x >= 0 ? x * 2 : -x * 2 - 1);
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** uvarint byte length, then the UTF-8 bytes. */
  str(s: string): void {
    const b = utf8.encode(s);
    this.uvarint(b.length);
    this.raw(b);
  }

  /** Zero bytes up to the next multiple of `align`. */
  pad(align: number): void {
    const n = (align - (this.len % align)) % align;
    this.ensure(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
  }
}

/** Thrown for bytes that do not decode: a truncated or corrupted file. */
export class CorruptError extends Error {}

/** A cursor over bytes; every read checks bounds and throws CorruptError past the end. */
export class ByteReader {
  constructor(
    readonly buf: Uint8Array,
    public pos = 0,
    readonly end = buf.length,
  ) {
    if (end > buf.length || pos > end) throw new CorruptError('section runs past the end of the file');
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new CorruptError('unexpected end of data');
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  be32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  be64(): number {
    const hi = this.be32();
    const lo = this.be32();
    if (hi >= 0x200000) throw new CorruptError('64-bit value beyond 2^53');
    return hi * TWO32 + lo;
  }

  uvarint(): number {
    let x = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      x += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (x > Number.MAX_SAFE_INTEGER) throw new CorruptError('varint beyond 2^53');
        return x;
      }
      mul *= 128;
    }
    throw new CorruptError('varint longer than 10 bytes');
  }

  varint(): number {
    const u = this.uvarint();
    // Zig-zag: even → u/2, odd → -(u+1)/2.
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  str(): string {
    const n = this.uvarint();
    try {
      return utf8Decoder.decode(this.bytes(n));
    } catch (e) {
      if (e instanceof CorruptError) throw e;
      throw new CorruptError('string is not valid UTF-8');
    }
  }
}

/** Orders strings as Go compares them: by their UTF-8 bytes, which is code point order. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 order differs from code point order only when one side is a surrogate.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
