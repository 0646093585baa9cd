import { describe, expect, it } from 'vitest';
import {
  apiQuery,
  checkDurations,
  checkScope,
  DEFAULT_FORM,
  formFromParams,
  paramsFromForm,
  windowParams,
  type FieldErrorsOf,
  type SearchForm,
  type SearchScope,
} from './form.js';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);

function toUrl(form: SearchForm): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(paramsFromForm(form))) if (v !== undefined) p.set(k, v);
  return p;
}

describe('search form', () => {
  it('round-trips through the URL, writing only what differs from the defaults', () => {
    const form: SearchForm = {
      ...DEFAULT_FORM,
      service: 'recommendationservice',
      tags: 'app.cache_hit=false note="a b"',
      minDuration: '100ms',
      limit: '100',
    };
    const url = toUrl(form);
    expect([...url.keys()].sort()).toEqual(['limit', 'minDuration', 'service', 'tags']);
    expect(formFromParams(url)).toEqual(form);
    expect(formFromParams(new URLSearchParams())).toEqual(DEFAULT_FORM);
  });

  it('a link with start and end but no lookback searches that window', () => {
    const form = formFromParams(new URLSearchParams({ service: 's', start: '1000', end: '5000' }));
    expect(form.lookback).toBe('custom');
    const q = apiQuery(form, NOW);
    expect(q.ok && [q.params.get('start'), q.params.get('end')]).toEqual(['1000', '5000']);
  });

  it('drops start/end unless the lookback is custom', () => {
    const url = toUrl({ ...DEFAULT_FORM, service: 's', start: '1', end: '2' });
    expect(url.has('start')).toBe(false);
    expect(toUrl({ ...DEFAULT_FORM, service: 's', lookback: 'custom', start: '1', end: '2' }).get('end')).toBe('2');
  });

  it('builds the /api/traces query: tags as JSON, the window in µs, durations in µs', () => {
    const q = apiQuery(
      {
        ...DEFAULT_FORM,
        service: 'svc',
        operation: 'get',
        tags: 'a=1 b="x y"',
        minDuration: '1.2s',
        maxDuration: '2s',
      },
      NOW,
    );
    expect(q.ok).toBe(true);
    if (!q.ok) return;
    expect(Object.fromEntries(q.params)).toEqual({
      service: 'svc',
      operation: 'get',
      tags: JSON.stringify({ a: '1', b: 'x y' }),
      start: String((NOW - 3600_000) * 1000),
      end: String(NOW * 1000),
      minDuration: '1200000us',
      maxDuration: '2000000us',
      limit: '20',
    });
  });

  it('says which field is wrong and builds nothing', () => {
    const q = apiQuery(
      { ...DEFAULT_FORM, service: '', tags: 'oops', minDuration: '2s', maxDuration: '1s', limit: '0', lookback: '9y' },
      NOW,
    );
    expect(q).toEqual({
      ok: false,
      errors: {
        service: 'choose a service',
        tags: '"oops" has no value: write oops=value',
        maxDuration: 'must not be below Min Duration',
        limit: 'a whole number from 1 to 1500',
        lookback: 'unknown lookback "9y"',
      },
    });
    const bad = apiQuery({ ...DEFAULT_FORM, service: 's', minDuration: '10' }, NOW);
    expect(bad.ok === false && bad.errors.minDuration).toMatch(/not a duration/);
  });

  it('a custom range is passed as given', () => {
    const q = apiQuery({ ...DEFAULT_FORM, service: 's', lookback: 'custom', start: '1000', end: '5000' }, NOW);
    expect(q.ok && [q.params.get('start'), q.params.get('end')]).toEqual(['1000', '5000']);
    expect(apiQuery({ ...DEFAULT_FORM, service: 's', lookback: 'custom', start: '9', end: '5' }, NOW).ok).toBe(false);
  });
});

describe('the scope and durations every span search checks', () => {
  const scope: SearchScope = { service: 'svc', operation: '', tags: '', lookback: '15m', start: '', end: '' };

  it('a lookback ends at the given clock; a custom range is taken as written', () => {
    const errors: FieldErrorsOf<SearchScope> = {};
    expect(checkScope({ ...scope, tags: 'a=1' }, NOW, errors)).toEqual({
      service: 'svc',
      operation: '',
      tags: { a: '1' },
      startUs: (NOW - 15 * 60_000) * 1000,
      endUs: NOW * 1000,
    });
    expect(checkScope({ ...scope, lookback: 'custom', start: '1000', end: '5000' }, NOW, errors)).toMatchObject({
      startUs: 1000,
      endUs: 5000,
    });
    expect(errors).toEqual({});
  });

  it('names each wrong field: no service, tags that do not parse, a range that ends before it starts', () => {
    const errors: FieldErrorsOf<SearchScope> = {};
    checkScope({ ...scope, service: '', tags: 'oops', lookback: 'custom', start: '9', end: '5' }, NOW, errors);
    expect(errors).toEqual({
      service: 'choose a service',
      tags: '"oops" has no value: write oops=value',
      lookback: 'the custom range needs a start before its end (µs since the epoch)',
    });
    for (const [start, end] of [
      ['', '5'],
      ['1.5', '5'],
      ['-1', '5'],
      ['1', '99999999999999999999'],
    ] as const) {
      const e: FieldErrorsOf<SearchScope> = {};
      checkScope({ ...scope, lookback: 'custom', start, end }, NOW, e);
      expect(e.lookback, `${start}..${end}`).toMatch(/start before its end/);
    }
  });

  it('writes a window as the APIs read it, operation and tags only when set', () => {
    const w = { service: 'svc', operation: '', tags: {}, startUs: 1, endUs: 2 };
    expect(windowParams(w).toString()).toBe('service=svc&start=1&end=2');
    expect(Object.fromEntries(windowParams({ ...w, operation: 'get', tags: { 'app.cache_hit': 'false' } }))).toEqual({
      service: 'svc',
      operation: 'get',
      tags: '{"app.cache_hit":"false"}',
      start: '1',
      end: '2',
    });
  });

  it('reads Min and Max Duration in µs; empty is no bound unless the minimum is required', () => {
    const errors: FieldErrorsOf<SearchForm> = {};
    expect(checkDurations({ minDuration: '1.2s', maxDuration: ' 2s ' }, errors)).toEqual({
      minUs: 1_200_000,
      maxUs: 2_000_000,
    });
    expect(checkDurations({ minDuration: '', maxDuration: '' }, errors)).toEqual({});
    expect(errors).toEqual({});
    checkDurations({ minDuration: ' ', maxDuration: '' }, errors, true);
    expect(errors).toEqual({ minDuration: 'a duration, e.g. 1.2s or 300ms' });
  });

  it('a maximum below the minimum, or text that is not a duration, is an error of that field', () => {
    const inverted: FieldErrorsOf<SearchForm> = {};
    expect(checkDurations({ minDuration: '2s', maxDuration: '1s' }, inverted)).toEqual({
      minUs: 2_000_000,
      maxUs: 1_000_000,
    });
    expect(inverted).toEqual({ maxDuration: 'must not be below Min Duration' });
    const wrong: FieldErrorsOf<SearchForm> = {};
    expect(checkDurations({ minDuration: '10', maxDuration: 'soon' }, wrong)).toEqual({});
    expect(wrong.minDuration).toMatch(/"10" is not a duration/);
    expect(wrong.maxDuration).toMatch(/not a duration/);
  });
});
