// Gorilla-style XOR chunk (Pelkonen et al., "Gorilla", VLDB 2015; the same scheme as Prometheus's
// XOR chunk): timestamps as delta-of-delta in variable-width buckets, values XOR-ed with the
// previous value and only the meaningful bits written. 64-bit quantities are handled as two
// uint32 halves because JS bit operators are 32-bit and BigInt would be far slower.
//
// Layout: bytes 0-1 hold the sample count (big-endian uint16), the bit stream starts at byte 2.
// Sample 0: t as 64 bits (two's complement hi/lo), v as 64 raw bits.
// Sample n>0: t as delta-of-delta (the delta before sample 1 counts as 0):
//   '0' → dod 0; '10' + 7 bits; '110' + 14 bits; '1110' + 20 bits; '1111' + 64 bits.
//   (Prometheus uses 14/17/20 bits; the 7-bit bucket, as in the Gorilla paper, makes the few
//   milliseconds of jitter of pushed OTLP timestamps cost 9 bits instead of 16.)
// Value as v XOR prev: '0' → equal; '10' + meaningful bits inside the previous window;
//   '11' + 5 bits leading zeros + 6 bits significant-bit count (0 means 64) + the bits.
// Staleness markers are stored as Prometheus's StaleNaN bit pattern (0x7ff0000000000002); every
// other NaN is canonicalised to 0x7ff8000000000000 on append so it can never be mistaken for one.

export const STALE_HI = 0x7ff00000;
export const STALE_LO = 0x00000002;
const CANON_NAN_HI = 0x7ff80000;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Typed arrays use the platform's byte order; find which half holds the high word.
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE ? 1 : 0;
const LO = LITTLE ? 0 : 1;

const TWO32 = 4294967296;

