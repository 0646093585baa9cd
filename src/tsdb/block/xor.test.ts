import { describe, expect, it } from 'vitest';
import { CorruptError } from './encoding.js';
import { decodePromXorInto, encodePromXor, promXorNumSamples } from './xor.js';

/** Samples in column form with their value bits, as the block writer hands them over. */
function columns(ts: number[], vs: number[]): { t: Float64Array; v: Float64Array; bits: Uint32Array } {
  const t = Float64Array.from(ts);
  const v = Float64Array.from(vs);
  return { t, v, bits: new Uint32Array(v.buffer) };
}

function decodeAll(chunk: Uint8Array, mint = -Infinity, maxt = Infinity): { t: number[]; bits: number[] } {
  const n = promXorNumSamples(chunk);
  const T = new Float64Array(n);
  const VU = new Uint32Array(2 * n);
  const got = decodePromXorInto(chunk, mint, maxt, T, VU, 0, 0);
  return { t: [...T.subarray(0, got)], bits: [...VU.subarray(0, 2 * got)] };
}

describe("Prometheus's XOR chunk encoding", () => {
  it('starts with the count, a varint timestamp and the raw value bits, then the uvarint delta', () => {
    const { t, bits } = columns([1000, 1015], [1, 1]);
    const chunk = encodePromXor(t, bits, 0, 2);
    // count 2; zig-zag(1000) = 2000 = 0xd0 0x0f; 1.0 = 0x3ff0000000000000; delta 15; value unchanged ('0')
    expect([...chunk]).toEqual([0, 2, 0xd0, 0x0f, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 15, 0]);
  });

  it('round-trips jittered timestamps, every delta-of-delta bucket and awkward values bit for bit', () => {
    const ts: number[] = [];
    const vs: number[] = [];
    let t = 1_764_600_000_123;
    const gaps = [15_000, 15_003, 14_998, 15_000, 40_000, 15_000, 200_000, 15_000, 5_000_000, 15_000, 1, 15_000];
    for (let i = 0; i < 120; i++) {
      ts.push(t);
      t += gaps[i % gaps.length]!;
      vs.push([0, -0, 1.5, 1e300, -3.25, NaN, Infinity, 42, 42, 0.1 + i, Number.MIN_VALUE, i * 1e-9][i % 12]!);
    }
    const { t: T, bits } = columns(ts, vs);
    // a staleness marker keeps its exact NaN payload
    bits[2 * 7] = 0x00000002;
    bits[2 * 7 + 1] = 0x7ff00000;
    const chunk = encodePromXor(T, bits, 0, 120);
    const back = decodeAll(chunk);
    expect(back.t).toEqual(ts);
    expect(back.bits).toEqual([...bits]);
    // with flags: 1 for the marker only (not for the plain NaNs), written at the samples' indexes
    const S = new Uint8Array(122).fill(9);
    const got = decodePromXorInto(chunk, -Infinity, Infinity, new Float64Array(122), new Uint32Array(244), 0, 2, S);
    expect(got).toBe(122);
    expect([...S.subarray(0, 2)]).toEqual([9, 9]);
    expect([...S.subarray(2)]).toEqual(ts.map((_, i) => (i === 7 ? 1 : 0)));
  });

  it("reads each delta-of-delta bucket's edges as Prometheus does (2^(n-1) positive, larger negative)", () => {
    // dod = delta - previous delta; each edge of the 14, 17 and 20-bit buckets and the 64-bit one
    const dods = [8192, -8191, 8193, -8192, 65536, -65535, 65537, -65536, 524288, -524287, 524289, -524288, 2 ** 40];
    const ts = [1_000_000_000_000, 1_000_001_000_000];
    let delta = 1_000_000;
    for (const dod of dods) {
      delta += dod;
      ts.push(ts[ts.length - 1]! + delta);
      // back to the base delta, so no timestamp goes backwards
      delta = 1_000_000;
      ts.push(ts[ts.length - 1]! + delta);
    }
    const { t, bits } = columns(
      ts,
      ts.map((_, i) => (i % 3 === 0 ? 2 ** 52 + i : -i / 7)),
    );
    const back = decodeAll(encodePromXor(t, bits, 0, ts.length));
    expect(back.t).toEqual(ts);
    expect(back.bits).toEqual([...bits]);
  });

  it('encodes a sub-range and decodes only the samples inside [mint, maxt]', () => {
    const { t, bits } = columns([10, 20, 30, 40, 50], [1, 2, 3, 4, 5]);
    const chunk = encodePromXor(t, bits, 1, 4);
    expect(promXorNumSamples(chunk)).toBe(3);
    expect(decodeAll(chunk).t).toEqual([20, 30, 40]);
    expect(decodeAll(chunk, 25, 35).t).toEqual([30]);
  });

  it('refuses an empty range and throws CorruptError for a truncated chunk', () => {
    const { t, bits } = columns([1, 2, 3], [1, 2, 3.7]);
    expect(() => encodePromXor(t, bits, 0, 0)).toThrow(RangeError);
    const chunk = encodePromXor(t, bits, 0, 3);
    expect(() => decodeAll(chunk.subarray(0, chunk.length - 3))).toThrow(CorruptError);
  });
});
