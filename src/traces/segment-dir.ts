// The directory of sealed segment files (segment-file.ts): written once, read back on demand
// block by block (only the block of the record asked for is read and inflated) into a small
// cache of segments, deleted whole by retention. It tracks the bytes on
// disk for size retention. Writes go to a temporary name, are synced and then renamed, so a
// kill never leaves half a segment under a segment's name.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import {
  complexValues,
  decodeSegmentFile,
  encodeSegmentFile,
  indexSegmentFile,
  inflateBlock,
  segmentFileName,
  segmentSeqOf,
  type BlockInfo,
  type SegmentData,
  type SegmentIndex,
} from './segment-file.js';
import { blockAt, type PackedSegment } from './packed.js';
import { fsyncDir } from '../wal/index.js';

export interface SegmentFileInfo {
  readonly seq: number;
  readonly bytes: number;
}

export class SegmentDir {
  private readonly sizes = new Map<number, number>();
  /** where each held file's blocks are */
  private readonly indexes = new Map<number, SegmentIndex>();
  /** segments read back, least recently used first: their words, of which the blocks read so far are filled */
  private readonly cache = new Map<number, { data: SegmentData; loaded: Uint8Array }>();
  private totalBytes = 0;
  /** blocks read from disk (cache misses) since start */
  reads = 0;

  constructor(
    readonly dir: string,
    /** decoded segments kept (each about a segment's size in memory) */
    private readonly cacheSegments = 16,
    /** fsync a file before it takes its name (off only where a machine crash does not matter: tests) */
    private readonly sync = true,
  ) {
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir)) {
      if (name.endsWith('.tmp')) rmSync(path.join(dir, name), { force: true });
    }
  }

  /** The segment files present, oldest first (the next sequence number must be above all of them). */
  list(): SegmentFileInfo[] {
    const out: SegmentFileInfo[] = [];
    for (const name of readdirSync(this.dir)) {
      const seq = segmentSeqOf(name);
      if (seq === undefined) continue;
      const bytes = statSync(path.join(this.dir, name)).size;
      out.push({ seq, bytes });
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  /** Counts a listed file as held (its bytes count against size retention). */
  track(info: SegmentFileInfo): void {
    if (this.sizes.has(info.seq)) return;
    this.sizes.set(info.seq, info.bytes);
    this.totalBytes += info.bytes;
  }

  /**
   * Writes a sealed segment (`encoded`: its file bytes when they were made already); throws the
   * file system's error (ENOSPC, EIO), leaving no file behind.
   */
  write(data: SegmentData, encoded?: Buffer): number {
    const bytes = encoded ?? encodeSegmentFile(data);
    const final = path.join(this.dir, segmentFileName(data.seq));
    const tmp = `${final}.tmp`;
    try {
      const fd = openSync(tmp, 'w');
      try {
        let o = 0;
        while (o < bytes.length) o += writeSync(fd, bytes, o, bytes.length - o);
        if (this.sync) fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, final);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
    this.indexes.set(data.seq, indexSegmentFile(bytes));
    this.track({ seq: data.seq, bytes: bytes.length });
    return bytes.length;
  }

  /** Syncs the directory, so the names of the files written survive a machine crash. */
  syncDirectory(): void {
    if (this.sync) fsyncDir(this.dir);
  }

  /**
   * A whole segment, read and checked (on start), and its file bytes (its packed form in memory);
   * throws SegmentFileError or the file system's error.
   */
  read(seq: number): { data: SegmentData; packed: PackedSegment } {
    const file = readFileSync(path.join(this.dir, segmentFileName(seq)));
    const data = decodeSegmentFile(file);
    const index = indexSegmentFile(file);
    this.indexes.set(seq, index);
    return { data, packed: { file, index } };
  }

  /**
   * A segment whose block holding `word` is filled (other blocks may be zeros): from the cache,
   * or by reading that block. Throws when the file has gone or its block fails its check.
   */
  readAt(seq: number, word: number): SegmentData {
    const index = this.indexes.get(seq);
    if (!index) throw new Error(`trace segment ${seq}: no such file`);
    let entry = this.cache.get(seq);
    if (entry) {
      this.cache.delete(seq);
      this.cache.set(seq, entry);
    } else {
      const complex = index.complex ? complexValues(this.readBlock(seq, index.complex)) : [];
      const data: SegmentData = { seq, u32: new Uint32Array(index.used), complex, lastAppendMs: index.lastAppendMs };
      entry = this.remember(data, new Uint8Array(index.blocks.length));
    }
    const lo = blockAt(index, word);
    if (entry.loaded[lo] === 0) {
      const b = index.blocks[lo]!;
      const content = this.readBlock(seq, b);
      Buffer.from(entry.data.u32.buffer).set(content, b.word * 4);
      entry.loaded[lo] = 1;
    }
    return entry.data;
  }

  private readBlock(seq: number, b: BlockInfo): Buffer {
    const stored = Buffer.allocUnsafe(b.storedLen);
    const fd = openSync(path.join(this.dir, segmentFileName(seq)), 'r');
    try {
      let o = 0;
      while (o < b.storedLen) {
        const n = readSync(fd, stored, o, b.storedLen - o, b.at + o);
        if (n === 0) break;
        o += n;
      }
    } finally {
      closeSync(fd);
    }
    this.reads++;
    return inflateBlock(stored, b);
  }

  private remember(data: SegmentData, loaded: Uint8Array): { data: SegmentData; loaded: Uint8Array } {
    const entry = { data, loaded };
    this.cache.delete(data.seq);
    this.cache.set(data.seq, entry);
    while (this.cache.size > this.cacheSegments) this.cache.delete(this.cache.keys().next().value!);
    return entry;
  }

  /** Renames an unreadable segment file out of the way (kept for inspection); returns its new name. */
  setAside(seq: number): string {
    const from = path.join(this.dir, segmentFileName(seq));
    const to = `${from}.corrupt`;
    try {
      renameSync(from, to);
    } catch {
      // left where it is: it will be reported again on the next start
    }
    return to;
  }

  has(seq: number): boolean {
    return this.sizes.has(seq);
  }

  delete(seq: number): void {
    this.cache.delete(seq);
    this.indexes.delete(seq);
    const bytes = this.sizes.get(seq);
    if (bytes !== undefined) {
      this.sizes.delete(seq);
      this.totalBytes -= bytes;
    }
    rmSync(path.join(this.dir, segmentFileName(seq)), { force: true });
  }

  /** Bytes of the segment files held. */
  get bytes(): number {
    return this.totalBytes;
  }

  get files(): number {
    return this.sizes.size;
  }
}
