import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('crc32c', () => {
  it('matches the published CRC-32C check value and RFC 3720 test vectors', () => {
    // The standard check input "123456789" gives 0xE3069283 for CRC-32C.
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    // RFC 3720 (iSCSI) B.4: 32 bytes of zeros, of 0xFF, and ascending 0..31.
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('gives the same result over a range and when continued piece by piece', () => {
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7919) & 0xff);
    const whole = crc32c(data);
    let c = 0;
    for (let i = 0; i < data.length; i += 37) c = crc32c(data, i, Math.min(i + 37, data.length), c);
    expect(c).toBe(whole);
    const padded = new Uint8Array(1010);
    padded.set(data, 5);
    expect(crc32c(padded, 5, 1005)).toBe(whole);
  });

  it('gives the bitwise definition at every alignment and length around the word loop', () => {
    // the definition, one bit at a time (no tables)
    const reference = (bytes: Uint8Array): number => {
      let c = 0xffffffff;
      for (const b of bytes) {
        c ^= b;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      return ~c >>> 0;
    };
    const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 2654435761) >>> 24);
    for (let offset = 0; offset < 8; offset++)
      for (const length of [0, 7, 8, 63, 64, 65, 66, 67, 100, 127, 128, 129, 200, 291]) {
        const view = new Uint8Array(data.buffer, offset, length);
        expect(crc32c(view), `offset ${offset}, length ${length}`).toBe(reference(view));
        // a range inside a view that starts off a word boundary
        expect(crc32c(data.subarray(offset), 1, 1 + length)).toBe(
          reference(data.subarray(offset + 1, offset + 1 + length)),
        );
      }
  });

  it('changes when one bit flips', () => {
    const data = Uint8Array.from({ length: 64 }, (_, i) => i);
    const before = crc32c(data);
    data[40]! ^= 0x10;
    expect(crc32c(data)).not.toBe(before);
  });
});
