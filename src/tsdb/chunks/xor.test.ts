import { describe, expect, it } from 'vitest';
import { XorAppender, XorIterator, decodeXorInto, xorNumSamples } from './xor.js';

function roundTrip(ts: number[], vs: number[], stale: boolean[] = []): void {
  const app = new XorAppender();
  for (let i = 0; i < ts.length; i++) {
    if (stale[i]) app.appendStale(ts[i]!);
    else app.append(ts[i]!, vs[i]!);
  }
  const bytes = app.bytes().slice();
  expect(xorNumSamples(bytes)).toBe(ts.length);
  const it = new XorIterator(bytes);
  for (let i = 0; i < ts.length; i++) {
    expect(it.next()).toBe(true);
    expect(it.t).toBe(ts[i]);
    expect(it.stale).toBe(stale[i] === true);
    if (stale[i]) expect(Number.isNaN(it.v)).toBe(true);
    else expect(Object.is(it.v, vs[i])).toBe(true);
  }
  expect(it.next()).toBe(false);
  // The bulk decoder on the same bytes placed inside a larger buffer (a view at a byte offset, as
  // an arena page or a file read hands them over), bit for bit against the values appended.
  const host = new Uint8Array(bytes.length + 11);
  host.set(bytes, 7);
  const view = host.subarray(3, 7 + bytes.length + 1);
  const T = new Float64Array(ts.length + 1);
  const V = new Float64Array(ts.length + 1);
  const S = new Uint8Array(ts.length + 1);
  expect(decodeXorInto(view, 4, undefined, -Infinity, Infinity, T, V, S, 1)).toBe(ts.length + 1);
  for (let i = 0; i < ts.length; i++) {
    expect(T[i + 1]).toBe(ts[i]);
    expect(S[i + 1]).toBe(stale[i] ? 1 : 0);
    if (stale[i]) expect(Number.isNaN(V[i + 1])).toBe(true);
    else expect(Object.is(V[i + 1], Number.isNaN(vs[i]) ? NaN : vs[i])).toBe(true);
  }
}

describe('XOR chunk', () => {
  it('round-trips special values', () => {
    const vs = [
      0,
      -0,
      NaN,
      Infinity,
      -Infinity,
      1,
      -1,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      -Number.MIN_VALUE,
      1e-300,
      1e300,
      0.1,
      0.2,
      0.30000000000000004,
      2 ** 53,
      -(2 ** 53),
      5e-324,
      NaN,
      7,
    ];
    roundTrip(
      vs.map((_, i) => 1_700_000_000_000 + i * 10_000),
      vs,
    );
  });

  it('round-trips irregular timestamps, including large jumps and negatives', () => {
    const ts = [
      -5_000_000_000_000, -4_999_999_999_999, -1, 0, 1, 15, 16, 10_000, 8_010_000, 8_010_001, 9_000_000_000_000,
      9_000_000_008_192, 9_000_000_016_383, 9_000_000_090_000, 9_000_000_700_000, 9_000_001_300_000,
    ];
    roundTrip(
      ts,
      ts.map((t, i) => (i % 3 === 0 ? t / 7 : i)),
    );
  });

  it('round-trips every dod bucket boundary', () => {
    const dods = [
      0, 1, -1, 64, -63, 65, -64, 8192, -8191, 8193, -8192, 65536, -65535, 65537, -65536, 524288, -524287, 524289,
      -524288, 1e9,
    ];
    const ts = [0, 1_000_000];
    let delta = 1_000_000;
    for (const d of dods) {
      delta += d;
      ts.push(ts[ts.length - 1]! + delta);
    }
    roundTrip(
      ts,
      ts.map((_, i) => i * 1.5),
    );
  });

  it('round-trips staleness markers distinctly from NaN', () => {
    const ts = [1000, 2000, 3000, 4000, 5000];
    roundTrip(ts, [1, NaN, 0, NaN, 2], [false, false, true, false, true]);
  });

  it('round-trips random doubles and random bit patterns', () => {
    let seed = 42;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const f = new Float64Array(1);
    const u = new Uint32Array(f.buffer);
    const ts: number[] = [];
    const vs: number[] = [];
    let t = 1_600_000_000_000;
    for (let i = 0; i < 1000; i++) {
      t += Math.floor(rnd() * 20000);
      ts.push(t);
      u[0] = Math.floor(rnd() * 2 ** 32);
      u[1] = Math.floor(rnd() * 2 ** 32);
      const v = i % 4 === 0 ? f[0]! : i % 4 === 1 ? rnd() * 1e6 : i % 4 === 2 ? Math.floor(rnd() * 100) : -rnd();
      vs.push(Number.isNaN(v) ? 0 : v);
    }
    roundTrip(ts, vs);
  });

  it('reads a chunk while it is still being appended to', () => {
    const app = new XorAppender();
    const it = new XorIterator();
    for (let i = 0; i < 50; i++) {
      app.append(i * 10_000, i * i);
      it.reset(app.bytes(), app.numSamples);
      let n = 0;
      while (it.next()) n++;
      expect(n).toBe(i + 1);
      expect(it.v).toBe(i * i);
    }
  });

  it('compresses a regular counter to well under 2 bytes a sample', () => {
    const app = new XorAppender();
    let v = 0;
    for (let i = 0; i < 120; i++) {
      v += 3 + (i % 5);
      app.append(1_700_000_000_000 + i * 10_000, v);
    }
    expect(app.size / 120).toBeLessThan(2);
  });
});

describe('decodeXorInto', () => {
  it('decodes the same samples as XorIterator, honouring the time bounds and an offset', () => {
    const app = new XorAppender();
    const ts: number[] = [];
    for (let i = 0; i < 120; i++) {
      const t = 1_000_000 + i * 10_000 + (i % 7) - 3;
      ts.push(t);
      if (i === 50) app.appendStale(t);
      else app.append(t, i % 11 === 0 ? NaN : Math.sin(i) * 1e3);
    }
    const bytes = app.bytes();
    const padded = new Uint8Array(bytes.length + 5);
    padded.set(bytes, 5);
    const T = new Float64Array(200);
    const V = new Float64Array(200);
    const S = new Uint8Array(200);
    const n = decodeXorInto(padded, 5, undefined, ts[10]!, ts[100]!, T, V, S, 3);
    expect(n).toBe(3 + 91);
    const it = new XorIterator(bytes);
    let k = 3;
    while (it.next()) {
      if (it.t < ts[10]! || it.t > ts[100]!) continue;
      expect(T[k]).toBe(it.t);
      expect(Object.is(V[k], it.v)).toBe(true);
      expect(S[k]).toBe(it.stale ? 1 : 0);
      k++;
    }
    expect(k).toBe(n);
  });
});
