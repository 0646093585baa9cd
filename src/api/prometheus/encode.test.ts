import { describe, expect, it } from 'vitest';
import { formatSampleValue, formatTimestamp, goJsonFloat, goJsonString } from './encode.js';
import { parseTime, parseDurationNs } from './params.js';

describe('Go number formats', () => {
  it('writes sample values with jsoniter cut-offs', () => {
    expect(formatSampleValue(1e-7)).toBe('1e-07');
    expect(formatSampleValue(1e-6)).toBe('0.000001');
    expect(formatSampleValue(1e21)).toBe('1e+21');
    expect(formatSampleValue(999999999999999900000)).toBe('999999999999999900000');
    expect(formatSampleValue(0)).toBe('0');
  });
  it('writes timestamps as MarshalTimestamp', () => {
    expect(formatTimestamp(1435781451781)).toBe('1435781451.781');
    expect(formatTimestamp(1500)).toBe('1.500');
    expect(formatTimestamp(1050)).toBe('1.050');
    expect(formatTimestamp(1005)).toBe('1.005');
    expect(formatTimestamp(-1500)).toBe('-1.500');
    expect(formatTimestamp(2000)).toBe('2');
    expect(goJsonFloat(1.5)).toBe('1.5');
    expect(goJsonFloat(1e-7)).toBe('1e-7');
  });
  it('escapes strings as Go does', () => {
    expect(goJsonString('<a>&"\\\n\r\t\b\f\u0001\u2028\u2029é😀')).toBe(
      '"\\u003ca\\u003e\\u0026\\"\\\\\\n\\r\\t\\u0008\\u000c\\u0001\\u2028\\u2029é😀"',
    );
    expect(goJsonString('\ud800x')).toBe('"\\ufffdx"');
  });
});

describe('parameter parsing', () => {
  it('parses times as Prometheus', () => {
    expect(parseTime('1.5')).toBe(1500);
    expect(parseTime('1e3')).toBe(1_000_000);
    expect(parseTime('1_0')).toBe(10_000);
    expect(parseTime('-0.0005')).toBe(-1);
    expect(parseTime('0.0005')).toBe(1);
    expect(parseTime('2015-07-01T20:10:51Z')).toBe(1435781451000);
    expect(parseTime('2015-07-01T20:10:51+01:00')).toBe(1435777851000);
    // timestamp.FromTime of time.Unix(MinInt64, MinInt64), wrapped as Go's int64 arithmetic wraps.
    expect(parseTime('NaN')).toBe(-9223372036855);
    expect(parseTime('1e300')).toBe(0);
    expect(() => parseTime('0x10')).toThrow('cannot parse "0x10" to a valid timestamp');
    expect(() => parseTime('2015-02-30T00:00:00Z')).toThrow();
    expect(() => parseTime(' ')).toThrow('cannot parse " " to a valid timestamp');
  });
  it('parses durations as Prometheus', () => {
    expect(parseDurationNs('15')).toBe(15e9);
    expect(parseDurationNs('0.001')).toBe(1e6);
    expect(parseDurationNs('1m30s')).toBe(90e9);
    expect(parseDurationNs('1y')).toBe(365 * 86400e9);
    expect(() => parseDurationNs('1e20')).toThrow('cannot parse "1e20" to a valid duration. It overflows int64');
    expect(() => parseDurationNs('')).toThrow('cannot parse "" to a valid duration');
  });
});
