import { describe, expect, it } from 'vitest';
import { exploreHref, readExploreParams, withExprs } from './explore.js';

describe('Explore URL', () => {
  it('carries every query of a panel and its unit, and reads them back in order', () => {
    const href = exploreHref({
      exprs: ['histogram_quantile(0.5, x)', 'histogram_quantile(0.99, x)'],
      unit: 'ms',
      from: 'now-15m',
      to: 'now',
    });
    const state = readExploreParams(new URL(href, 'http://h').searchParams);
    expect(state.exprs).toEqual(['histogram_quantile(0.5, x)', 'histogram_quantile(0.99, x)']);
    expect(state.unit).toBe('ms');
    expect(state.from).toBe('now-15m');
    expect(state.view).toBe('graph');
  });

  it('falls back to one empty query and a neutral unit for a bare or tampered address', () => {
    const state = readExploreParams(new URLSearchParams('unit=<script>'));
    expect(state.exprs).toEqual(['']);
    expect(state.unit).toBe('short');
    expect(state.from).toBe('now-1h');
  });

  it('replaces the query list and drops empty queries', () => {
    const next = withExprs(new URLSearchParams('expr=a&expr=b&from=now-5m'), ['c', ' ', 'd']);
    expect(next.getAll('expr')).toEqual(['c', 'd']);
    expect(next.get('from')).toBe('now-5m');
  });
});