function clz64(hi: number, lo: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

function ctz32(x: number): number {
  // x & -x isolates the lowest set bit; 31 - clz32 of it is its index.
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}

function ctz64(hi: number, lo: number): number {
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
}

/** Appends samples to one chunk. The buffer grows as needed; `bytes()` is a view of what is written. */
export class XorAppender {
  private buf: Uint8Array;
  private bitPos = 16;
  private n = 0;
  private t = 0;
  private tDelta = 0;
  private vHi = 0;
  private vLo = 0;
  private leading = 0xff;
  private trailing = 0;

  constructor(initialBytes = 64) {
    this.buf = new Uint8Array(Math.max(initialBytes, 4));
  }

  get numSamples(): number {
    return this.n;
  }

  get lastT(): number {
    return this.t;
  }

  /** Bytes in use. */
  get size(): number {
    return (this.bitPos + 7) >>> 3;
  }

  /** A view of the encoded chunk (valid until the next append). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.size);
  }

  /** The allocated capacity, for memory accounting. */
  get capacity(): number {
    return this.buf.length;
  }

  append(t: number, v: number): void {
    f64[0] = v;
    let hi = u32[HI]!;
    let lo = u32[LO]!;
    if (v !== v) {
      hi = CANON_NAN_HI;
      lo = 0;
    }
    this.appendBits(t, hi, lo);
  }

  appendStale(t: number): void {
    this.appendBits(t, STALE_HI, STALE_LO);
  }

  private appendBits(t: number, hi: number, lo: number): void {
    this.ensure(16);
    if (this.n === 0) {
      this.writeSigned64(t);
      this.writeBits(hi, 32);
      this.writeBits(lo, 32);
      this.tDelta = 0;
    } else {
      const delta = t - this.t;
      const dod = delta - this.tDelta;
      if (dod === 0) {
        this.writeBits(0, 1);
      } else if (dod >= -63 && dod <= 64) {
        this.writeBits(0b10, 2);
        this.writeBits(dod & 0x7f, 7);
      } else if (dod >= -8191 && dod <= 8192) {
        this.writeBits(0b110, 3);
        this.writeBits(dod & 0x3fff, 14);
      } else if (dod >= -524287 && dod <= 524288) {
        this.writeBits(0b1110, 4);
        this.writeBits(dod & 0xfffff, 20);
      } else {
        this.writeBits(0b1111, 4);
        this.writeSigned64(dod);
      }
      this.tDelta = delta;
      this.writeValue(hi, lo);
    }
    this.t = t;
    this.vHi = hi;
    this.vLo = lo;
    this.n++;
    this.buf[0] = this.n >>> 8;
    this.buf[1] = this.n & 0xff;
  }

  private writeValue(hi: number, lo: number): void {
    const xhi = (hi ^ this.vHi) >>> 0;
    const xlo = (lo ^ this.vLo) >>> 0;
    if (xhi === 0 && xlo === 0) {
      this.writeBits(0, 1);
      return;
    }
    let leading = clz64(xhi, xlo);
    const trailing = ctz64(xhi, xlo);
    // 5 bits hold the leading-zero count; clamp as Prometheus does.
    if (leading >= 32) leading = 31;
    if (this.leading !== 0xff && leading >= this.leading && trailing >= this.trailing) {
      this.writeBits(0b10, 2);
      this.writeShifted(xhi, xlo, this.trailing, 64 - this.leading - this.trailing);
      return;
    }
    this.leading = leading;
    this.trailing = trailing;
    const sig = 64 - leading - trailing;
    this.writeBits(0b11, 2);
    this.writeBits(leading, 5);
    // sig is 1..64; 64 does not fit 6 bits and is written as 0 (the reader maps it back).
    this.writeBits(sig & 63, 6);
    this.writeShifted(xhi, xlo, trailing, sig);
  }

  /** Writes `count` bits of (hi:lo) >>> shift. */
  private writeShifted(hi: number, lo: number, shift: number, count: number): void {
    let rhi: number;
    let rlo: number;
    if (shift >= 32) {
      rhi = 0;
      rlo = hi >>> (shift - 32);
    } else if (shift > 0) {
      rlo = ((lo >>> shift) | (hi << (32 - shift))) >>> 0;
      rhi = hi >>> shift;
    } else {
      rhi = hi;
      rlo = lo;
    }
    if (count > 32) {
      this.writeBits(rhi, count - 32);
      this.writeBits(rlo, 32);
    } else {
      this.writeBits(count === 32 ? rlo : rlo & ((1 << count) - 1), count);
    }
  }

  private writeSigned64(x: number): void {
    const hi = Math.floor(x / TWO32);
    const lo = x - hi * TWO32;
    this.writeBits(hi >>> 0, 32);
    this.writeBits(lo >>> 0, 32);
  }

  /** Ensures room for `bytes` more bytes. */
  private ensure(bytes: number): void {
    const need = (this.bitPos >>> 3) + bytes + 1;
    if (need <= this.buf.length) return;
    let cap = this.buf.length;
    // Grow by half: chunks are small, and a doubling would waste up to half of the last step.
    while (cap < need) cap = cap + (cap >>> 1) + 8;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.size));
    this.buf = next;
  }

  /** Writes the low `n` (1..32) bits of `value`, most significant first. */
  private writeBits(value: number, n: number): void {
    const buf = this.buf;
    let pos = this.bitPos;
    while (n > 0) {
      const free = 8 - (pos & 7);
      const take = free < n ? free : n;
      const bits = (value >>> (n - take)) & ((1 << take) - 1);
      buf[pos >>> 3]! |= bits << (free - take);
      pos += take;
      n -= take;
    }
    this.bitPos = pos;
  }
}

/** Number of samples in an encoded chunk. */
export function xorNumSamples(bytes: Uint8Array): number {
  return (bytes[0]! << 8) | bytes[1]!;
}

/**
 * Decodes samples one at a time: `next()` returns false at the end; then `t`, `v`, `stale` hold
 * the current sample. Reusable through `reset()`, so a query decodes many chunks without
 * allocating per chunk.
 */
export class XorIterator {
  t = 0;
  v = 0;
  stale = false;
  private buf: Uint8Array = new Uint8Array(2);
  private bitPos = 16;
  private n = 0;
  private i = 0;
  private tDelta = 0;
  private vHi = 0;
  private vLo = 0;
  private leading = 0;
  private trailing = 0;

  constructor(bytes?: Uint8Array, numSamples?: number) {
    if (bytes) this.reset(bytes, numSamples);
  }

  /** Starts over on `bytes`; numSamples overrides the header (for a chunk being appended to). */
  reset(bytes: Uint8Array, numSamples?: number): void {
    this.buf = bytes;
    this.n = numSamples ?? xorNumSamples(bytes);
    this.bitPos = 16;
    this.i = 0;
    this.tDelta = 0;
    this.leading = 0;
    this.trailing = 0;
  }

