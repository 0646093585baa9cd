import { describe, expect, it } from 'vitest';
import { panelLinkHref } from './links.js';

const ctx = { fromMs: 1_000, toMs: 61_000, variables: { service: 'cart & co' } };

describe('panel links', () => {
  it('fills variables (encoded) and the time range in ms and µs', () => {
    const href = panelLinkHref(
      { title: 'View traces', url: '/search?service=$service&start=${__from_us}&end=${__to_us}&lookback=custom' },
      ctx,
    );
    expect(href).toBe('/search?service=cart%20%26%20co&start=1000000&end=61000000&lookback=custom');
    expect(new URL(href!, 'http://h').searchParams.get('service')).toBe('cart & co');
  });

  it('refuses addresses outside the console', () => {
    expect(panelLinkHref({ title: 'x', url: 'javascript:alert(1)' }, ctx)).toBeUndefined();
    expect(panelLinkHref({ title: 'x', url: '//evil.example/' }, ctx)).toBeUndefined();
    expect(panelLinkHref({ title: 'x', url: 'https://evil.example/' }, ctx)).toBeUndefined();
  });
});
