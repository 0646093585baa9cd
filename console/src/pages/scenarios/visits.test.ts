import { describe, expect, it } from 'vitest';
import type { JaegerTrace } from '../../api/traces.js';
import type { VisitCheck } from './model.js';
import { addVisit, matchingVisits, readVisits, traceHasSpanTag, visitedTraceId } from './visits.js';

const check = (c: Partial<VisitCheck>): VisitCheck => ({
  kind: 'visit',
  path: '/trace/',
  params: {},
  spanTag: undefined,
  ...c,
});

describe('console visits', () => {
  it('matches visits since a time by page (or page prefix) and parameters, latest first', () => {
    const visits = [
      { path: '/trace/aa', search: '', at: 10 },
      { path: '/diagnosis/compare', search: '?service=cartservice&select=errors', at: 20 },
      { path: '/trace/bb', search: '', at: 30 },
      { path: '/diagnosis/compare', search: '?service=recommendationservice', at: 40 },
    ];
    expect(matchingVisits(check({}), visits, 15).map((v) => v.path)).toEqual(['/trace/bb']);
    expect(
      matchingVisits(check({ path: '/diagnosis/compare', params: { service: 'cartservice' } }), visits, 0),
    ).toHaveLength(1);
    expect(matchingVisits(check({ path: '/diagnosis', params: {} }), visits, 0)).toHaveLength(0);
  });

  it('records a page once when it is reloaded at once, and reads a damaged store as empty', () => {
    const v = addVisit([{ path: '/a', search: '', at: 0 }], { path: '/a', search: '', at: 500 });
    expect(v).toHaveLength(1);
    expect(addVisit(v, { path: '/a', search: '', at: 5000 })).toHaveLength(2);
    expect(readVisits('not json')).toEqual([]);
    expect(readVisits(JSON.stringify([{ path: '/a', search: '', at: 1 }, { path: 3 }]))).toEqual([
      { path: '/a', search: '', at: 1 },
    ]);
  });

  it("reads a trace visit's ID and whether a span of a service carries a tag", () => {
    expect(visitedTraceId({ path: '/trace/abc123', search: '', at: 0 })).toBe('abc123');
    expect(visitedTraceId({ path: '/search', search: '', at: 0 })).toBeUndefined();
    const trace = {
      traceID: 't',
      spans: [
        { spanID: 'a', processID: 'p1', tags: [{ key: 'app.cache_hit', type: 'bool', value: false }] },
        { spanID: 'b', processID: 'p2', tags: [{ key: 'error', type: 'bool', value: true }] },
      ],
      processes: { p1: { serviceName: 'recommendationservice' }, p2: { serviceName: 'frontend' } },
    } as unknown as JaegerTrace;
    expect(traceHasSpanTag(trace, { service: 'recommendationservice', key: 'app.cache_hit', value: 'false' })).toBe(
      true,
    );
    expect(traceHasSpanTag(trace, { service: 'recommendationservice', key: 'error', value: 'true' })).toBe(false);
    expect(traceHasSpanTag(trace, { service: undefined, key: 'error', value: 'true' })).toBe(true);
  });
});