  next(): boolean {
    if (this.i >= this.n) return false;
    if (this.i === 0) {
      this.t = this.readSigned64();
      this.vHi = this.readBits(32);
      this.vLo = this.readBits(32);
    } else {
      let dod: number;
      if (this.readBits(1) === 0) dod = 0;
      else if (this.readBits(1) === 0) dod = signExtend(this.readBits(7), 7);
      else if (this.readBits(1) === 0) dod = signExtend(this.readBits(14), 14);
      else if (this.readBits(1) === 0) dod = signExtend(this.readBits(20), 20);
      else dod = this.readSigned64();
      this.tDelta += dod;
      this.t += this.tDelta;
      this.readValue();
    }
    this.i++;
    this.stale = this.vHi === STALE_HI && this.vLo === STALE_LO;
    u32[HI] = this.vHi;
    u32[LO] = this.vLo;
    this.v = f64[0]!;
    return true;
  }

  private readValue(): void {
    if (this.readBits(1) === 0) return;
    if (this.readBits(1) === 1) {
      this.leading = this.readBits(5);
      let sig = this.readBits(6);
      if (sig === 0) sig = 64;
      this.trailing = 64 - this.leading - sig;
    }
    const sig = 64 - this.leading - this.trailing;
    let hi: number;
    let lo: number;
    if (sig > 32) {
      hi = this.readBits(sig - 32);
      lo = this.readBits(32);
    } else {
      hi = 0;
      lo = this.readBits(sig);
    }
    // Shift (hi:lo) left by `trailing` to put the bits back in place.
    const s = this.trailing;
    let xhi: number;
    let xlo: number;
    if (s >= 32) {
      xhi = lo << (s - 32);
      xlo = 0;
    } else if (s > 0) {
      xhi = (hi << s) | (lo >>> (32 - s));
      xlo = lo << s;
    } else {
      xhi = hi;
      xlo = lo;
    }
    this.vHi = (this.vHi ^ xhi) >>> 0;
    this.vLo = (this.vLo ^ xlo) >>> 0;
  }

  private readSigned64(): number {
    const hi = this.readBits(32) | 0;
    const lo = this.readBits(32);
    return hi * TWO32 + lo;
  }

  /** Reads `n` (1..32) bits as an unsigned number. */
  private readBits(n: number): number {
    const buf = this.buf;
    let pos = this.bitPos;
    let out = 0;
    while (n > 0) {
      const avail = 8 - (pos & 7);
      const take = avail < n ? avail : n;
      const byte = buf[pos >>> 3]!;
      const bits = (byte >>> (avail - take)) & ((1 << take) - 1);
      // Multiply instead of shifting so a 32-bit result stays unsigned.
      out = out * (1 << take) + bits;
      pos += take;
      n -= take;
    }
    this.bitPos = pos;
    return out;
  }
}

function signExtend(bits: number, n: number): number {
  // Prometheus's buckets hold [-(2^(n-1)-1), 2^(n-1)]; values above 2^(n-1) are negative.
  return bits > 1 << (n - 1) ? bits - (1 << n) : bits;
}

// ---- bulk decoding for queries ----
// The read path decodes whole chunks into column arrays. The bit cursor is a local and fields are
// read through a 32-bit window (peek32), so most reads are one window load and one shift instead
// of a loop over bytes.

/** The 32 bits of the stream starting at bit `pos` (bytes past the end read as zero). */
export function peek32(buf: Uint8Array, pos: number): number {
  const i = pos >>> 3;
  const s = pos & 7;
  let w: number;
  if (i + 4 < buf.length) {
    w = (buf[i]! << 24) | (buf[i + 1]! << 16) | (buf[i + 2]! << 8) | buf[i + 3]!;
    if (s !== 0) w = (w << s) | (buf[i + 4]! >>> (8 - s));
    return w >>> 0;
  }
  // Near the end of the buffer: missing bytes are zeros.
  const len = buf.length;
  w = 0;
  for (let k = i; k < i + 4; k++) w = (w << 8) | (k < len ? buf[k]! : 0);
  if (s !== 0) w = (w << s) | ((i + 4 < len ? buf[i + 4]! : 0) >>> (8 - s));
  return w >>> 0;
}

/**
 * The 32 bits at bit `pos` of buf as an int32 (the decoders work in int32, V8's cheapest number
 * representation; uint32 values above 2^31 would be doubles), through a big-endian DataView over
 * buf: one word load and one byte load instead of five byte loads. Past byte `last` (the last with
 * 5 bytes after it) peek32 reads the tail with zeros.
 */
export function peekView(d: DataView, last: number, buf: Uint8Array, pos: number): number {
  const i = pos >>> 3;
  if (i > last) return peek32(buf, pos) | 0;
  const s = pos & 7;
  return (d.getInt32(i) << s) | (d.getUint8(i + 4) >>> (8 - s));
}

