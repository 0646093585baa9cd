import { describe, expect, it } from 'vitest';
import type { AnyValue } from '../otlp/model.js';
import { decodeSegmentFile, encodeSegmentFile, indexSegmentFile, SegmentFileError } from './segment-file.js';
import { REC_HEADER_WORDS } from './layout.js';

/** Words of n records of `spans` spans each of `spanWords` words (only the lengths matter to the file). */
function records(n: number, spans: number, spanWords: number): Uint32Array {
  const u32 = new Uint32Array(n * (REC_HEADER_WORDS + spans * spanWords));
  let o = 0;
  for (let r = 0; r < n; r++) {
    u32[o] = spans;
    u32[o + 1] = r;
    o += REC_HEADER_WORDS;
    for (let s = 0; s < spans; s++) {
      u32[o] = spanWords;
      for (let w = 1; w < spanWords; w++) u32[o + w] = (r * 7919 + s * 31 + w) >>> 0;
      o += spanWords;
    }
  }
  return u32;
}

const complex: AnyValue[] = [
  {
    kind: 'array',
    value: [
      { kind: 'int', value: 2n ** 62n },
      { kind: 'double', value: NaN },
    ],
  },
  { kind: 'kvlist', value: [{ key: 'k', value: { kind: 'bytes', value: Uint8Array.of(0, 255) } }] },
  { kind: 'empty' },
];

describe('segment file', () => {
  it('round-trips words and complex values exactly, in blocks that never split a record', () => {
    const u32 = records(3000, 3, 40);
    const file = encodeSegmentFile({ seq: 7, u32, complex, lastAppendMs: 1_700_000_000_123 });
    const back = decodeSegmentFile(file);
    expect(back.seq).toBe(7);
    expect(back.lastAppendMs).toBe(1_700_000_000_123);
    expect(back.u32).toEqual(u32);
    expect(back.complex).toEqual(complex);
    const index = indexSegmentFile(file);
    expect(index.blocks.length).toBeGreaterThan(10);
    const recordWords = REC_HEADER_WORDS + 3 * 40;
    for (const b of index.blocks) expect(b.word % recordWords).toBe(0);
    // compressed on disk
    expect(file.length).toBeLessThan(u32.byteLength);
  });

  it('refuses a file with a flipped bit, a cut tail, another magic or version, saying what is wrong', () => {
    const file = encodeSegmentFile({ seq: 1, u32: records(500, 2, 30), complex, lastAppendMs: 0 });
    const flipped = Buffer.from(file);
    flipped[flipped.length - 20]! ^= 1;
    expect(() => decodeSegmentFile(flipped)).toThrow(/checksum mismatch/);
    expect(() => decodeSegmentFile(file.subarray(0, file.length - 5))).toThrow(/truncated/);
    const magic = Buffer.from(file);
    magic.write('NOTASEGM', 0, 'latin1');
    expect(() => decodeSegmentFile(magic)).toThrow(SegmentFileError);
    const version = Buffer.from(file);
    version.writeUInt32LE(2, 8);
    expect(() => decodeSegmentFile(version)).toThrow(/header checksum/);
    expect(() => decodeSegmentFile(Buffer.alloc(10))).toThrow(/shorter than the header/);
  });
});
