import { describe, expect, it } from 'vitest';
import { Dictionary } from './intern.js';

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
