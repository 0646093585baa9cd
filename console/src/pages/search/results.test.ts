import { describe, expect, it } from 'vitest';
import { serviceColor } from '../../model/serviceColor.js';
import { errorTag, makeTrace, T0_US } from '../trace/testdata.js';
import { rootSpan, SORTS, sortTraces, summarize, timeAgo, type TraceSummary } from './results.js';

const trace = makeTrace(
  [
    // the child arrives first: the root is the span without a parent in the trace
    { id: 'b', parent: 'a', service: 'recommendationservice', op: 'get_product_list', start: 1000, duration: 50_000 },
    { id: 'a', service: 'frontend', op: 'HTTP GET', start: 0, duration: 60_000 },
    { id: 'c', parent: 'a', service: 'frontend', op: 'grpc', start: 500, duration: 70_000, tags: [errorTag] },
    { id: 'd', parent: 'a', service: 'adservice', op: 'ads', start: 100, duration: 10 },
  ],
  '2f715fb0123456789',
);

describe('result rows', () => {
  it('summarizes a trace as Jaeger’s result item', () => {
    expect(rootSpan(trace)?.spanID).toBe('a');
    expect(summarize(trace)).toEqual({
      traceID: '2f715fb0123456789',
      shortID: '2f715fb',
      rootService: 'frontend',
      rootOperation: 'HTTP GET',
      startUs: T0_US,
      durationUs: 70_500,
      spanCount: 4,
      errorCount: 1,
      services: [
        { name: 'adservice', spans: 1, color: serviceColor('adservice') },
        { name: 'frontend', spans: 2, color: serviceColor('frontend') },
        { name: 'recommendationservice', spans: 1, color: serviceColor('recommendationservice') },
      ],
    });
  });

  const rows: TraceSummary[] = [
    { id: 'x', start: 3, d: 10, n: 5 },
    { id: 'y', start: 1, d: 30, n: 2 },
    { id: 'z', start: 2, d: 20, n: 9 },
    { id: 'w', start: 4, d: 20, n: 2 },
  ].map((r) => ({
    traceID: r.id,
    shortID: r.id,
    rootService: 's',
    rootOperation: 'o',
    startUs: r.start,
    durationUs: r.d,
    spanCount: r.n,
    errorCount: 0,
    services: [],
  }));
  it.each([
    ['recent', ['w', 'x', 'z', 'y']],
    ['longest', ['y', 'w', 'z', 'x']],
    ['shortest', ['x', 'w', 'z', 'y']],
    ['most', ['z', 'x', 'w', 'y']],
    ['least', ['w', 'y', 'x', 'z']],
  ] as const)('sorts %s (ties newest first)', (order, ids) => {
    expect(sortTraces(rows, order).map((r) => r.traceID)).toEqual(ids);
  });

  it('offers Jaeger’s five sorts by their names', () => {
    expect(SORTS.map((s) => s.label)).toEqual([
      'Most Recent',
      'Longest First',
      'Shortest First',
      'Most Spans',
      'Least Spans',
    ]);
  });

  it.each([
    [10_000, 'a few seconds ago'],
    [60_000, 'a minute ago'],
    [5 * 60_000, '5 minutes ago'],
    [3600_000, 'an hour ago'],
    [3 * 3600_000, '3 hours ago'],
    [2 * 86400_000, '2 days ago'],
  ])('%d ms ago reads "%s"', (ago, text) => {
    expect(timeAgo(1e12 - ago, 1e12)).toBe(text);
  });
});
