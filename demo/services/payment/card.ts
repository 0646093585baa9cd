// Credit-card checks of the payment service: a Luhn-valid VISA or MasterCard number that has not
// expired (the demo accepted those two brands only).
import type { CreditCardInfo } from '../common/types.js';

export type CardCheck = { ok: true; brand: 'visa' | 'mastercard'; lastFour: string } | { ok: false; reason: string };

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function checkCard(card: CreditCardInfo, now: Date = new Date()): CardCheck {
  const digits = card.creditCardNumber.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(digits) || !luhnValid(digits)) return { ok: false, reason: 'credit card number is invalid' };
  const brand = digits.startsWith('4') ? 'visa' : /^5[1-5]/.test(digits) ? 'mastercard' : undefined;
  if (!brand) return { ok: false, reason: 'only VISA and MasterCard are accepted' };
  const { creditCardExpirationYear: year, creditCardExpirationMonth: month } = card;
  if (month < 1 || month > 12) return { ok: false, reason: 'expiration month is invalid' };
  // a card is valid through the last day of its expiration month
  if (year < now.getUTCFullYear() || (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1)) {
    return { ok: false, reason: `card expired in ${year}-${String(month).padStart(2, '0')}` };
  }
  return { ok: true, brand, lastFour: digits.slice(-4) };
}
