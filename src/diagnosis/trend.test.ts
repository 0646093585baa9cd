// Synthetic memory and latency series, each classified as what it is: flat noise, a sawtooth
// of restarts, a slow linear leak, a single GC spike.
import { describe, expect, it } from 'vitest';
import { analyseMemory, analyseShift, sharedRise } from './trend.js';
import { ksStatistic, mannKendall, theilSenSlope } from './stats.js';

const T0 = Date.UTC(2026, 11, 1, 14);
const STEP = 10_000;
const MB = 1e6;

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** 15 minutes at 10 s: `value(i, minutes)` plus uniform noise of ± noise bytes. */
function series(value: (i: number, min: number) => number, noise: number, seed = 1): { t: number[]; v: number[] } {
  const rnd = random(seed);
  const t: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < 90; i++) {
    t.push(T0 + i * STEP);
    v.push(value(i, (i * STEP) / 60_000) + (rnd() * 2 - 1) * noise);
  }
  return { t, v };
}

describe('memory series', () => {
  it('flat noisy: no growth, no restart (over many seeds)', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const { t, v } = series(() => 120 * MB, 8 * MB, seed);
      const a = analyseMemory(t, v);
      expect(a.growth, `seed ${seed}`).toBeUndefined();
      expect(a.drops, `seed ${seed}`).toEqual([]);
    }
  });

  it('slow linear leak: growth at its slope, no restart', () => {
    const { t, v } = series((_, min) => 100 * MB + 2 * MB * min, 3 * MB);
    const a = analyseMemory(t, v);
    expect(a.drops).toEqual([]);
    expect(a.growth).toBeDefined();
    expect(a.growth!.slopePerMin / MB).toBeGreaterThan(1.6);
    expect(a.growth!.slopePerMin / MB).toBeLessThan(2.4);
    expect(a.growth!.sinceMs).toBeLessThanOrEqual(T0 + 2 * 60_000);
  });

  it('a leak that starts mid-window: since is near its start', () => {
    const { t, v } = series((_, min) => 100 * MB + Math.max(0, min - 6) * 10 * MB, 3 * MB);
    const a = analyseMemory(t, v);
    expect(a.growth).toBeDefined();
    expect(Math.abs(a.growth!.sinceMs - (T0 + 6 * 60_000))).toBeLessThanOrEqual(60_000);
    expect(a.growth!.slopePerMin / MB).toBeGreaterThan(8);
  });

  it('sawtooth of restarts: three drops, growth inside the teeth', () => {
    // rises 40 MB/min from 100 MB, falls back every 4 minutes (at 4, 8, 12 minutes)
    const { t, v } = series((_, min) => 100 * MB + (min % 4) * 40 * MB, 4 * MB);
    const a = analyseMemory(t, v);
    expect(a.drops).toHaveLength(3);
    expect(a.drops[0]).toBe(T0 + 4 * 60_000);
    expect(a.growth).toBeDefined();
    expect(a.growth!.slopePerMin / MB).toBeGreaterThan(30);
  });

  it('a warm-up that levels off: no growth', () => {
    // a start-up: linear for 6 minutes then flat, and a curve that saturates (1 - e^(-t/4 min))
    const linear = series((_, min) => 80 * MB + 30 * MB * Math.min(1, min / 6), 2 * MB);
    expect(analyseMemory(linear.t, linear.v).growth).toBeUndefined();
    const curve = series((_, min) => 80 * MB + 40 * MB * (1 - Math.exp(-min / 4)), 1 * MB);
    expect(analyseMemory(curve.t, curve.v).growth).toBeUndefined();
  });

  it('a fast sawtooth (teeth too short to test alone): growth from the first rising tooth', () => {
    // flat for 5 minutes, then 60 MB/min up to an OOM restart every minute
    const { t, v } = series((_, min) => 40 * MB + (min < 5 ? 0 : (min - 5) % 1) * 60 * MB, 2 * MB);
    const a = analyseMemory(t, v);
    expect(a.drops.length).toBeGreaterThanOrEqual(8);
    expect(a.growth).toBeDefined();
    expect(a.growth!.slopePerMin / MB).toBeGreaterThan(45);
    expect(a.growth!.slopePerMin / MB).toBeLessThan(75);
    expect(Math.abs(a.growth!.sinceMs - (T0 + 5 * 60_000))).toBeLessThanOrEqual(60_000);
  });

  it('one restart after a flat start: the slope of the rise, not of the flat part with it', () => {
    // flat until 12 min, +50 MB/min to an OOM restart at 14 min, then rising again (40 s of it)
    const { t, v } = series((_, min) => 40 * MB + (min < 12 ? 0 : (min < 14 ? min - 12 : min - 14) * 50 * MB), 1 * MB);
    const cut = t.findIndex((x) => x > T0 + 14 * 60_000 + 40_000);
    const a = analyseMemory(t.slice(0, cut), v.slice(0, cut));
    expect(a.drops).toEqual([T0 + 14 * 60_000]);
    expect(a.growth).toBeDefined();
    expect(a.growth!.slopePerMin / MB).toBeGreaterThan(40);
    expect(Math.abs(a.growth!.sinceMs - (T0 + 12 * 60_000))).toBeLessThanOrEqual(30_000);
  });

  it("a leak that kills its process two samples after leaving its level: the supervisor's restart cuts and confirms it", () => {
    // flat at 92 MB, then 145 and 283 MB, no sample while the process collapses, an out-of-memory
    // exit at 14:13:55 and its successor back at 88 MB: the fall is not sharp against the median of
    // the last five samples, and no trend test tells two samples from noise
    const rnd = random(5);
    const tt: number[] = [];
    const vv: number[] = [];
    for (let i = 0; i < 90; i++) {
      if (i >= 82 && i <= 84) continue; // 14:13:40 to 14:14:00: collapsing, dead, starting
      const level = i === 80 ? 145 : i === 81 ? 283 : i > 84 ? 88 : 92;
      tt.push(T0 + i * STEP);
      vv.push(level * MB + (rnd() * 2 - 1) * 0.5 * MB);
    }
    const at = T0 + 83 * STEP + 5_000;
    expect(analyseMemory(tt, vv).growth).toBeUndefined();
    const a = analyseMemory(tt, vv, [{ at, outOfMemory: true }]);
    expect(a.growth).toBeDefined();
    // the median of two votes: the climb (about 570 MB/min) and the successor, flat so far
    expect(a.growth!.slopePerMin / MB).toBeGreaterThan(200);
    expect(Math.abs(a.growth!.sinceMs - (T0 + 80 * STEP))).toBeLessThanOrEqual(STEP);
    // a crash that is not out of memory does not confirm two samples
    expect(analyseMemory(tt, vv, [{ at, outOfMemory: false }]).growth).toBeUndefined();
  });

  it('an out-of-memory exit of a process whose memory did not rise: no growth (over many seeds)', () => {
    for (let seed = 1; seed <= 50; seed++) {
      // flat noisy, an exit at minute 9 without a climb before it, the successor flat again
      const { t, v } = series((_, min) => (min < 9 ? 120 * MB : 100 * MB), 8 * MB, seed);
      const a = analyseMemory(t, v, [{ at: T0 + 9 * 60_000 - 1, outOfMemory: true }]);
      expect(a.growth, `seed ${seed}`).toBeUndefined();
    }
  });

  it('restarts of a flat service: drops but no growth', () => {
    const { t, v } = series((_, min) => (min % 3 < 0.2 ? 20 * MB : 100 * MB), 2 * MB);
    const a = analyseMemory(t, v);
    expect(a.drops.length).toBeGreaterThanOrEqual(4);
    expect(a.growth).toBeUndefined();
  });

  it('a single GC spike: neither growth nor a restart', () => {
    const { t, v } = series((i) => (i === 45 ? 300 * MB : 120 * MB), 5 * MB);
    const a = analyseMemory(t, v);
    expect(a.drops).toEqual([]);
    expect(a.growth).toBeUndefined();
  });

  it('skips missing samples (NaN) without inventing a drop', () => {
    const { t, v } = series((i, min) => (i % 7 === 0 ? NaN : 100 * MB + 2 * MB * min), 1 * MB);
    const a = analyseMemory(t, v);
    expect(a.drops).toEqual([]);
    expect(a.growth).toBeDefined();
  });
});

