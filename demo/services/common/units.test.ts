// Unit tests of the small pure parts of the shop: money, cards, carts, currency, quotes, ads.
import { describe, expect, it } from 'vitest';
import { pickAds, ADS_BY_CATEGORY } from '../ad/ads.js';
import { CartStore } from '../cart/store.js';
import { convert, isSupported } from '../currency/rates.js';
import { checkCard, luhnValid } from '../payment/card.js';
import { quoteUsd } from '../quote/quote.js';
import { moneyFromNumber, moneyToNumber, multiplyMoney, sumMoney } from './money.js';

describe('money', () => {
  it('round-trips cents and keeps units and nanos of one sign', () => {
    expect(moneyFromNumber(12.34, 'USD')).toEqual({ currencyCode: 'USD', units: 12, nanos: 340_000_000 });
    expect(moneyFromNumber(-1.5, 'USD')).toEqual({ currencyCode: 'USD', units: -1, nanos: -500_000_000 });
    expect(moneyToNumber(multiplyMoney({ currencyCode: 'EUR', units: 19, nanos: 950_000_000 }, 3))).toBeCloseTo(
      59.85,
      9,
    );
    expect(sumMoney([moneyFromNumber(0.1, 'USD'), moneyFromNumber(0.2, 'USD')], 'USD')).toEqual(
      moneyFromNumber(0.3, 'USD'),
    );
    expect(() => sumMoney([moneyFromNumber(1, 'EUR')], 'USD')).toThrow(/EUR/);
  });
});

describe('payment card checks', () => {
  const card = {
    creditCardNumber: '4432-8015-6152-0454',
    creditCardCvv: 672,
    creditCardExpirationYear: 2030,
    creditCardExpirationMonth: 1,
  };
  it("accepts the load generator's card and refuses bad ones", () => {
    expect(luhnValid('4432801561520454')).toBe(true);
    expect(checkCard(card, new Date('2026-11-24'))).toEqual({ ok: true, brand: 'visa', lastFour: '0454' });
    expect(checkCard({ ...card, creditCardNumber: '4432-8015-6152-0455' })).toMatchObject({ ok: false });
    expect(checkCard({ ...card, creditCardNumber: '378282246310005' })).toMatchObject({ ok: false, reason: /VISA/ });
    expect(
      checkCard({ ...card, creditCardExpirationYear: 2026, creditCardExpirationMonth: 10 }, new Date('2026-11-24')),
    ).toMatchObject({
      ok: false,
      reason: /expired/,
    });
    expect(
      checkCard({ ...card, creditCardExpirationYear: 2026, creditCardExpirationMonth: 11 }, new Date('2026-11-24')).ok,
    ).toBe(true);
  });
});

describe('cart store', () => {
  it('adds up quantities, empties, and drops the oldest carts beyond its bound', () => {
    const store = new CartStore(2);
    store.add('a', 'P1', 1);
    store.add('a', 'P1', 2);
    store.add('a', 'P2', 1);
    expect(store.get('a').items).toEqual([
      { productId: 'P1', quantity: 3 },
      { productId: 'P2', quantity: 1 },
    ]);
    store.add('b', 'P1', 1);
    store.add('a', 'P3', 1); // touches a: b is now the oldest
    store.add('c', 'P1', 1);
    expect(store.size).toBe(2);
    expect(store.get('b').items).toEqual([]);
    expect(store.get('a').items).toHaveLength(3);
    store.empty('a');
    expect(store.get('a').items).toEqual([]);
  });
});

describe('currency', () => {
  it('converts through the euro', () => {
    expect(isSupported('JPY')).toBe(true);
    expect(isSupported('XXX')).toBe(false);
    expect(isSupported('toString')).toBe(false);
    const eur = convert({ currencyCode: 'USD', units: 113, nanos: 0 }, 'EUR');
    expect(moneyToNumber(eur)).toBeCloseTo(100, 2);
    expect(convert(eur, 'EUR')).toEqual(eur);
  });
});

describe('quote and ads', () => {
  it('prices shipping per item with a handling fee', () => {
    expect(quoteUsd(0)).toBe(0);
    expect(quoteUsd(1)).toBe(7.49);
    expect(quoteUsd(4)).toBe(14.99);
  });
  it('targets ads by context key, or picks two at random', () => {
    expect(pickAds(['telescopes'], ADS_BY_CATEGORY)).toHaveLength(2);
    expect(pickAds(['Books'], ADS_BY_CATEGORY)[0]!.redirectUrl).toBe('/product/1YMWWN1N4O');
    const random = pickAds([], ADS_BY_CATEGORY);
    expect(random).toHaveLength(2);
    expect(random[0]).not.toEqual(random[1]);
    expect(pickAds(['nothing-here'], ADS_BY_CATEGORY)).toHaveLength(2);
  });
});
