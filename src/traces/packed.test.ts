import { describe, expect, it } from 'vitest';
import { SegmentArena, SEGMENT_REF_SPAN, WordBuf } from './arena.js';
import { packSegment, UnpackCache } from './packed.js';
import { answerDifferences, ANSWERS_T0, variedBatches } from './same-answers.js';
import { BLOCK_WORDS } from './segment-file.js';
import { TraceStore } from './store.js';

describe('sealed segments kept compressed in memory', () => {
  it('answer every search, trace by ID, service, operation and dependency as plain segments do', () => {
    const plain = new TraceStore({ now: () => ANSWERS_T0, segmentBytes: 16 * 1024, plainSegments: Infinity });
    const packed = new TraceStore({ now: () => ANSWERS_T0, segmentBytes: 16 * 1024, plainSegments: 0 });
    const data = variedBatches(400);
    // answers are compared halfway too: traces whose earlier records are compressed gain new ones
    for (const b of data.slice(0, 200)) {
      plain.consumeTraces(b);
      packed.consumeTraces(b);
    }
    expect(answerDifferences(plain, packed).differences).toEqual([]);
    for (const b of data.slice(200)) {
      plain.consumeTraces(b);
      packed.consumeTraces(b);
    }
    const usage = packed.segmentUsage();
    expect(usage.packed).toBeGreaterThan(10);
    expect(usage.resident).toBe(1);
    expect(plain.segmentUsage().packed).toBe(0);
    const { differences, found } = answerDifferences(plain, packed);
    expect(differences).toEqual([]);
    expect(found).toBeGreaterThan(300);
    expect(packed.segmentUsage().blocksInflated).toBeGreaterThan(usage.blocksInflated);
  });

  it('decide a minDuration search above every span of a trace without inflating its records', () => {
    const store = new TraceStore({ now: () => ANSWERS_T0, segmentBytes: 16 * 1024, plainSegments: 0 });
    for (const b of variedBatches(400)) store.consumeTraces(b);
    // variedBatches' spans last at most floor(e^8) = 2,980 ms: the index's 1 s class holds candidates, none long enough
    expect(store.findTraces({ service: 'front', tags: {}, durationMinUs: 1_000_000, limit: 0 }).length).toBeGreaterThan(
      0,
    );
    const before = store.segmentUsage().blocksInflated;
    expect(store.findTraces({ service: 'front', tags: {}, durationMinUs: 2_990_000, limit: 20 })).toEqual([]);
    expect(store.segmentUsage().blocksInflated).toBe(before);
  });

  it('keep the newest plainSegments sealed segments uncompressed, and take less memory', () => {
    const options = { now: () => ANSWERS_T0, segmentBytes: 16 * 1024 };
    const store = new TraceStore({ ...options, plainSegments: 3 });
    const plain = new TraceStore({ ...options, plainSegments: Infinity });
    for (const b of variedBatches(1500)) {
      store.consumeTraces(b);
      plain.consumeTraces(b);
    }
    const usage = store.segmentUsage();
    // the open segment and three sealed ones
    expect(usage.resident).toBe(4);
    expect(usage.packed).toBe(usage.segments - 4);
    // (both hold the complex values, a list on every span here, as objects)
    expect(store.memory().segments).toBeLessThan(plain.memory().segments * 0.7);
  });
});

/** A sealed segment of `records` one-span-less records (header words only), each tagged by its index. */
function sealedSegment(records: number): SegmentArena {
  const arena = new SegmentArena(records * 8 + 8);
  const buf = new WordBuf();
  for (let i = 0; i < records; i++) {
    buf.reset();
    for (let w = 0; w < 8; w++) buf.word(w === 0 ? 0 : w === 4 ? i : 7);
    arena.append(buf, 0, 8, 1, 0, 0, 0, i);
  }
  arena.onSeal = (seg) => {
    seg.packed = packSegment(seg, 0);
  };
  arena.sealOpen();
  return arena;
}

describe('UnpackCache', () => {
  it('inflates only the block of the record read, and reads the words that were packed', () => {
    // 8-word records: three blocks' worth and a bit
    const records = Math.floor((BLOCK_WORDS * 3) / 8) + 10;
    const arena = sealedSegment(records);
    const seg = arena.segments[0]!;
    expect(seg.packed!.index.blocks.length).toBe(4);
    arena.compress(seg);
    expect(arena.segments[0]!.resident).toBe(false);
    const last = arena.segmentOf((records - 1) * 8);
    expect(last.u32[(records - 1) * 8 + 4]).toBe(records - 1);
    expect(arena.unpacked.inflated).toBe(1);
    // only the filled block counts
    expect(arena.unpacked.bytes).toBe(seg.packed!.index.blocks[3]!.rawLen);
    // a block not read is not filled
    expect(last.u32[4]).toBe(0);
    expect(arena.segmentOf(8).u32[8 + 4]).toBe(1);
    expect(arena.segmentOf(16).u32[16 + 4]).toBe(2);
    expect(arena.unpacked.inflated).toBe(2);
  });

  it('holds at most its capacity of segments, least recently used going first', () => {
    const arenas = [sealedSegment(10), sealedSegment(10), sealedSegment(10)];
    const cache = new UnpackCache(2);
    const stubs = arenas.map((a) => {
      a.compress(a.segments[0]!);
      return a.segments[0]!;
    });
    // the three arenas' segments all have seq 0: give each its own
    const views = stubs.map((s, i) => ({ ...s, seq: i }));
    cache.readAt(views[0]!, 0);
    cache.readAt(views[1]!, 0);
    cache.readAt(views[0]!, 0);
    cache.readAt(views[2]!, 0);
    expect(cache.inflated).toBe(3);
    // two segments of one block each, filled
    expect(cache.bytes).toBe(2 * 10 * 8 * 4);
    cache.readAt(views[0]!, 0);
    expect(cache.inflated).toBe(3);
    cache.readAt(views[1]!, 0);
    expect(cache.inflated).toBe(4);
    expect(SEGMENT_REF_SPAN).toBeGreaterThan(10 * 8);
  });
});

describe("a compressed segment's plain words", () => {
  const record = (tag: number): WordBuf => {
    const buf = new WordBuf();
    for (let w = 0; w < 8; w++) buf.word(w === 0 ? 0 : w === 4 ? tag : 7);
    return buf;
  };

  it('become the next new segment, zeroed, while the compressed one still reads its records', () => {
    const arena = sealedSegment(10);
    const words = arena.segments[0]!.u32;
    arena.compress(arena.segments[0]!);
    arena.append(record(99), 0, 8, 1, 0, 0, 0, 10);
    const fresh = arena.segments[1]!;
    expect(fresh.u32).toBe(words);
    expect(fresh.u32[4]).toBe(99);
    expect(fresh.u32.subarray(8).every((w) => w === 0)).toBe(true);
    expect(arena.segmentOf(3 * 8).u32[3 * 8 + 4]).toBe(3);
  });

  it('stay with their segment while the data directory has yet to write them', () => {
    const arena = sealedSegment(10);
    arena.mayReuse = () => false;
    const words = arena.segments[0]!.u32;
    arena.compress(arena.segments[0]!);
    arena.append(record(99), 0, 8, 1, 0, 0, 0, 10);
    expect(arena.segments[1]!.u32).not.toBe(words);
  });
});
