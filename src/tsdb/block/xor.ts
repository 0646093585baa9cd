// Prometheus's XOR chunk encoding (chunk encoding 1), bit for bit as Prometheus reads it from a
// block (tsdb/docs/format/chunks.md). It differs from the head's own chunks (../chunks/xor.ts):
//   bytes 0-1  sample count (big-endian uint16)
//   sample 0   t as Go varint (zig-zag), v as 64 raw bits
//   sample 1   t - t0 as uvarint (the stream is byte aligned there), v XOR-ed as below
//   sample n   delta of delta: '0' → 0; '10' + 14 bits; '110' + 17 bits; '1110' + 20 bits;
//              '1111' + 64 bits (two's complement)
//   values     '0' equal to the previous; '10' + the bits inside the previous window; '11' + 5 bits
//              of leading zeros (at most 31) + 6 bits of significant bits (64 written as 0) + bits
// The varints make sample 0 and 1 byte-aligned: the stream is bit-packed only from the second
// value on. Values are taken as raw bit patterns, so staleness markers (StaleNaN) and NaN payloads
// pass through unchanged.
import { P10_END, P110_END, P1110_END, STALE_HI_I32, STALE_LO_I32, peek32, peekView } from '../chunks/xor.js';
import { CorruptError } from './encoding.js';

const TWO32 = 4294967296;
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE ? 1 : 0;
const LO = LITTLE ? 0 : 1;

/** Most samples one chunk holds (the count is a uint16). */
export const MAX_CHUNK_SAMPLES = 65535;

class BitWriter {
  buf: Uint8Array;
  bit = 0;

  constructor(bytes: number) {
    this.buf = new Uint8Array(Math.max(bytes, 16));
  }

  ensure(bytes: number): void {
    const need = (this.bit >>> 3) + bytes + 1;
    if (need <= this.buf.length) return;
    const next = new Uint8Array(Math.max(need, this.buf.length * 2));
    next.set(this.buf);
    this.buf = next;
  }

  /** Writes the low n (1..32) bits of x, most significant first. */
  bits(x: number, n: number): void {
    const buf = this.buf;
    let pos = this.bit;
    while (n > 0) {
      const free = 8 - (pos & 7);
      const take = free < n ? free : n;
      buf[pos >>> 3]! |= ((x >>> (n - take)) & ((1 << take) - 1)) << (free - take);
      pos += take;
      n -= take;
    }
    this.bit = pos;
  }

  /** A byte-aligned uvarint (only used while the stream is aligned). */
  uvarint(x: number): void {
    while (x >= 0x80) {
      this.bits((x % 128) | 0x80, 8);
      x = Math.floor(x / 128);
    }
    this.bits(x, 8);
  }

  /** The low 64 bits of an integer x (|x| < 2^53), two's complement. */
  int64(x: number): void {
    const hi = Math.floor(x / TWO32);
    this.bits(hi >>> 0, 32);
    this.bits((x - hi * TWO32) >>> 0, 32);
  }
}

