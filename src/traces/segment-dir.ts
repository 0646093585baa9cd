// The directory of sealed segment files (segment-file.ts): written once, read back on demand
// through a small cache of decoded segments, deleted whole by retention. It tracks the bytes on
// disk for size retention. Writes go to a temporary name, are synced and then renamed, so a
// kill never leaves half a segment under a segment's name.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import {
  decodeSegmentFile,
  encodeSegmentFile,
  segmentFileName,
  segmentSeqOf,
  type SegmentData,
} from './segment-file.js';

export interface SegmentFileInfo {
  readonly seq: number;
  readonly bytes: number;
}

export class SegmentDir {
  private readonly sizes = new Map<number, number>();
  /** decoded segments, least recently used first */
  private readonly cache = new Map<number, SegmentData>();
  private totalBytes = 0;
  /** segment reads from disk (cache misses) since start */
  reads = 0;

  constructor(
    readonly dir: string,
    /** decoded segments kept (each about a segment's size in memory) */
    private readonly cacheSegments = 4,
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

  /** Writes a sealed segment; throws the file system's error (ENOSPC, EIO), leaving no file behind. */
  write(data: SegmentData): number {
    const bytes = encodeSegmentFile(data);
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
    this.track({ seq: data.seq, bytes: bytes.length });
    return bytes.length;
  }

  /** A segment's data, from the cache or the file (throws SegmentFileError or the file system's error). */
  read(seq: number): SegmentData {
    const hit = this.cache.get(seq);
    if (hit) {
      this.cache.delete(seq);
      this.cache.set(seq, hit);
      return hit;
    }
    const data = decodeSegmentFile(readFileSync(path.join(this.dir, segmentFileName(seq))));
    this.reads++;
    this.remember(data);
    return data;
  }

  /** Puts a segment in the cache (one just decoded on load is likely to be read again). */
  remember(data: SegmentData): void {
    this.cache.delete(data.seq);
    this.cache.set(data.seq, data);
    while (this.cache.size > this.cacheSegments) this.cache.delete(this.cache.keys().next().value!);
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
