// The span data layout: append-only segments of 32-bit words. Each ingested batch writes one
// immutable record per trace it touches (spans packed back to back); records of one trace are
// chained newest → oldest, so nothing already written is ever changed. A segment is freed whole
// once every trace it holds has been dropped, which makes retention cheap and keeps the write
// path a plain append (the same records can later be written to a data directory as they are).
import type { AnyValue } from '../otlp/model.js';
import { UnpackCache, type PackedSegment } from './packed.js';

const scratchF64 = new Float64Array(1);
const scratchU32 = new Uint32Array(scratchF64.buffer);

export function readF64(u32: Uint32Array, o: number): number {
  scratchU32[0] = u32[o]!;
  scratchU32[1] = u32[o + 1]!;
  return scratchF64[0]!;
}

/** A growable word buffer that one record is encoded into before it is copied to a segment. */
export class WordBuf {
  u32: Uint32Array;
  bytes: Buffer;
  len = 0;
  /** array, kvlist and bytes values, referenced by index (they are rare; kept as objects) */
  complex: AnyValue[] = [];
  /** estimated bytes of the complex values */
  complexBytes = 0;

  constructor(initialWords = 4096) {
    this.u32 = new Uint32Array(initialWords);
    this.bytes = Buffer.from(this.u32.buffer);
  }

  reset(): void {
    this.len = 0;
    this.complex = [];
    this.complexBytes = 0;
  }

  ensure(words: number): void {
    if (this.len + words <= this.u32.length) return;
    let cap = this.u32.length * 2;
    while (cap < this.len + words) cap *= 2;
    const next = new Uint32Array(cap);
    next.set(this.u32.subarray(0, this.len));
    this.u32 = next;
    this.bytes = Buffer.from(next.buffer);
  }

  word(v: number): void {
    this.ensure(1);
    this.u32[this.len++] = v >>> 0;
  }

  f64(v: number): void {
    this.ensure(2);
    scratchF64[0] = v;
    this.u32[this.len++] = scratchU32[0]!;
    this.u32[this.len++] = scratchU32[1]!;
  }

  /** A length-prefixed UTF-8 string, padded to whole words. */
  str(s: string): void {
    this.ensure(1 + Math.ceil((s.length * 3) / 4));
    const n = s.length === 0 ? 0 : this.bytes.write(s, (this.len + 1) * 4, 'utf8');
    this.u32[this.len] = n;
    this.len += 1 + ((n + 3) >>> 2);
  }
}

export interface Segment {
  /** global sequence number; a record ref is seq * SEGMENT_REF_SPAN + word offset */
  readonly seq: number;
  /** false for a sealed segment whose words are only packed in memory or on disk (read back on demand) */
  readonly resident: boolean;
  /** true once the next segment was opened (or the store shut down): its records never change */
  sealed: boolean;
  readonly u32: Uint32Array;
  readonly bytes: Buffer;
  used: number;
  /** highest trace ordinal with a record here: the segment can go once that trace is dropped */
  maxOrd: number;
  readonly complex: AnyValue[];
  /** estimated bytes of the complex values */
  complexBytes: number;
  /** a sealed segment's words compressed (packed.ts), set when it is sealed; undefined once only on disk */
  packed: PackedSegment | undefined;
}

/** Segments are at most 2^26 words (256 MiB); refs stay exact doubles. */
export const SEGMENT_REF_SPAN = 2 ** 26;

/** A new empty segment of `words` words (in `reuse`, zeroed, when given one of that size). */
export function newSegment(seq: number, words: number, reuse?: Uint32Array): Segment {
  const u32 = reuse?.length === words ? reuse.fill(0) : new Uint32Array(words);
  return {
    seq,
    resident: true,
    sealed: false,
    u32,
    bytes: Buffer.from(u32.buffer),
    used: 0,
    maxOrd: -1,
    complex: [],
    complexBytes: 0,
    packed: undefined,
  };
}

const NO_WORDS = new Uint32Array(0);

/**
 * A non-resident stand-in for a sealed segment: what the arena keeps of it in memory. Kept packed,
 * it keeps its compressed words and complex values; otherwise it is read back from disk.
 */
export function stubOf(seg: Segment, keepPacked: boolean): Segment {
  const { seq, used, maxOrd } = seg;
  const packed = keepPacked ? seg.packed : undefined;
  return {
    seq,
    resident: false,
    sealed: true,
    u32: NO_WORDS,
    bytes: NO_BYTES,
    used,
    maxOrd,
    complex: packed ? seg.complex : [],
    complexBytes: packed ? seg.complexBytes : 0,
    packed,
  };
}

const NO_BYTES = Buffer.alloc(0);

