import { describe, expect, it } from 'vitest';
import { apiQuery, DEFAULT_FORM, formFromParams, paramsFromForm, type SearchForm } from './form.js';

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
