import { describe, expect, it } from 'vitest';
import { toJsonText } from './json-text.js';

describe('toJsonText', () => {
  it('writes what JSON.stringify writes, and bigints as exact integer literals', () => {
    const plain = { a: [1, 'x', null, undefined, true], b: undefined, c: { d: 1.5, e: 'q"\n' } };
    expect(toJsonText(plain)).toBe(JSON.stringify(plain));
    const value = { n: 9007199254740993n, list: [-9223372036854775808n, undefined, 'x'], skip: undefined, s: 'é"' };
    expect(toJsonText(value)).toBe('{"n":9007199254740993,"list":[-9223372036854775808,null,"x"],"s":"é\\""}');
  });
});
