import { describe, expect, it } from 'vitest';
import { labelMatchers, longestRangeMs, matchesAll, pinnedValue } from './matchers.js';
import { parseDurationMs } from './time.js';

describe('label matchers of a query', () => {
  it('reads each matcher on a label with its operator and unescaped value', () => {
    const expr = 'a{service_name="x\\"y", job!="j"} / b{service_name=~"ca.*", service_name!~"cart2"}';
    expect(labelMatchers(expr, 'service_name')).toEqual([
      { op: '=', value: 'x"y' },
      { op: '=~', value: 'ca.*' },
      { op: '!~', value: 'cart2' },
    ]);
    expect(matchesAll(labelMatchers('b{service_name=~"ca.*", service_name!~"cart2"}', 'service_name'), 'cart')).toBe(
      true,
    );
    expect(matchesAll(labelMatchers('b{service_name=~"ca.*", service_name!~"cart2"}', 'service_name'), 'cart2')).toBe(
      false,
    );
    // anchored as in PromQL
    expect(matchesAll([{ op: '=~', value: 'art' }], 'cart')).toBe(false);
  });

  it('pins a value only when every = matcher agrees', () => {
    expect(pinnedValue('a{service_name="s"} / b{service_name="s"}', 'service_name')).toBe('s');
    expect(pinnedValue('a{service_name="s"} / b{service_name="t"}', 'service_name')).toBeUndefined();
    expect(pinnedValue('a', 'service_name')).toBeUndefined();
  });

  it('finds the longest range of an expression, subqueries included', () => {
    expect(longestRangeMs('rate(a[40s]) / rate(b[1m30s]) + max_over_time(c[5m:1m])', parseDurationMs)).toBe(300_000);
    expect(longestRangeMs('up', parseDurationMs)).toBe(0);
  });
});
