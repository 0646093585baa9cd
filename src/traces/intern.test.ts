import { describe, expect, it } from 'vitest';
import { Dictionary, StringTable } from './intern.js';

describe('Dictionary', () => {
  it('interns values per key up to its cap, and never long ones', () => {
    const dict = new Dictionary(2);
    const user = dict.keys.intern('user');
    const other = dict.keys.intern('other');
    const a = dict.valueId(user, 'a');
    expect(dict.valueId(user, 'a')).toBe(a);
    expect(dict.valueId(user, 'b')).toBeDefined();
    expect(dict.valueId(user, 'c')).toBeUndefined(); // the key's two values are used up
    expect(dict.valueId(other, 'c')).toBeDefined();
    expect(dict.valueId(user, 'c')).toBe(dict.strs.get('c')); // known values are always found
    expect(dict.valueId(other, 'x'.repeat(257))).toBeUndefined();
    expect(dict.bytes).toBe(dict.keys.bytes + dict.strs.bytes);
  });
});

describe('StringTable', () => {
  it('finds every string it holds and none it does not, past cache collisions and filter growth', () => {
    const table = new StringTable(16); // few cache slots: most lookups collide
    const held: string[] = [''];
    for (let i = 0; i < 20000; i++)
      held.push(i % 3 === 0 ? `user-${i}` : `${(i * 2654435761) >>> 0}`.padStart(12, 'x'));
    held.forEach((s, i) => expect(table.intern(s)).toBe(i));
    // built afresh, as a decoded string is, so no lookup can succeed by identity alone
    const fresh = (s: string): string => Buffer.from(s).toString('latin1');
    for (let round = 0; round < 2; round++) {
      held.forEach((s, i) => expect(table.get(fresh(s))).toBe(i));
      for (let i = 0; i < 20000; i++) expect(table.get(`user-${i}x`)).toBeUndefined();
      expect(table.get('user-1')).toBeUndefined(); // 1 % 3 !== 0: never added
    }
    expect(table.size).toBe(held.length);
    expect(table.intern('user-0')).toBe(1);
  });
});
