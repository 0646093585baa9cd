// Conversion rates against the euro (the demo's table used EUR as its base; the figures here are
// rounded and only need to be plausible).
import type { Money } from '../common/types.js';
import { moneyFromNumber, moneyToNumber } from '../common/money.js';

export const EUR_RATES: Readonly<Record<string, number>> = {
  EUR: 1,
  USD: 1.13,
  JPY: 126.4,
  GBP: 0.86,
  CAD: 1.51,
  AUD: 1.62,
  CHF: 1.14,
  SEK: 10.45,
  NOK: 9.9,
  INR: 79.8,
  BRL: 4.26,
  ZAR: 16.1,
};

export function isSupported(code: string): boolean {
  return Object.hasOwn(EUR_RATES, code);
}

/** `from` converted to `toCode`; the caller checks both codes are supported. */
export function convert(from: Money, toCode: string): Money {
  const eur = moneyToNumber(from) / EUR_RATES[from.currencyCode]!;
  return moneyFromNumber(eur * EUR_RATES[toCode]!, toCode);
}
