import { describe, expect, it } from 'vitest';
import { PRODUCT_IDS } from '../../../src/names/contract.js';
import { CATALOG, FAILING_PRODUCT_ID, findProduct, searchProducts } from './catalog.js';

describe('catalogue', () => {
  it('has the ten product IDs of the contract, each with a price and categories', () => {
    expect(CATALOG.map((p) => p.id)).toEqual([...PRODUCT_IDS]);
    for (const p of CATALOG) {
      expect(p.name).not.toBe('');
      expect(p.priceUsd.currencyCode).toBe('USD');
      expect(p.priceUsd.units).toBeGreaterThan(0);
      expect(p.priceUsd.nanos).toBeGreaterThanOrEqual(0);
      expect(p.priceUsd.nanos).toBeLessThan(1e9);
      expect(p.categories.length).toBeGreaterThan(0);
    }
    expect(new Set(CATALOG.map((p) => p.name)).size).toBe(10);
  });

  it('finds by ID, and the failing product is one of them', () => {
    expect(findProduct('66VCHSJNUP')?.name).toMatch(/Dobsonian/);
    expect(findProduct('NOPE')).toBeUndefined();
    expect(findProduct(FAILING_PRODUCT_ID)).toBeDefined();
  });

  it('searches names, descriptions and categories case-insensitively', () => {
    expect(
      searchProducts('TELESCOPES')
        .map((p) => p.id)
        .sort(),
    ).toEqual(['0PUK6V6EV0', '66VCHSJNUP']);
    expect(searchProducts('moon').length).toBeGreaterThan(0);
    expect(searchProducts('  ')).toEqual([]);
  });
});