/** Why segments are freed: retention time, size on disk, or memory (the byte budget, the memory limiter). */
export type FreeReason = 'time' | 'size' | 'memory';

/** Reads a sealed segment's data back from disk, at least the part holding the record at `word` (a cache in front of the files). */
export type SegmentLoader = (stub: Segment, word: number) => Segment;

export function readString(seg: Segment, o: number): string {
  const n = seg.u32[o]!;
  if (n === 0) return '';
  const start = (o + 1) * 4;
  return seg.bytes.toString('utf8', start, start + n);
}

/** Words taken by a length-prefixed string at o. */
export function stringWords(u32: Uint32Array, o: number): number {
  return 1 + ((u32[o]! + 3) >>> 2);
}

/** Parses 8 hex digits at s[i..i+8] to a uint32 (invalid digits read as 0). */
export function hexWord(s: string, i: number): number {
  let v = 0;
  for (let k = i; k < i + 8; k++) {
    const c = s.charCodeAt(k);
    let d = 0;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    v = v * 16 + d;
  }
  return v;
}

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

export function wordHex(w: number): string {
  return HEX[(w >>> 24) & 255]! + HEX[(w >>> 16) & 255]! + HEX[(w >>> 8) & 255]! + HEX[w & 255]!;
}

/** A trace ID's 32 lower-case hex digits, from its four words at u32[o..o+4]. */
export function traceIdHex(u32: Uint32Array, o: number): string {
  return wordHex(u32[o]!) + wordHex(u32[o + 1]!) + wordHex(u32[o + 2]!) + wordHex(u32[o + 3]!);
}

/**
 * The segment allocator: records are appended to the newest segment (a new one is opened when
 * a record does not fit), addressed by ref, and segments are freed whole from the oldest end.
 */
export class SegmentArena {
  /** live segments, oldest first; sequence numbers may have gaps where a segment was lost on disk */
  readonly segments: Segment[] = [];
  private nextSeq = 0;
  /** called with a segment when the next one is opened: it will not change any more */
  onSeal: ((seg: Segment) => void) | undefined;
  /** reads a non-resident segment that is not packed back (from disk) */
  loader: SegmentLoader | undefined;
  /** packed segments inflated for reads */
  readonly unpacked: UnpackCache;
  /**
   * Whether a sealed segment's plain words may be reused once it is compressed or evicted (false
   * while the data directory has yet to write them); default yes.
   */
  mayReuse: ((seg: Segment) => boolean) | undefined;
  /** a segment's words given up by compress or evict, reused by the next new segment */
  private spare: Uint32Array | undefined;

  /** segmentWords: size of a new segment (a larger record gets a segment of its own size) */
  constructor(
    private readonly segmentWords: number,
    unpackCacheSegments = 4,
  ) {
    this.unpacked = new UnpackCache(unpackCacheSegments);
  }

  /**
   * Copies the record at words [at, end) of buf (whose complex-base word is at at + complexBaseAt,
   * its complex values buf.complex[complexFrom, complexTo)) for trace ord; returns its ref.
   */
  append(
    buf: WordBuf,
    at: number,
    end: number,
    complexBaseAt: number,
    complexFrom: number,
    complexTo: number,
    complexBytes: number,
    ord: number,
  ): number {
    const words = end - at;
    let seg = this.segments[this.segments.length - 1];
    if (!seg || seg.sealed || seg.used + words > seg.u32.length) {
      if (seg) this.seal(seg);
      seg = this.openNew(words);
    }
    const off = seg.used;
    if (words <= 512) {
      // a plain loop beats creating a subarray view for the typical record of a few spans
      const src = buf.u32;
      const dst = seg.u32;
      for (let i = 0; i < words; i++) dst[off + i] = src[at + i]!;
    } else seg.u32.set(buf.u32.subarray(at, end), off);
    seg.u32[off + complexBaseAt] = seg.complex.length;
    for (let i = complexFrom; i < complexTo; i++) seg.complex.push(buf.complex[i]!);
    seg.complexBytes += complexBytes;
    seg.used += words;
    if (ord > seg.maxOrd) seg.maxOrd = ord;
    return seg.seq * SEGMENT_REF_SPAN + off;
  }

  /** The segment a ref points into, inflated or read back from disk when it is not resident. */
  segmentOf(ref: number): Segment {
    const seq = Math.floor(ref / SEGMENT_REF_SPAN);
    const seg = this.liveSegment(seq);
    if (seg.resident) return seg;
    const word = ref - seq * SEGMENT_REF_SPAN;
    return seg.packed ? this.unpacked.readAt(seg, word) : this.loader!(seg, word);
  }

