import { describe, expect, it } from 'vitest';
import { isClockMessage, WarpedClock } from './warped-clock.js';

describe('WarpedClock', () => {
  it('starts where it is told and runs at the real clock’s speed', () => {
    let real = 500;
    const clock = new WarpedClock(1_000_000, () => real);
    expect(clock.now()).toBe(1_000_000);
    real += 250;
    expect(clock.now()).toBe(1_000_250);
  });

  it('jumps forward when set, and keeps running from there', () => {
    let real = 0;
    const clock = new WarpedClock(0, () => real);
    expect(clock.set(3_600_000)).toBe(3_600_000);
    real += 10;
    expect(clock.now()).toBe(3_600_010);
  });

  it('never goes back: setting an earlier time leaves it where it is', () => {
    let real = 0;
    const clock = new WarpedClock(10_000, () => real);
    real += 500;
    expect(clock.set(9_000)).toBe(10_500);
    expect(clock.now()).toBe(10_500);
  });

  it('recognises only messages that carry a time', () => {
    expect(isClockMessage({ clockMs: 5 })).toBe(true);
    expect(isClockMessage({ clockMs: '5' })).toBe(false);
    expect(isClockMessage(null)).toBe(false);
    expect(isClockMessage('clock')).toBe(false);
  });
});
