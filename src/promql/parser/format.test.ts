import { describe, expect, it } from 'vitest';
import { DurationError, formatDuration, parseDuration } from './format.js';
import { formatFloatE, formatFloatF, formatFloatG } from '../../gocompat/float.js';

describe('parseDuration', () => {
  it.each<[string, number]>([
    ['0', 0],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1y', 31_536_000_000],
    ['500ms', 500],
    ['1m30ms', 60_030],
    ['2y3w4d5h6m7s8ms', 2 * 31_536_000_000 + 3 * 604_800_000 + 4 * 86_400_000 + 5 * 3_600_000 + 6 * 60_000 + 7000 + 8],
  ])('%s', (s, ms) => {
    expect(parseDuration(s)).toBe(ms);
  });

  it.each<[string, string]>([
    ['abc', 'not a valid duration string: "abc"'],
    ['5m1h', 'not a valid duration string: "5m1h"'],
    ['1.5h', 'not a valid duration string: "1.5h"'],
    ['', 'empty duration string'],
    ['1000y', 'duration out of range'],
  ])('rejects %j', (s, msg) => {
    expect(() => parseDuration(s)).toThrow(DurationError);
    expect(() => parseDuration(s)).toThrow(msg);
  });
});

describe('formatDuration', () => {
  it.each<[number, string]>([
    [0, '0s'],
    [300_000, '5m'],
    [5_400_000, '1h30m'],
    [86_400_000, '1d'],
    [90 * 86_400_000, '90d'],
    [14 * 86_400_000, '2w'],
    [365 * 86_400_000, '1y'],
    [1500, '1s500ms'],
    [3_600_000 + 1, '1h1ms'],
  ])('%d', (ms, s) => {
    expect(formatDuration(ms)).toBe(s);
  });
});

describe('formatFloatG', () => {
  it.each<[number, string]>([
    [1, '1'],
    [-2.5, '-2.5'],
    [1e6, '1e+06'],
    [123456, '123456'],
    [1234567, '1.234567e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
    [1e21, '1e+21'],
  ])('%d', (v, s) => {
    expect(formatFloatG(v)).toBe(s);
  });
});

describe('Go number formats', () => {
  it('formats like strconv.FormatFloat(v, f, -1, 64)', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [-0, '-0'],
      [1, '1'],
      [-1.5, '-1.5'],
      [0.1, '0.1'],
      [1e-7, '0.0000001'],
      [1e21, '1000000000000000000000'],
      [123456789.125, '123456789.125'],
      [1 / 3, '0.3333333333333333'],
      [5e-324, '0.' + '0'.repeat(323) + '5'],
      [NaN, 'NaN'],
      [Infinity, '+Inf'],
      [-Infinity, '-Inf'],
      [2 ** 53, '9007199254740992'],
      [1.7976931348623157e308, '17976931348623157' + '0'.repeat(292)],
    ];
    for (const [v, s] of cases) expect(formatFloatF(v)).toBe(s);
  });
  it('formats like strconv.FormatFloat(v, e, -1, 64)', () => {
    expect(formatFloatE(1e-7)).toBe('1e-07');
    expect(formatFloatE(1.5e21)).toBe('1.5e+21');
    expect(formatFloatE(-1.25e-300)).toBe('-1.25e-300');
  });
});
