import { describe, expect, it } from 'vitest';
import { CLAIMED_DROPPED, CLAIMED_NEW, SingleTerms } from './single-terms.js';

describe('SingleTerms', () => {
  it('holds a trace ordinal per term through growth, takeover and deletion', () => {
    const t = new SingleTerms();
    // 30-bit terms, many sharing low bits (collisions probe on)
    const terms = Array.from({ length: 5000 }, (_, i) => ((i * 1024 + 7) ^ (i << 20)) & 0x3fffffff);
    terms.forEach((term, i) => expect(t.claim(term, 100 + i, 100)).toBe(CLAIMED_NEW));
    expect(t.size).toBe(5000);
    terms.forEach((term, i) => expect(t.get(term, 100)).toBe(100 + i));
    expect(t.get(123456, 100)).toBeUndefined();
    // a live holder stays, and is answered
    expect(t.claim(terms[3]!, 9999, 100)).toBe(103);
    expect(t.claim(terms[3]!, 103, 100)).toBe(103);
    // a dropped one (trace 103 below the oldest live, 104) is taken over in place
    expect(t.claim(terms[3]!, 9999, 104)).toBe(CLAIMED_DROPPED);
    expect(t.get(terms[3]!, 100)).toBe(9999);
    expect(t.size).toBe(5000);
    for (let i = 0; i < 5000; i += 2) t.delete(terms[i]!);
    expect(t.size).toBe(2500);
    terms.forEach((term, i) => expect(t.get(term, 100)).toBe(i % 2 === 0 ? undefined : i === 3 ? 9999 : 100 + i));
    // a deleted slot is reused, and terms past it are still found
    expect(t.claim(terms[0]!, 5, 0)).toBe(CLAIMED_NEW);
    expect(t.size).toBe(2501);
    expect(t.get(terms[0]!, 0)).toBe(5);
    expect(t.get(terms[4999]!, 100)).toBe(5099);
    terms.forEach((term, i) =>
      expect(t.get(term, 0)).toBe(i === 0 ? 5 : i % 2 === 0 ? undefined : i === 3 ? 9999 : 100 + i),
    );
  });

  it('answers nothing for a dropped trace before the sweep, and the sweep removes it', () => {
    const t = new SingleTerms();
    for (let i = 0; i < 3000; i++) t.claim(i * 7919, i, 0);
    // traces below 2000 dropped
    expect(t.get(10 * 7919, 2000)).toBeUndefined();
    expect(t.get(2500 * 7919, 2000)).toBe(2500);
    let removed = 0;
    for (let k = 0; k < 40; k++) removed += t.sweep(2000, 1000, 1000);
    expect(removed).toBe(2000);
    expect(t.size).toBe(1000);
    expect(t.get(2999 * 7919, 2000)).toBe(2999);
    // a table mostly of deleted slots shrinks
    expect(t.bytes).toBeLessThan(8 * 8192);
  });

  it('decodes ordinals past 2^32', () => {
    const t = new SingleTerms();
    const base = 2 ** 32 - 10;
    for (let i = 0; i < 20; i++) t.claim(i + 1, base + i, base);
    for (let i = 0; i < 20; i++) expect(t.get(i + 1, base)).toBe(base + i);
    expect(t.get(1, base + 5)).toBeUndefined();
  });
});