  /** The live segment with this sequence number, resident or not. */
  private liveSegment(seq: number): Segment {
    const segs = this.segments;
    const i = seq - segs[0]!.seq;
    // without gaps the position is the sequence offset; after a lost segment, search
    if (segs[i]?.seq === seq) return segs[i];
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (segs[mid]!.seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return segs[lo]!;
  }

  /**
   * The segment the next `words` words go to, opened now (sealing the open one when they do not
   * fit): a batch's records are stored together, so a batch is in one segment.
   */
  prepare(words: number): Segment {
    const seg = this.open;
    if (seg && seg.used + words <= seg.u32.length) return seg;
    if (seg) this.seal(seg);
    return this.openNew(words);
  }

  /** A new open segment for at least `words` words, in the spare words when they fit. */
  private openNew(words: number): Segment {
    const size = Math.max(this.segmentWords, words);
    const spare = this.spare;
    if (spare?.length === size) this.spare = undefined;
    const seg = newSegment(this.nextSeq++, size, spare);
    this.segments.push(seg);
    return seg;
  }

  /**
   * Keeps a segment's plain words that leave memory for the next new segment: a segment's worth
   * of words is freed and allocated again every segment otherwise, and the allocator keeps such
   * freed blocks in the process (fragmented by smaller allocations in between) more than it
   * reuses them.
   */
  private keepSpare(seg: Segment): void {
    if (seg.resident && seg.u32.length === this.segmentWords && this.mayReuse?.(seg) !== false) this.spare = seg.u32;
  }

  /** Sequence numbers of new segments start above seq (a data directory's segments and logs use those below). */
  reserveSeqThrough(seq: number): void {
    this.nextSeq = Math.max(this.nextSeq, seq + 1);
  }

  /** The segment being written (undefined before the first record and after sealOpen). */
  get open(): Segment | undefined {
    const seg = this.segments[this.segments.length - 1];
    return seg && !seg.sealed ? seg : undefined;
  }

  /** Seals the open segment now, if it holds records (at shutdown, so that it reaches disk). */
  sealOpen(): void {
    const seg = this.open;
    if (seg && seg.used > 0) this.seal(seg);
  }

  private seal(seg: Segment): void {
    if (seg.sealed) return;
    seg.sealed = true;
    this.onSeal?.(seg);
  }

  /** Replaces a packed sealed segment's plain words by its packed form: reads inflate it from now on. */
  compress(seg: Segment): void {
    const i = this.segments.indexOf(seg);
    if (i < 0 || !seg.sealed || !seg.resident || !seg.packed) return;
    this.segments[i] = stubOf(seg, true);
    this.keepSpare(seg);
  }

  /** Lets a sealed segment's words (plain or packed) leave memory: it is read back through the loader from now on. */
  evict(seg: Segment): void {
    const i = this.segments.indexOf(seg);
    if (i < 0 || !seg.sealed || !(seg.resident || seg.packed)) return;
    this.segments[i] = stubOf(seg, false);
    this.unpacked.drop(seg.seq);
    this.keepSpare(seg);
  }

  /** Adds a sealed segment read from disk (loading a data directory, oldest first). */
  restore(stub: Segment): void {
    this.segments.push(stub);
    this.nextSeq = Math.max(this.nextSeq, stub.seq + 1);
  }

  get count(): number {
    return this.segments.length;
  }

  /** The highest trace ordinal in the oldest segment (dropping up to it frees that segment). */
  oldestMaxOrd(): number {
    return this.segments[0]!.maxOrd;
  }

  /** called with each segment freeBelow lets go, and why (its file can go too) */
  onFree: ((seg: Segment, reason: FreeReason) => void) | undefined;

  /** Frees the oldest segments whose traces are all below firstLive (never the open one). */
  freeBelow(firstLive: number, reason: FreeReason): void {
    const segs = this.segments;
    while (segs.length > 0 && segs[0]!.maxOrd < firstLive && (segs[0]!.sealed || segs.length > 1)) {
      const seg = segs.shift()!;
      this.unpacked.drop(seg.seq);
      this.onFree?.(seg, reason);
    }
  }

  /**
   * Bytes held in memory (plain words, packed words, complex values, ~100 B per stub, the inflated
   * cache) and 32-bit words stored.
   */
  usage(): { bytes: number; wordsUsed: number } {
    let bytes = this.unpacked.bytes;
    let wordsUsed = 0;
    for (const s of this.segments) {
      bytes += 100 + s.complexBytes + (s.resident ? s.u32.byteLength : 0) + (s.packed ? s.packed.file.byteLength : 0);
      wordsUsed += s.used;
    }
    return { bytes, wordsUsed };
  }
}
