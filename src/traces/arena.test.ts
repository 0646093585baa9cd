import { describe, expect, it } from 'vitest';
import { SEGMENT_REF_SPAN, SegmentArena, WordBuf } from './arena.js';

/** Appends a record of `words` words (the first the complex-base word the arena sets, the rest `fill`) for trace ord. */
function append(arena: SegmentArena, words: number, fill: number, ord: number): number {
  const buf = new WordBuf(8);
  buf.word(0);
  for (let i = 1; i < words; i++) buf.word(fill);
  return arena.append(buf, 0, buf.len, 0, 0, 0, 0, ord);
}

describe('SegmentArena', () => {
  it('appends records into segments, opening a new one when a record does not fit', () => {
    const arena = new SegmentArena(1024);
    const a = append(arena, 600, 7, 0);
    const b = append(arena, 600, 8, 1);
    const big = append(arena, 3000, 9, 2);
    expect(a).toBe(0);
    expect(b).toBe(SEGMENT_REF_SPAN);
    expect(big).toBe(2 * SEGMENT_REF_SPAN);
    expect(arena.count).toBe(3);
    expect(arena.segmentOf(b).u32[1]).toBe(8);
    expect(arena.segmentOf(big).u32.length).toBe(3000);
    expect(arena.usage().wordsUsed).toBe(4200);
  });

  it('frees the oldest segments once all their traces are dropped, and keeps refs valid', () => {
    const arena = new SegmentArena(1024);
    for (let ord = 0; ord < 6; ord++) append(arena, 400, ord, ord); // two records per segment
    expect(arena.count).toBe(3);
    expect(arena.oldestMaxOrd()).toBe(1);
    arena.freeBelow(1, 'memory');
    expect(arena.count).toBe(3);
    arena.freeBelow(2, 'memory');
    expect(arena.count).toBe(2);
    arena.freeBelow(4, 'memory');
    expect(arena.count).toBe(1);
    const ref = 2 * SEGMENT_REF_SPAN + 400; // ord 5's record
    expect(arena.segmentOf(ref).u32[ref - 2 * SEGMENT_REF_SPAN + 1]).toBe(5);
  });
});
