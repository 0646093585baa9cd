// Sealed segments kept in memory compressed: a sealed segment's words never change, so once it
// leaves the few newest (plain) segments only its segment-file encoding (segment-file.ts: the
// words in deflated blocks of whole records, each with its CRC) is kept, about a third of the
// words. A read inflates just the block holding the record it wants, into a small cache, the way
// a read from a segment file on disk does. The same bytes are what a data directory writes, so a
// segment is compressed once.
import type { Segment } from './arena.js';
import { encodeSegmentFile, indexSegmentFile, inflateBlock, type SegmentIndex } from './segment-file.js';

/** A sealed segment's words in their file encoding, and where its blocks are. */
export interface PackedSegment {
  readonly file: Buffer;
  readonly index: SegmentIndex;
}

/** Encodes a sealed segment's used words (its complex values stay objects on the segment). */
export function packSegment(seg: Segment, lastAppendMs: number): PackedSegment {
  const file = encodeSegmentFile({
    seq: seg.seq,
    u32: seg.u32.subarray(0, seg.used),
    complex: seg.complex,
    lastAppendMs,
  });
  return { file, index: indexSegmentFile(file) };
}

/** The index of the words block holding `word` (blocks are in word order, the first at word 0). */
export function blockAt(index: SegmentIndex, word: number): number {
  const blocks = index.blocks;
  let lo = 0;
  let hi = blocks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (blocks[mid]!.word <= word) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

interface Unpacked {
  readonly seg: Segment;
  /** per block: 1 once inflated into seg's words */
  readonly loaded: Uint8Array;
  /** bytes of the blocks inflated */
  filled: number;
}

/**
 * Inflated packed segments, least recently used first: each holds a segment-sized word array of
 * which only the blocks read so far are filled.
 */
export class UnpackCache {
  private readonly entries = new Map<number, Unpacked>();
  /** blocks inflated since start (cache misses) */
  inflated = 0;

  constructor(private readonly capacity = 4) {}

  /** A resident view of the packed segment `stub` whose block holding `word` is filled. */
  readAt(stub: Segment, word: number): Segment {
    const packed = stub.packed!;
    let entry = this.entries.get(stub.seq);
    if (entry) {
      this.entries.delete(stub.seq);
      this.entries.set(stub.seq, entry);
    } else {
      const u32 = new Uint32Array(stub.used);
      const seg: Segment = {
        seq: stub.seq,
        resident: true,
        sealed: true,
        u32,
        bytes: Buffer.from(u32.buffer),
        used: stub.used,
        maxOrd: stub.maxOrd,
        complex: stub.complex,
        complexBytes: 0,
        packed: undefined,
      };
      entry = { seg, loaded: new Uint8Array(packed.index.blocks.length), filled: 0 };
      this.entries.set(stub.seq, entry);
      while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    }
    const b = blockAt(packed.index, word);
    if (entry.loaded[b] === 0) {
      const info = packed.index.blocks[b]!;
      entry.seg.bytes.set(inflateBlock(packed.file.subarray(info.at, info.at + info.storedLen), info), info.word * 4);
      entry.loaded[b] = 1;
      entry.filled += info.rawLen;
      this.inflated++;
    }
    return entry.seg;
  }

  /** Forgets a segment (freed, or its packed form dropped). */
  drop(seq: number): void {
    this.entries.delete(seq);
  }

  /**
   * Bytes of the blocks inflated into the word arrays held: a segment-sized array is zero-filled
   * memory the system maps on first write, so the blocks never filled take none.
   */
  get bytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.filled;
    return n;
  }
}
