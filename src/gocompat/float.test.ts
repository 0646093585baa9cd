import { describe, expect, it } from 'vitest';
import { formatFloatE, formatFloatF } from './float.js';

/** Go's 'f' with -1 precision, built from the 'e' form's digits: an independent spelling. */
function fromExponent(v: number): string {
  const e = formatFloatE(v);
  const [mant, expText] = e.split('e') as [string, string];
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const exp = Number(expText);
  const sign = neg ? '-' : '';
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length);
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

describe("Go's strconv.FormatFloat(v, 'f', -1, 64)", () => {
  it('writes the shortest round-trip digits in plain decimal, at the edges of every range', () => {
    expect(formatFloatF(1e-6)).toBe('0.000001');
    expect(formatFloatF(1e-7)).toBe('0.0000001');
    expect(formatFloatF(-2.5e-9)).toBe('-0.0000000025');
    expect(formatFloatF(1e21)).toBe('1000000000000000000000');
    expect(formatFloatF(999999999999999900000)).toBe('999999999999999900000');
    expect(formatFloatF(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(formatFloatF(-0)).toBe('-0');
    expect(formatFloatF(1234.5)).toBe('1234.5');
    expect(formatFloatF(Number.NaN)).toBe('NaN');
    expect(formatFloatF(-Infinity)).toBe('-Inf');
  });

  it('agrees with the digits of the exponent form for random values of every magnitude', () => {
    let seed = 42;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 20_000; i++) {
      const v = (rand() < 0.5 ? -1 : 1) * rand() * 10 ** Math.floor(rand() * 60 - 30);
      if (v === 0) continue;
      const s = formatFloatF(v);
      expect(s).toBe(fromExponent(v));
      expect(Number(s)).toBe(v);
    }
  });
});
