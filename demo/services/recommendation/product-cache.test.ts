import { describe, expect, it } from 'vitest';
import type { AttributeValue } from '@opentelemetry/api';
import { LEAK, PRODUCT_IDS } from '../../../src/names/contract.js';
import {
  ChunkedList,
  getProductList,
  LeakyProductCache,
  sample,
  type CacheLookup,
  type ProductListSource,
} from './product-cache.js';

const CATALOG = [...PRODUCT_IDS];

class Recorder {
  readonly attrs = new Map<string, AttributeValue>();
  setAttribute(key: string, value: AttributeValue): this {
    this.attrs.set(key, value);
    return this;
  }
}

/** a deterministic random source cycling through the given values */
function cycle(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

function source(flag: boolean, cache: LeakyProductCache, calls: { list: number }): ProductListSource {
  return {
    cache,
    cacheEnabled: async () => flag,
    listProductIds: async () => {
      calls.list++;
      return [...CATALOG];
    },
    random: Math.random,
  };
}

describe('ChunkedList', () => {
  it('keeps order across chunk boundaries and appends its head', () => {
    const list = new ChunkedList();
    const n = (1 << 20) + 5;
    for (let i = 0; i < n; i++) list.push(String(i % 7));
    expect(list.length).toBe(n);
    expect(list.at(1 << 20)).toBe(String((1 << 20) % 7));
    expect(list.at(n)).toBeUndefined();
    list.appendHead(10);
    expect(list.length).toBe(n + 10);
    expect(list.at(n + 3)).toBe('3');
    let count = 0;
    for (const _ of list) count++;
    expect(count).toBe(n + 10);
  });
});

describe('LeakyProductCache', () => {
  it('misses on the first request and then on about half', () => {
    const cache = new LeakyProductCache(cycle(0.7, 0.2));
    expect(cache.nextIsMiss()).toBe(true); // first run, regardless of the random draw
    expect(cache.nextIsMiss()).toBe(false); // 0.7 ≥ 0.5: hit
    expect(cache.nextIsMiss()).toBe(true); // 0.2 < 0.5: miss
  });

  it('grows about 1.25x per miss and never evicts', () => {
    const cache = new LeakyProductCache();
    const lengths: number[] = [];
    for (let miss = 0; miss < 30; miss++) {
      cache.refill(CATALOG);
      lengths.push(cache.ids.length);
    }
    // first miss: 10 fetched + 2 (a quarter of 10) = 12, exactly as the demo's Python did
    expect(lengths[0]).toBe(12);
    expect(lengths[1]).toBe(27); // (12 + 10) + floor(22 / 4)
    // the +10 fetched per miss fades: from the 20th miss on the ratio is 1.25 to within 1 %
    for (let i = 20; i < lengths.length; i++) {
      const ratio = lengths[i]! / lengths[i - 1]!;
      expect(ratio).toBeGreaterThan(1.24);
      expect(ratio).toBeLessThan(1.26);
    }
    // ~60 misses reach tens of millions of entries: the extrapolation the scenario relies on
    expect(lengths[29]! * 1.25 ** 30).toBeGreaterThan(10_000_000);
    // nothing is de-duplicated: every catalogue ID is still in there many times
    expect(new Set(cache.ids).size).toBe(CATALOG.length);
  });
});

describe('getProductList', () => {
  it('flag on, first request: a miss that lists the catalogue', async () => {
    const calls = { list: 0 };
    const cache = new LeakyProductCache(() => 0.9);
    const span = new Recorder();
    const picked = await getProductList(span, ['0PUK6V6EV0'], source(true, cache, calls));
    expect(calls.list).toBe(1);
    expect(span.attrs.get(LEAK.cacheEnabled)).toBe(true);
    expect(span.attrs.get(LEAK.cacheHit)).toBe(false);
    expect(span.attrs.get(LEAK.productsCount)).toBe(12);
    expect(span.attrs.get(LEAK.filteredCount)).toBe(9);
    expect(span.attrs.get(LEAK.filteredList)).toEqual(picked);
    expect(picked).toHaveLength(5);
    expect(picked).not.toContain('0PUK6V6EV0');
    expect(new Set(picked).size).toBe(5);
  });

  it('flag on, later request with a high draw: a hit without a catalogue call', async () => {
    const calls = { list: 0 };
    const cache = new LeakyProductCache(() => 0.9);
    await getProductList(new Recorder(), [], source(true, cache, calls));
    const span = new Recorder();
    await getProductList(span, [], source(true, cache, calls));
    expect(calls.list).toBe(1);
    expect(span.attrs.get(LEAK.cacheHit)).toBe(true);
    expect(span.attrs.get(LEAK.productsCount)).toBe(12);
    expect(span.attrs.get(LEAK.filteredCount)).toBe(10);
  });

  it('flag on, a low draw: another miss, and the list grows', async () => {
    const calls = { list: 0 };
    const cache = new LeakyProductCache(() => 0.1);
    await getProductList(new Recorder(), [], source(true, cache, calls));
    const span = new Recorder();
    await getProductList(span, [], source(true, cache, calls));
    expect(calls.list).toBe(2);
    expect(span.attrs.get(LEAK.cacheHit)).toBe(false);
    expect(span.attrs.get(LEAK.productsCount)).toBe(27);
  });

  it('flag off: no cache attributes beyond cache_enabled=false, always the catalogue', async () => {
    const calls = { list: 0 };
    const cache = new LeakyProductCache();
    const span = new Recorder();
    await getProductList(span, ['0PUK6V6EV0', '1YMWWN1N4O'], source(false, cache, calls));
    await getProductList(new Recorder(), [], source(false, cache, calls));
    expect(calls.list).toBe(2);
    expect(cache.ids.length).toBe(0);
    expect(span.attrs.get(LEAK.cacheEnabled)).toBe(false);
    expect(span.attrs.has(LEAK.cacheHit)).toBe(false);
    expect(span.attrs.get(LEAK.productsCount)).toBe(10);
    expect(span.attrs.get(LEAK.filteredCount)).toBe(8);
  });

  it('tells the source of each lookup: a miss with what it fetched, then a hit; nothing with the flag off', async () => {
    const lookups: CacheLookup[] = [];
    const cache = new LeakyProductCache(cycle(0.9));
    const on = { ...source(true, cache, { list: 0 }), onCacheLookup: (l: CacheLookup) => lookups.push(l) };
    await getProductList(new Recorder(), [], on);
    await getProductList(new Recorder(), [], on);
    await getProductList(new Recorder(), [], { ...on, cacheEnabled: async () => false });
    expect(lookups).toEqual([
      { hit: false, fetched: 10, productsCount: 12 },
      { hit: true, fetched: 0, productsCount: 12 },
    ]);
  });

  it('recommends fewer than five when few remain', async () => {
    const span = new Recorder();
    const picked = await getProductList(span, CATALOG.slice(0, 8), source(false, new LeakyProductCache(), { list: 0 }));
    expect(picked.sort()).toEqual(CATALOG.slice(8).sort());
  });
});

describe('sample', () => {
  it('returns distinct entries, at most n', () => {
    expect(sample([1, 2, 3], 5)).toHaveLength(3);
    const s = sample([...Array(100).keys()], 5);
    expect(new Set(s).size).toBe(5);
  });
});
