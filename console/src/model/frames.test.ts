import { describe, expect, it } from 'vitest';
import { buildFrame, lastValue, stackValues } from './frames.js';

describe('buildFrame', () => {
  it('aligns series on the step grid and names them by legend format', () => {
    const frame = buildFrame(
      [
        {
          refId: 'A',
          expr: 'sum by (m) (x)',
          legendFormat: '{{m}}',
          result: [
            {
              metric: { m: 'user' },
              values: [
                [100, '1'],
                [110, '2'],
                [120, '3'],
              ],
            },
            {
              metric: { m: 'system' },
              values: [
                [110, '+Inf'],
                [120, '0.5'],
              ],
            },
          ],
        },
      ],
      100_000,
      120_000,
      10_000,
    );
    expect(frame.times).toEqual([100, 110, 120]);
    expect(frame.series.map((s) => s.name)).toEqual(['user', 'system']);
    expect(frame.series[0]!.values).toEqual([1, 2, 3]);
    expect(frame.series[1]!.values).toEqual([null, null, 0.5]);
  });

  it('stacks with gaps as zero below', () => {
    const stacked = stackValues([
      { name: 'a', metric: {}, refId: 'A', values: [1, null, 3] },
      { name: 'b', metric: {}, refId: 'A', values: [1, 1, null] },
    ]);
    expect(stacked).toEqual([
      [1, null, 3],
      [2, 1, null],
    ]);
  });

  it('finds the last value', () => {
    expect(lastValue([1, 2, null])).toBe(2);
    expect(lastValue([null])).toBeNull();
  });
});
