// Money arithmetic on {currencyCode, units, nanos}. Amounts in the shop are small, so a double
// in between keeps them exact to the nano well within the shop's range.
import type { Money } from './types.js';

const NANOS = 1_000_000_000;

export function moneyToNumber(m: Money): number {
  return m.units + m.nanos / NANOS;
}

/** units and nanos share the amount's sign, as the .proto's Money requires */
export function moneyFromNumber(amount: number, currencyCode: string): Money {
  const rounded = Math.round(amount * 100) / 100; // the shop prices in cents
  const units = Math.trunc(rounded);
  const nanos = Math.round((rounded - units) * NANOS);
  return { currencyCode, units, nanos };
}

export function multiplyMoney(m: Money, factor: number): Money {
  return moneyFromNumber(moneyToNumber(m) * factor, m.currencyCode);
}

export function sumMoney(items: readonly Money[], currencyCode: string): Money {
  let total = 0;
  for (const m of items) {
    if (m.currencyCode !== currencyCode) throw new Error(`cannot add ${m.currencyCode} to ${currencyCode}`);
    total += moneyToNumber(m);
  }
  return moneyFromNumber(total, currencyCode);
}

export function formatMoney(m: Money): string {
  return `${moneyToNumber(m).toFixed(2)} ${m.currencyCode}`;
}
