import { describe, expect, it } from 'vitest';
import { nanosToMillis } from './time.js';

/** What the protobuf reader returns for a fixed64: the nearest double to hi·2³² + lo. */
function asReadFromTheWire(ns: bigint): number {
  const hi = Number(ns >> 32n);
  const lo = Number(ns & 0xffffffffn);
  return hi * 2 ** 32 + lo;
}

describe('nanosToMillis', () => {
  it('maps every exact millisecond of a day-long stretch to itself, where a plain floor does not', () => {
    const start = 1_733_100_000_000n;
    let plainFloorWrong = 0;
    for (let k = 0n; k < 100_000n; k++) {
      const ms = start + k * 863n; // spread over a day
      const ns = asReadFromTheWire(ms * 1_000_000n);
      expect(nanosToMillis(ns)).toBe(Number(ms));
      if (Math.floor(ns / 1e6) !== Number(ms)) plainFloorWrong++;
    }
    // the bug this guards against: a plain floor lands a millisecond early for many of them
    expect(plainFloorWrong).toBeGreaterThan(1_000);
  });

  it('still floors times inside a millisecond', () => {
    const ms = 1_733_100_000_123n;
    expect(nanosToMillis(asReadFromTheWire(ms * 1_000_000n + 400_000n))).toBe(Number(ms));
    expect(nanosToMillis(asReadFromTheWire(ms * 1_000_000n + 998_000n))).toBe(Number(ms));
    expect(nanosToMillis(1_500_000)).toBe(1);
    expect(nanosToMillis(999_000)).toBe(0);
  });
});