// Prefixes of a 32-bit window w read by peekView, as int32 comparisons: w >= 0 when it starts
// with '0', w < P10_END when with '10', w < P110_END when with '110', w < P1110_END when '1110'.
export const P10_END = 0xc0000000 | 0;
export const P110_END = 0xe0000000 | 0;
export const P1110_END = 0xf0000000 | 0;
export const STALE_HI_I32 = STALE_HI | 0;
export const STALE_LO_I32 = STALE_LO | 0;

/**
 * Decodes the samples with mint <= t <= maxt of the chunk at buf[offset…] into T/V/S starting at
 * index n (the arrays must have room for the chunk's whole sample count); returns the new n.
 * `count` overrides the header's sample count (for the open chunk). `VU`, a Uint32Array over V's
 * whole buffer, lets callers decoding many chunks into one V skip creating it per chunk.
 */
export function decodeXorInto(
  buf: Uint8Array,
  offset: number,
  count: number | undefined,
  mint: number,
  maxt: number,
  T: Float64Array,
  V: Float64Array,
  S: Uint8Array,
  n: number,
  VU: Uint32Array = new Uint32Array(V.buffer),
): number {
  const total = count ?? (buf[offset]! << 8) | buf[offset + 1]!;
  if (total === 0) return n;
  // Values are written as their two 32-bit halves straight into V's buffer.
  const vBase = V.byteOffset >>> 2;
  const d = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const last = buf.length - 5;
  let pos = (offset + 2) * 8;
  let t = peekView(d, last, buf, pos) * TWO32 + (peekView(d, last, buf, pos + 32) >>> 0);
  let vHi = peekView(d, last, buf, pos + 64);
  let vLo = peekView(d, last, buf, pos + 96);
  pos += 128;
  let tDelta = 0;
  let leading = 0;
  let trailing = 0;
  for (let i = 0; ;) {
    if (t > maxt) break;
    if (t >= mint) {
      T[n] = t;
      VU[vBase + 2 * n + HI] = vHi;
      VU[vBase + 2 * n + LO] = vLo;
      S[n] = vHi === STALE_HI_I32 && vLo === STALE_LO_I32 ? 1 : 0;
      n++;
    }
    if (++i >= total) break;
    // Timestamp: delta of delta behind a 1-4 bit prefix; `k` bits of the window are used.
    let w = peekView(d, last, buf, pos);
    let k: number;
    if (w >= 0) {
      k = 1;
    } else if (w < P10_END) {
      tDelta += signExtend((w >>> 23) & 0x7f, 7);
      k = 9;
    } else if (w < P110_END) {
      tDelta += signExtend((w >>> 15) & 0x3fff, 14);
      k = 17;
    } else if (w < P1110_END) {
      tDelta += signExtend((w >>> 8) & 0xfffff, 20);
      k = 24;
    } else {
      pos += 4;
      tDelta += peekView(d, last, buf, pos) * TWO32 + (peekView(d, last, buf, pos + 32) >>> 0);
      k = 64;
    }
    t += tDelta;
    pos += k;
    // Value: '0' unchanged, '10' bits in the previous window, '11' a new window. Its 13 control
    // bits are still in the timestamp's window after a prefix of up to 19 bits.
    w = k <= 19 ? w << k : peekView(d, last, buf, pos);
    if (w >= 0) {
      pos += 1;
      continue;
    }
    if (w >= P10_END) {
      leading = (w >>> 25) & 0x1f;
      let sig = (w >>> 19) & 0x3f;
      if (sig === 0) sig = 64;
      trailing = 64 - leading - sig;
      pos += 13;
    } else {
      pos += 2;
    }
    const sig = 64 - leading - trailing;
    let hi = 0;
    let lo: number;
    if (sig > 32) {
      hi = peekView(d, last, buf, pos) >>> (64 - sig);
      lo = peekView(d, last, buf, pos + sig - 32);
    } else {
      lo = sig === 0 ? 0 : peekView(d, last, buf, pos) >>> (32 - sig);
    }
    pos += sig;
    const sh = trailing;
    if (sh >= 32) {
      vHi ^= lo << (sh - 32);
    } else if (sh > 0) {
      vHi ^= (hi << sh) | (lo >>> (32 - sh));
      vLo ^= lo << sh;
    } else {
      vHi ^= hi;
      vLo ^= lo;
    }
  }
  return n;
}
