import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('durations', () => {
  it.each([
    ['1.2s', 1_200_000],
    ['100ms', 100_000],
    ['500us', 500],
    ['500µs', 500],
    ['2m', 120_000_000],
    ['1m30s', 90_000_000],
    ['.5ms', 500],
    [' 3h ', 3 * 3600e6],
  ])('parses %s', (text, us) => {
    expect(parseDuration(text)).toEqual({ ok: true, us });
  });

  it.each([
    ['100', '"100" is not a duration: a number and a unit, e.g. 1.2s, 100ms, 500us'],
    ['1.2 s', '"1.2 s" is not a duration: a number and a unit, e.g. 1.2s, 100ms, 500us'],
    ['5d', 'unknown unit "d" in "5d": use us, ms, s, m or h'],
    ['fast', '"fast" is not a duration: a number and a unit, e.g. 1.2s, 100ms, 500us'],
    ['-1s', '"-1s" is not a duration: a number and a unit, e.g. 1.2s, 100ms, 500us'],
    ['', 'empty: a number and a unit, e.g. 1.2s, 100ms, 500us'],
  ])('rejects %s', (text, error) => {
    expect(parseDuration(text)).toEqual({ ok: false, error });
  });

  it.each([
    [0, '0μs'],
    [850, '850μs'],
    [14_490, '14.49ms'],
    [55_530, '55.53ms'],
    [2_670_000, '2.67s'],
    [1_000_000, '1s'],
    [90_000_000, '1.5m'],
    [7_200_000_000, '2h'],
  ])('formats %d µs as %s', (us, text) => {
    expect(formatDuration(us)).toBe(text);
  });
});
