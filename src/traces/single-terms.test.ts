import { describe, expect, it } from 'vitest';
import { SingleTerms } from './single-terms.js';

describe('SingleTerms', () => {
  it('holds a trace ordinal per term through growth, replacement and deletion', () => {
    const t = new SingleTerms();
    // 30-bit terms, many sharing low bits (collisions probe on)
    const terms = Array.from({ length: 5000 }, (_, i) => ((i * 1024 + 7) ^ (i << 20)) & 0x3fffffff);
    terms.forEach((term, i) => t.set(term, 100 + i));
    expect(t.size).toBe(5000);
    terms.forEach((term, i) => expect(t.get(term, 100)).toBe(100 + i));
    expect(t.get(123456, 100)).toBeUndefined();
    t.set(terms[3]!, 9999);
    expect(t.get(terms[3]!, 100)).toBe(9999);
    expect(t.size).toBe(5000);
    for (let i = 0; i < 5000; i += 2) t.delete(terms[i]!);
    expect(t.size).toBe(2500);
    terms.forEach((term, i) => expect(t.get(term, 100)).toBe(i % 2 === 0 ? undefined : i === 3 ? 9999 : 100 + i));
    // a deleted slot is reused, and terms past it are still found
    t.set(terms[0]!, 5);
    expect(t.get(terms[0]!, 0)).toBe(5);
    expect(t.get(terms[4999]!, 100)).toBe(5099);
  });

  it('answers nothing for a dropped trace before the sweep, and the sweep removes it', () => {
    const t = new SingleTerms();
    for (let i = 0; i < 3000; i++) t.set(i * 7919, i);
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
    for (let i = 0; i < 20; i++) t.set(i + 1, base + i);
    for (let i = 0; i < 20; i++) expect(t.get(i + 1, base)).toBe(base + i);
    expect(t.get(1, base + 5)).toBeUndefined();
  });
});