function clz64(hi: number, lo: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

function ctz32(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}

function ctz64(hi: number, lo: number): number {
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
}

/**
 * Encodes samples [from, to) of t / v-bits as one Prometheus XOR chunk. `vBits` holds each value's
 * 64 bits as two uint32 halves in platform order (a Uint32Array over a Float64Array's buffer), so
 * NaN payloads cannot be altered on the way.
 */
export function encodePromXor(t: Float64Array, vBits: Uint32Array, from: number, to: number): Uint8Array {
  const n = to - from;
  if (n <= 0 || n > MAX_CHUNK_SAMPLES)
    throw new RangeError(`a chunk holds 1 to ${MAX_CHUNK_SAMPLES} samples, not ${n}`);
  const w = new BitWriter(16 + n * 2);
  w.bits(n, 16);
  let prevT = t[from]!;
  let vHi = vBits[2 * from + HI]!;
  let vLo = vBits[2 * from + LO]!;
  w.ensure(20);
  w.uvarint(prevT >= 0 ? prevT * 2 : -prevT * 2 - 1);
  w.bits(vHi, 32);
  w.bits(vLo, 32);
  let tDelta = 0;
  let leading = 0xff;
  let trailing = 0;
  for (let i = from + 1; i < to; i++) {
    w.ensure(24);
    const ti = t[i]!;
    const delta = ti - prevT;
    if (i === from + 1) {
      if (delta < 0) throw new RangeError('timestamps must increase within a chunk');
      w.uvarint(delta);
    } else {
      const dod = delta - tDelta;
      if (dod === 0) w.bits(0, 1);
      else if (dod >= -8191 && dod <= 8192) {
        w.bits(0b10, 2);
        w.bits(dod & 0x3fff, 14);
      } else if (dod >= -65535 && dod <= 65536) {
        w.bits(0b110, 3);
        w.bits(dod & 0x1ffff, 17);
      } else if (dod >= -524287 && dod <= 524288) {
        w.bits(0b1110, 4);
        w.bits(dod & 0xfffff, 20);
      } else {
        w.bits(0b1111, 4);
        w.int64(dod);
      }
    }
    tDelta = delta;
    prevT = ti;
    const hi = vBits[2 * i + HI]!;
    const lo = vBits[2 * i + LO]!;
    const xhi = (hi ^ vHi) >>> 0;
    const xlo = (lo ^ vLo) >>> 0;
    vHi = hi;
    vLo = lo;
    if (xhi === 0 && xlo === 0) {
      w.bits(0, 1);
      continue;
    }
    let lead = clz64(xhi, xlo);
    const trail = ctz64(xhi, xlo);
    if (lead >= 32) lead = 31;
    let shift: number;
    let count: number;
    if (leading !== 0xff && lead >= leading && trail >= trailing) {
      w.bits(0b10, 2);
      shift = trailing;
      count = 64 - leading - trailing;
    } else {
      leading = lead;
      trailing = trail;
      count = 64 - lead - trail;
      w.bits(0b11, 2);
      w.bits(lead, 5);
      w.bits(count & 63, 6);
      shift = trail;
    }
    // (xhi:xlo) >>> shift, then its low `count` bits.
    let rhi: number;
    let rlo: number;
    if (shift >= 32) {
      rhi = 0;
      rlo = xhi >>> (shift - 32);
    } else if (shift > 0) {
      rlo = ((xlo >>> shift) | (xhi << (32 - shift))) >>> 0;
      rhi = xhi >>> shift;
    } else {
      rhi = xhi;
      rlo = xlo;
    }
    if (count > 32) {
      w.bits(rhi, count - 32);
      w.bits(rlo, 32);
    } else {
      w.bits(count === 32 ? rlo : rlo & ((1 << count) - 1), count);
    }
  }
  return w.buf.slice(0, (w.bit + 7) >>> 3);
}

/** Number of samples in a Prometheus XOR chunk. */
export function promXorNumSamples(chunk: Uint8Array): number {
  if (chunk.length < 2) throw new CorruptError('chunk shorter than its header');
  return (chunk[0]! << 8) | chunk[1]!;
}

/** Where the last uvarintAt ended (the byte after it). */
let varintEnd = 0;

/**
 * A uvarint at byte `at` (its end in varintEnd); CorruptError when it runs past the end. No
 * [value, end] pair: allocating and destructuring one inside the decoder's loop cost it about 5 %.
 */
function uvarintAt(buf: Uint8Array, at: number): number {
  let x = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (at >= buf.length) break;
    const b = buf[at++]!;
    x += (b & 0x7f) * mul;
    if (b < 0x80) {
      varintEnd = at;
      return x;
    }
    mul *= 128;
  }
  throw new CorruptError('chunk ends inside a varint');
}

/**
 * Decodes the samples with mint <= t <= maxt of a Prometheus XOR chunk into T / VU (value bits,
 * two uint32 per sample in platform order, from uint32 index vBase) starting at index n; returns
 * the new n. The arrays must have room for the chunk's sample count. Fields are read through a
 * 32-bit window (a DataView word and byte, zeros past the end) as the head's decoder does; a
 * chunk whose samples run past its end throws CorruptError. With `S`, each sample's staleness
 * flag (1 for a StaleNaN) is written there at the same index, so callers need no second pass
 * over the values.
 */
