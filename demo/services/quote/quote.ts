// The shipping tariff: a handling fee plus a price per item, nothing for nothing.
export const HANDLING_USD = 4.99;
export const PER_ITEM_USD = 2.5;

export function quoteUsd(numberOfItems: number): number {
  if (numberOfItems <= 0) return 0;
  return Math.round((HANDLING_USD + PER_ITEM_USD * numberOfItems) * 100) / 100;
}
