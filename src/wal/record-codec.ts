// The byte layout helpers every log's records are written with: unsigned and zigzag varints (as
// protobuf encodes them), little-endian float64, and length-prefixed UTF-8 strings and bytes. A
// RecordWriter grows one buffer and is reused across records; a RecordReader walks a record and
// throws RecordDecodeError on anything that runs past its end, so a replay can count and skip it.

/** A record whose content cannot be read (truncated field, bad varint); its frame's CRC was fine. */
export class RecordDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordDecodeError';
  }
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

export class RecordWriter {
  private buf: Uint8Array;
  private dv: DataView;
  /** bytes written so far */
  length = 0;

  constructor(initialBytes = 4096) {
    this.buf = new Uint8Array(initialBytes);
    this.dv = new DataView(this.buf.buffer);
  }

  /** Starts a new record, keeping the buffer. */
  reset(): this {
    this.length = 0;
    return this;
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }

  u8(b: number): this {
    this.ensure(1);
    this.buf[this.length++] = b;
    return this;
  }

  /** A non-negative integer below 2^53. */
  uvarint(n: number): this {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.length;
    while (n >= 0x80) {
      buf[pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    buf[pos++] = n;
    this.length = pos;
    return this;
  }

  /** Any safe integer, zigzag-encoded so small negative numbers stay short. */
  varint(n: number): this {
    return this.uvarint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  f64(v: number): this {
    this.ensure(8);
    this.dv.setFloat64(this.length, v, true);
    this.length += 8;
    return this;
  }

  /** An unsigned 32-bit integer, little-endian. */
  u32(n: number): this {
    this.ensure(4);
    this.dv.setUint32(this.length, n >>> 0, true);
    this.length += 4;
    return this;
  }

  string(s: string): this {
    // At most 3 bytes per UTF-16 unit; encodeInto writes straight into the buffer.
    this.ensure(s.length * 3 + 10);
    const lenPos = this.length;
    // Reserve one varint byte and move the text when its length needs more.
    const { written } = utf8.encodeInto(s, this.buf.subarray(lenPos + 1));
    if (written < 0x80) {
      this.buf[lenPos] = written;
      this.length = lenPos + 1 + written;
      return this;
    }
    const text = this.buf.slice(lenPos + 1, lenPos + 1 + written);
    this.length = lenPos;
    this.uvarint(written);
    return this.raw(text);
  }

  bytes(b: Uint8Array): this {
    this.uvarint(b.length);
    return this.raw(b);
  }

  /** Bytes without a length prefix. */
  raw(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** A view of the record written so far (valid until the next write or reset). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** A copy of the record written so far. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export class RecordReader {
  pos = 0;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.buf.length) throw new RecordDecodeError(`truncated ${what} at byte ${this.pos}`);
  }

  u8(): number {
    this.need(1, 'byte');
    return this.buf[this.pos++]!;
  }

  uvarint(): number {
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.buf.length) throw new RecordDecodeError(`truncated varint at byte ${this.pos}`);
      const b = this.buf[this.pos++]!;
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 0x80;
    }
    throw new RecordDecodeError(`varint longer than 53 bits at byte ${this.pos}`);
  }

  varint(): number {
    const z = this.uvarint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  f64(): number {
    this.need(8, 'float64');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  u32(): number {
    this.need(4, 'uint32');
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  string(): string {
    const n = this.uvarint();
    this.need(n, 'string');
    const s = utf8Decoder.decode(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }

  /** A view into the record (copy it to keep it beyond the replay callback). */
  bytes(): Uint8Array {
    const n = this.uvarint();
    this.need(n, 'bytes');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}