export function decodePromXorInto(
  chunk: Uint8Array,
  mint: number,
  maxt: number,
  T: Float64Array,
  VU: Uint32Array,
  vBase: number,
  n: number,
  S?: Uint8Array,
): number {
  const total = promXorNumSamples(chunk);
  if (total === 0) return n;
  const endBit = chunk.length * 8;
  const d = new DataView(chunk.buffer, chunk.byteOffset, chunk.length);
  const last = chunk.length - 5;
  const zz = uvarintAt(chunk, 2);
  let t = zz % 2 === 0 ? zz / 2 : -(zz + 1) / 2;
  let pos = varintEnd * 8;
  let vHi = peek32(chunk, pos) | 0;
  let vLo = peek32(chunk, pos + 32) | 0;
  pos += 64;
  let tDelta = 0;
  let leading = 0;
  let trailing = 0;
  for (let i = 0; ;) {
    if (pos > endBit) throw new CorruptError('chunk ends inside a sample');
    if (t > maxt) break;
    if (t >= mint) {
      T[n] = t;
      VU[vBase + 2 * n + HI] = vHi;
      VU[vBase + 2 * n + LO] = vLo;
      if (S !== undefined) S[n] = vHi === STALE_HI_I32 && vLo === STALE_LO_I32 ? 1 : 0;
      n++;
    }
    if (++i >= total) break;
    // Timestamp; `k` bits of the window w are used by it (k = 0: w holds nothing read yet).
    let w = 0;
    let k = 0;
    if (i === 1) {
      // the stream is still byte aligned here
      tDelta = uvarintAt(chunk, pos >>> 3);
      pos = varintEnd * 8;
    } else {
      w = peekView(d, last, chunk, pos);
      if (w >= 0) {
        k = 1;
      } else if (w < P10_END) {
        // n bits read as Prometheus does: above 2^(n-1) they stand for the value minus 2^n
        const b = (w >>> 16) & 0x3fff;
        tDelta += b > 0x2000 ? b - 0x4000 : b;
        k = 16;
      } else if (w < P110_END) {
        const b = (w >>> 12) & 0x1ffff;
        tDelta += b > 0x10000 ? b - 0x20000 : b;
        k = 20;
      } else if (w < P1110_END) {
        const b = (w >>> 8) & 0xfffff;
        tDelta += b > 0x80000 ? b - 0x100000 : b;
        k = 24;
      } else {
        tDelta += peekView(d, last, chunk, pos + 4) * TWO32 + (peekView(d, last, chunk, pos + 36) >>> 0);
        k = 68;
      }
      pos += k;
    }
    t += tDelta;
    // Value: '0' unchanged, '10' bits in the previous window, '11' a new window. Its 13 control
    // bits are still in the timestamp's window after a prefix of up to 19 bits.
    w = k !== 0 && k <= 19 ? w << k : peekView(d, last, chunk, pos);
    if (w >= 0) {
      pos += 1;
      continue;
    }
    if (w >= P10_END) {
      leading = (w >>> 25) & 0x1f;
      let sig = (w >>> 19) & 0x3f;
      if (sig === 0) sig = 64;
      trailing = 64 - leading - sig;
      if (trailing < 0) throw new CorruptError('value window wider than 64 bits');
      pos += 13;
    } else {
      pos += 2;
    }
    const sig = 64 - leading - trailing;
    let hi = 0;
    let lo: number;
    if (sig > 32) {
      hi = peekView(d, last, chunk, pos) >>> (64 - sig);
      lo = peekView(d, last, chunk, pos + sig - 32);
    } else {
      lo = sig === 0 ? 0 : peekView(d, last, chunk, pos) >>> (32 - sig);
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
  if (pos > endBit) throw new CorruptError('chunk ends inside a sample');
  return n;
}