describe('level shifts', () => {
  const rule = { ratio: 1.5, minIncrease: 50, minLevel: 100 };
  it('finds a lasting p99 rise and when it began', () => {
    const { t, v } = series((_, min) => (min >= 9 ? 900 : 80), 20);
    const s = analyseShift(t, v, rule);
    expect(s).toBeDefined();
    expect(s!.sinceMs).toBe(T0 + 9 * 60_000);
    expect(s!.before).toBeLessThan(120);
    expect(s!.after).toBeGreaterThan(850);
  });
  it('ignores a flat noisy p99 and a single slow point', () => {
    expect(analyseShift(...(Object.values(series(() => 200, 60)) as [number[], number[]]), rule)).toBeUndefined();
    expect(
      analyseShift(...(Object.values(series((i) => (i === 80 ? 5000 : 80), 10)) as [number[], number[]]), rule),
    ).toBeUndefined();
  });
});

describe('a shift every service shares', () => {
  const rule = { ratio: 1.5, minIncrease: 50, minLevel: 100 };
  it('is the machine: no finding for a p99 that rose as much as the others', () => {
    // a busy machine from minute 9: every service's p99 about 2.5 times higher
    const services = [80, 120, 150, 40, 200].map((base, k) =>
      series((_, min) => (min >= 9 ? base * (2.4 + k * 0.05) : base), base / 10),
    );
    const shared = sharedRise(services);
    expect(shared).toBeGreaterThan(2);
    expect(analyseShift(services[2]!.t, services[2]!.v, rule)).toBeDefined(); // alone, it would be one
    for (const s of services) expect(analyseShift(s.t, s.v, rule, shared)).toBeUndefined();
  });
  it('still finds the one service that rose well beyond the others', () => {
    const quiet = [80, 120, 40, 200].map((base) => series(() => base, base / 10));
    const slow = series((_, min) => (min >= 9 ? 900 : 80), 20);
    const shared = sharedRise([...quiet, slow]);
    expect(shared).toBeLessThan(1.2);
    expect(analyseShift(slow.t, slow.v, rule, shared)).toBeDefined();
    // too few services to tell the machine from a service: no correction
    expect(sharedRise([slow, slow])).toBe(1);
  });
});

describe('statistics', () => {
  it('Theil–Sen ignores an outlier; Mann–Kendall signs the trend; KS handles ties', () => {
    const t = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const v = t.map((x) => 2 * x + 1);
    v[5] = 1000;
    expect(theilSenSlope(t, v)).toBe(2);
    expect(mannKendall([1, 2, 3, 4, 5, 6]).z).toBeGreaterThan(2);
    expect(mannKendall([6, 5, 4, 3, 2, 1]).z).toBeLessThan(-2);
    expect(mannKendall([3, 3, 3, 3]).z).toBe(0);
    expect(ksStatistic([1, 1, 1], [1, 1, 1])).toBe(0);
    expect(ksStatistic([1, 2, 3], [4, 5, 6])).toBe(1);
    expect(ksStatistic([], [1])).toBe(0);
  });
});
