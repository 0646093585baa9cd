import { describe, expect, it } from 'vitest';
import { exemplarAt, exemplarHref, exemplarMax, placeExemplars, readExemplars, uniqueExemplars } from './exemplars.js';

const answer = [
  {
    seriesLabels: {
      __name__: 'traces_span_metrics_duration_milliseconds_bucket',
      service_name: 'recommendationservice',
      le: '2000',
    },
    exemplars: [
      {
        labels: { trace_id: 'ABCDEF0123456789abcdef0123456789', span_id: '0123456789abcdef' },
        value: '1532.5',
        timestamp: 100.5,
      },
      { labels: { trace_id: '<img src=x onerror=alert(1)>' }, value: '3', timestamp: 101 },
      { labels: { span_id: 'x' }, value: '3', timestamp: 101 },
      { labels: { trace_id: 'aa' }, value: 'NaN', timestamp: 101 },
      'junk',
    ],
  },
  { seriesLabels: null, exemplars: 'no' },
];

describe('exemplars', () => {
  it('reads the exemplars that carry a trace ID, skipping malformed ones', () => {
    const read = readExemplars(answer);
    expect(read).toEqual([
      {
        timeS: 100.5,
        value: 1532.5,
        traceId: 'abcdef0123456789abcdef0123456789',
        spanId: '0123456789abcdef',
        seriesLabels: answer[0]!.seriesLabels,
      },
    ]);
    expect(exemplarHref(read[0]!)).toBe('/trace/abcdef0123456789abcdef0123456789');
    expect(readExemplars({ not: 'a list' })).toEqual([]);
  });

  it('keeps the slowest exemplar of each cell, and finds the one under the cursor', () => {
    const e = (timeS: number, value: number, traceId: string) => ({
      timeS,
      value,
      traceId,
      spanId: undefined,
      seriesLabels: {},
    });
    const list = [e(0, 10, 'a'), e(1, 12, 'b'), e(50, 10, 'c')];
    const placed = placeExemplars(
      list,
      (t) => t,
      (v) => 100 - v,
      8,
    );
    expect(placed.map((p) => p.exemplar.traceId).sort()).toEqual(['b', 'c']);
    expect(exemplarAt(placed, 49, 91, 4)?.exemplar.traceId).toBe('c');
    expect(exemplarAt(placed, 25, 50, 4)).toBeUndefined();
    expect(exemplarMax(list)).toBe(12);
    expect(exemplarMax([])).toBeUndefined();
    expect(uniqueExemplars([list, [e(0, 10, 'a')]])).toHaveLength(3);
  });
});
