// A stream's records in time-bounded chunks. The open chunk (the head) appends to an
// uncompressed block; when it reaches its target size it is cut: the block is compressed with
// DEFLATE (node:zlib) and the chunk becomes read-only. Every chunk keeps, uncompressed, what
// lets a query skip it without inflating it: its time bounds and the sorted 32-bit hashes of the
// trace and span IDs of its records (a match is then checked against the records themselves).
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Label } from '../labels/labels.js';
import { hashString } from '../traces/intern.js';
import { BlockCursor, BlockWriter, type RecordFields, type SymbolTable } from './block.js';

/**
 * DEFLATE level: 1 compresses these blocks (repetitive lines and metadata) to within a few
 * percent of level 6 at a fraction of the cost, and ingest pays it on every chunk cut.
 */
const COMPRESSION_LEVEL = 1;

/** The hash a chunk indexes for a trace or span ID (lower-case hex). */
export function idHash(id: string): number {
  return hashString(id);
}

export class Chunk {
  minT = Infinity;
  maxT = -Infinity;
  count = 0;
  /** bytes of the lines (what bytes_over_time and /index/stats count) */
  lineBytes = 0;
  /** wall-clock ms of the last append (retention counts from it) */
  lastWriteMs = 0;
  /** per origin: the resource and scope metadata its records share */
  readonly origins: Label[][] = [];
  private readonly originIds = new Map<string, number>();
  private writer: BlockWriter | undefined = new BlockWriter(1024);
  private hashSet: Set<number> | undefined = new Set();
  private compressed: Buffer | undefined;
  private hashes: Uint32Array | undefined;
  /** uncompressed length of the block */
  rawBytes = 0;
  private originBytes = 0;

  constructor(
    readonly id: number,
    readonly streamId: number,
    /** size of the line 4-gram filter (bytes, a power of two) */
    gramBytes = 16 * 1024,
  ) {
    this.grams = new Uint8Array(gramBytes);
    this.gramShift = 32 - Math.log2(gramBytes * 8);
  }

  /**
   * A one-hash Bloom filter of the lines' 4-grams (UTF-16 code units; trigrams of hex IDs would
   * fill it, there being only 4,096 of them): a needle of n 4-grams
   * that is in no line of the chunk is missed by all n bits with probability about f^n, f the
   * filter's fill, so a rare needle skips the chunk without inflating it.
   */
  private readonly grams: Uint8Array;
  private readonly gramShift: number;

  private addGrams(line: string): void {
    const g = this.grams;
    const shift = this.gramShift;
    // four characters' low bytes packed into one int, rolled along the line; a multiplicative
    // hash of it picks the bit (needles are hashed the same way, so non-ASCII only collides more)
    let packed = 0;
    for (let i = 0; i < line.length; i++) {
      packed = (packed << 8) | (line.charCodeAt(i) & 0xff);
      if (i < 3) continue;
      const h = Math.imul(packed, 0x9e3779b1) >>> shift;
      g[h >>> 3]! |= 1 << (h & 7);
    }
  }

  /** False when no line of the chunk can contain `needle` (true: it may). */
  mayContainText(needle: string): boolean {
    const g = this.grams;
    const shift = this.gramShift;
    let packed = 0;
    for (let i = 0; i < needle.length; i++) {
      packed = (packed << 8) | (needle.charCodeAt(i) & 0xff);
      if (i < 3) continue;
      const h = Math.imul(packed, 0x9e3779b1) >>> shift;
      if ((g[h >>> 3]! & (1 << (h & 7))) === 0) return false;
    }
    return true;
  }

  /** The chunk-local origin index of a resource + scope metadata list (interned by its key). */
  originOf(key: string, metadata: () => Label[]): number {
    let id = this.originIds.get(key);
    if (id === undefined) {
      const md = metadata();
      id = this.origins.length;
      this.origins.push(md);
      this.originIds.set(key, id);
      for (const l of md) this.originBytes += 2 * (l.name.length + l.value.length) + 48;
    }
    return id;
  }

  append(r: RecordFields, lineBytes: number, symbols: SymbolTable, nowMs: number): void {
    const w = this.writer;
    if (!w) throw new Error('append to a cut chunk');
    w.append(r, symbols);
    this.rawBytes = w.length;
    if (r.timeNs < this.minT) this.minT = r.timeNs;
    if (r.timeNs > this.maxT) this.maxT = r.timeNs;
    this.count++;
    this.lineBytes += lineBytes;
    this.addGrams(r.line);
    this.lastWriteMs = nowMs;
    if (r.traceId !== '') this.hashSet!.add(idHash(r.traceId));
    if (r.spanId !== '') this.hashSet!.add(idHash(r.spanId));
  }

  /** Compresses the block and freezes the chunk. */
  cut(): void {
    const w = this.writer;
    if (!w) return;
    this.compressed = deflateRawSync(w.bytes(), { level: COMPRESSION_LEVEL });
    this.hashes = Uint32Array.from(this.hashSet!).sort();
    this.writer = undefined;
    this.hashSet = undefined;
    this.originIds.clear();
  }

  /** Estimated memory held: block (compressed once cut), hash index, origins, bookkeeping. */
  get bytes(): number {
    const data = this.writer ? this.writer.buf.length : this.compressed!.length;
    const index = this.hashSet ? this.hashSet.size * 16 : this.hashes!.length * 4;
    return data + index + this.grams.length + this.originBytes + 200;
  }

  /** Whether the chunk may hold a record with this trace or span ID (false: it certainly does not). */
  mayContainId(id: string): boolean {
    const h = idHash(id);
    if (this.hashSet) return this.hashSet.has(h);
    const a = this.hashes!;
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = a[mid]!;
      if (v === h) return true;
      if (v < h) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** The uncompressed block (inflated for a cut chunk, a view of the head's bytes otherwise). */
  block(): Buffer {
    if (this.writer) return this.writer.bytes();
    return inflateRawSync(this.compressed!);
  }

  cursor(symbols: SymbolTable, block = this.block()): BlockCursor {
    return new BlockCursor(block, symbols);
  }
}
