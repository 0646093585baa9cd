// Reads a block in Prometheus's format (see writer.ts) and answers the storage Querier over it.
// Opening checks meta.json, the index's magic, version, TOC and the CRC-32C of the symbol table
// and postings offset table, and every chunk segment's header; a block failing any of these is
// refused with a CorruptError (the database logs and skips it). Series entries, postings lists and
// chunks are checked against their CRC-32C when read, and a bad one throws CorruptError too.
// The index is held in memory (it is small); chunks are read from the segment files on demand.
import { closeSync, fstatSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Labels } from '../../labels/labels.js';
import type { Matcher } from '../../labels/matcher.js';
import type { SeriesSamples } from '../../storage/storage.js';
import { merge, postingsForMatchers, type Postings, type PostingsIndex } from '../postings.js';
import { crc32c } from '../../wal/crc32c.js';
import { ByteReader, CorruptError, compareUtf8 } from './encoding.js';
import { parseMeta, type BlockMeta } from './meta.js';
import { CHUNKS_MAGIC, ENCODING_XOR, INDEX_MAGIC } from './writer.js';
import { mergeSelect, type ChunkedSeries } from '../select-merge.js';

const TWO32 = 4294967296;
const TOC_BYTES = 6 * 8 + 4;

export interface ChunkMeta {
  readonly minT: number;
  readonly maxT: number;
  readonly ref: number;
}

export interface BlockSeries {
  readonly labels: Labels;
  readonly chunks: readonly ChunkMeta[];
}

interface Segment {
  readonly fd: number;
  readonly size: number;
}

/** Checks a section that starts with a 4-byte length and ends with the CRC-32C of its body. */
function section(buf: Uint8Array, at: number, what: string): ByteReader {
  const head = new ByteReader(buf, at);
  const len = head.be32();
  const body = new ByteReader(buf, at + 4, at + 4 + len);
  const crc = new ByteReader(buf, at + 4 + len).be32();
  if (crc32c(buf, at + 4, at + 4 + len) !== crc) throw new CorruptError(`index: ${what} checksum mismatch`);
  return body;
}

/** Chunks further apart than this (start to start) are read apart, not with the bytes between. */
const MAX_READ_STEP = 4096;
/** The most one read spans from its first chunk's start. */
const MAX_READ_WINDOW = 1 << 20;

/**
 * The data of the chunk record at buf[off…] (uvarint length, encoding, data, CRC-32C); undefined
 * when the record runs past the end of buf (read more); CorruptError when it is invalid.
 */
function parseChunk(buf: Uint8Array, off: number): Uint8Array | undefined {
  if (off >= buf.length) return undefined;
  const r = new ByteReader(buf, off);
  let len: number;
  try {
    len = r.uvarint();
  } catch {
    return undefined;
  }
  if (r.pos + 1 + len + 4 > buf.length) return undefined;
  const encAt = r.pos;
  if (r.byte() !== ENCODING_XOR) throw new CorruptError('chunk encoding is not XOR');
  const data = r.bytes(len);
  if (r.be32() !== crc32c(buf, encAt, encAt + 1 + len)) throw new CorruptError('chunk checksum mismatch');
  return data;
}

export class Block implements PostingsIndex {
  readonly meta: BlockMeta;
  /** bytes on disk (index, chunks, meta, tombstones) */
  readonly bytes: number;
  private readonly index: Uint8Array;
  private readonly symbols: string[];
  /** label name → its values (sorted) and the postings offsets of each */
  private readonly postingsTable = new Map<string, { values: string[]; offsets: number[] }>();
  private readonly segments: Segment[] = [];
  private closed = false;

  private constructor(readonly dir: string) {
    this.meta = parseMeta(readFileSync(path.join(dir, 'meta.json'), 'utf8'));
    this.index = readFileSync(path.join(dir, 'index'));
    const b = this.index;
    const h = new ByteReader(b);
    if (h.be32() !== INDEX_MAGIC) throw new CorruptError('index: bad magic');
    const version = h.byte();
    if (version !== 2) throw new CorruptError(`index: unsupported version ${version}`);
    if (b.length < 5 + TOC_BYTES) throw new CorruptError('index: too short for a TOC');
    const tocAt = b.length - TOC_BYTES;
    const toc = new ByteReader(b, tocAt);
    const refs = [toc.be64(), toc.be64(), toc.be64(), toc.be64(), toc.be64(), toc.be64()];
    if (toc.be32() !== crc32c(b, tocAt, tocAt + 48)) throw new CorruptError('index: TOC checksum mismatch');
    const [symbolsAt, , , , , postingsTableAt] = refs as [number, number, number, number, number, number];
    for (const r of refs) if (r > tocAt) throw new CorruptError('index: TOC points past the end');

    const sym = section(b, symbolsAt, 'symbol table');
    const n = sym.be32();
    this.symbols = new Array<string>(n);
    for (let i = 0; i < n; i++) this.symbols[i] = sym.str();

    if (postingsTableAt !== 0) {
      const pt = section(b, postingsTableAt, 'postings offset table');
      const entries = pt.be32();
      for (let i = 0; i < entries; i++) {
        if (pt.byte() !== 2) throw new CorruptError('index: postings offset entry without 2 keys');
        const name = pt.str();
        const value = pt.str();
        const offset = pt.uvarint();
        let e = this.postingsTable.get(name);
        if (e === undefined) this.postingsTable.set(name, (e = { values: [], offsets: [] }));
        const last = e.values[e.values.length - 1];
        if (last !== undefined && compareUtf8(last, value) >= 0)
          throw new CorruptError('index: postings offset table out of order');
        e.values.push(value);
        e.offsets.push(offset);
      }
    }

    let bytes = this.index.length;
    const chunkDir = path.join(dir, 'chunks');
    const files = readdirSync(chunkDir)
      .filter((f) => /^\d{6}$/.test(f))
      .sort();
    try {
      for (const f of files) {
        const fd = openSync(path.join(chunkDir, f), 'r');
        const size = fstatSync(fd).size;
        this.segments.push({ fd, size });
        const header = new Uint8Array(8);
        if (size < 8 || readSync(fd, header, 0, 8, 0) !== 8)
          throw new CorruptError(`chunks/${f}: shorter than its header`);
        const hr = new ByteReader(header);
        if (hr.be32() !== CHUNKS_MAGIC) throw new CorruptError(`chunks/${f}: bad magic`);
        if (hr.byte() !== 1) throw new CorruptError(`chunks/${f}: unsupported version`);
        bytes += size;
      }
    } catch (e) {
      this.close();
      throw e;
    }
    for (const f of ['meta.json', 'tombstones']) {
      try {
        bytes += statSync(path.join(dir, f)).size;
      } catch {
        // a missing tombstones file means no tombstones, as for Prometheus
      }
    }
    this.bytes = bytes;
  }

  /** Opens a block directory; throws CorruptError (or a file system error) when it is unreadable. */
  static open(dir: string): Block {
    return new Block(dir);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.segments) closeSync(s.fd);
  }

  get minTime(): number {
    return this.meta.minTime;
  }

  /** exclusive */
  get maxTime(): number {
    return this.meta.maxTime;
  }

  overlaps(mint: number, maxt: number): boolean {
    return this.meta.minTime <= maxt && mint < this.meta.maxTime;
  }

  // ---- postings (PostingsIndex) ----

  private postingsAt(offset: number): number[] {
    const r = section(this.index, offset, 'postings list');
    const n = r.be32();
    if (n * 4 > r.remaining) throw new CorruptError('index: postings list longer than its section');
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = r.be32();
    return out;
  }

  get(name: string, value: string): Postings {
    const e = this.postingsTable.get(name);
    if (e === undefined) return [];
    // binary search in UTF-8 order
    let lo = 0;
    let hi = e.values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareUtf8(e.values[mid]!, value) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo < e.values.length && e.values[lo] === value ? this.postingsAt(e.offsets[lo]!) : [];
  }

  allPostings(): Postings {
    return this.get('', '');
  }

  forValues(name: string, accept: (value: string) => boolean): Postings {
    const e = this.postingsTable.get(name);
    if (e === undefined || name === '') return [];
    const lists: Postings[] = [];
    for (let i = 0; i < e.values.length; i++) if (accept(e.values[i]!)) lists.push(this.postingsAt(e.offsets[i]!));
    return merge(lists);
  }

  // ---- series and chunks ----

  private symbol(ref: number): string {
    const s = this.symbols[ref];
    if (s === undefined) throw new CorruptError(`index: symbol ${ref} out of range`);
    return s;
  }

  /** The series with this id (its offset / 16 in the index). */
  series(id: number): BlockSeries {
    const b = this.index;
    const at = id * 16;
    const lr = new ByteReader(b, at);
    const len = lr.uvarint();
    const r = new ByteReader(b, lr.pos, lr.pos + len);
    const crc = new ByteReader(b, lr.pos + len).be32();
    if (crc32c(b, lr.pos, lr.pos + len) !== crc) throw new CorruptError(`index: series ${id} checksum mismatch`);
    const nl = r.uvarint();
    const labels: { name: string; value: string }[] = [];
    for (let i = 0; i < nl; i++) labels.push({ name: this.symbol(r.uvarint()), value: this.symbol(r.uvarint()) });
    const nc = r.uvarint();
    const chunks: ChunkMeta[] = [];
    let minT = 0;
    let maxT = 0;
    let ref = 0;
    for (let i = 0; i < nc; i++) {
      if (i === 0) {
        minT = r.varint();
        maxT = minT + r.uvarint();
        ref = r.uvarint();
      } else {
        minT = maxT + r.uvarint();
        maxT = minT + r.uvarint();
        ref += r.varint();
      }
      chunks.push({ minT, maxT, ref });
    }
    return { labels, chunks };
  }

  /**
   * Reads the data of chunks (of one series, or of many in the order they were written): chunks
   * that follow each other in a segment closely come in one read. A selection of thousands of
   * series took one read per series and block, 14 % of a 24-hour quantile query's time.
   */
  private chunkData(chunks: readonly ChunkMeta[]): Uint8Array[] {
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < chunks.length) {
      const seg = Math.floor(chunks[i]!.ref / TWO32);
      const s = this.segments[seg];
      if (s === undefined) throw new CorruptError(`chunk ref ${chunks[i]!.ref} names a missing segment`);
      let j = i + 1;
      while (
        j < chunks.length &&
        Math.floor(chunks[j]!.ref / TWO32) === seg &&
        chunks[j]!.ref >= chunks[j - 1]!.ref &&
        chunks[j]!.ref - chunks[j - 1]!.ref <= MAX_READ_STEP &&
        chunks[j]!.ref - chunks[i]!.ref <= MAX_READ_WINDOW
      )
        j++;
      const first = chunks[i]!.ref - seg * TWO32;
      const last = chunks[j - 1]!.ref - seg * TWO32;
      // Chunks are written one after the other: one read through the last one's likely end; a
      // chunk found longer than that is read again on its own.
      const win = this.read(s, first, Math.min(s.size, last + 1024));
      for (let k = i; k < j; k++) {
        const pos = chunks[k]!.ref - seg * TWO32;
        if (pos < 8 || pos >= s.size) throw new CorruptError('chunk ref past the end of its segment');
        out.push(parseChunk(win, pos - first) ?? this.readOneChunk(s, pos));
      }
      i = j;
    }
    return out;
  }

  private readOneChunk(s: Segment, pos: number): Uint8Array {
    const head = this.read(s, pos, Math.min(s.size, pos + 10));
    const len = new ByteReader(head).uvarint();
    const whole = this.read(s, pos, Math.min(s.size, pos + 10 + 1 + len + 4));
    const data = parseChunk(whole, 0);
    if (data === undefined) throw new CorruptError('chunk runs past the end of its segment');
    return data;
  }

  private read(s: Segment, from: number, to: number): Uint8Array {
    const buf = new Uint8Array(Math.max(0, to - from));
    let got = 0;
    while (got < buf.length) {
      const n = readSync(s.fd, buf, got, buf.length - got, from + got);
      if (n === 0) break;
      got += n;
    }
    return got === buf.length ? buf : buf.subarray(0, got);
  }

  /** Series matching the matchers with a chunk overlapping [mint, maxt], in label order. */
  private matching(matchers: readonly Matcher[], mint: number, maxt: number): BlockSeries[] {
    const out: BlockSeries[] = [];
    if (!this.overlaps(mint, maxt)) return out;
    for (const id of postingsForMatchers(this, matchers)) {
      const s = this.series(id);
      if (s.chunks.some((c) => c.minT <= maxt && c.maxT >= mint)) out.push(s);
    }
    return out;
  }

  /** The samples of matching series in [mint, maxt] (inclusive), in label order. */
  select(matchers: readonly Matcher[], mint: number, maxt: number): SeriesSamples[] {
    return mergeSelect([this.selectChunks(matchers, mint, maxt)], mint, maxt);
  }

  /**
   * Matching series with the data of their chunks overlapping [mint, maxt], in label order,
   * for decoding by the caller (the database merges blocks and head into one set of arrays).
   */
  selectChunks(matchers: readonly Matcher[], mint: number, maxt: number): ChunkedSeries[] {
    const series = this.matching(matchers, mint, maxt);
    // The chunks of all matching series at once, in the order they were written (label order).
    const wanted: ChunkMeta[] = [];
    const counts: number[] = [];
    for (const s of series) {
      const before = wanted.length;
      for (const c of s.chunks) if (c.minT <= maxt && c.maxT >= mint) wanted.push(c);
      counts.push(wanted.length - before);
    }
    const data = this.chunkData(wanted);
    const out: ChunkedSeries[] = [];
    let k = 0;
    series.forEach((s, i) => {
      const n = counts[i]!;
      out.push({ labels: s.labels, minT: wanted[k]!.minT, chunks: data.slice(k, k + n) });
      k += n;
    });
    return out;
  }

  /** Label sets of matching series with data in [mint, maxt], in label order. */
  seriesLabels(matchers: readonly Matcher[], mint: number, maxt: number): Labels[] {
    return this.matching(matchers, mint, maxt).map((s) => s.labels);
  }

  /** Every series in label order with its chunk metas (for compaction). */
  *allSeries(): Generator<BlockSeries> {
    for (const id of this.allPostings()) yield this.series(id);
  }

  /** The raw Prometheus XOR data of a series' chunks (for compaction, which copies them). */
  readChunks(chunks: readonly ChunkMeta[]): Uint8Array[] {
    return this.chunkData(chunks);
  }

  labelNames(matchers: readonly Matcher[], mint: number, maxt: number): string[] {
    if (!this.overlaps(mint, maxt)) return [];
    if (matchers.length === 0) return [...this.postingsTable.keys()].filter((n) => n !== '');
    const names = new Set<string>();
    for (const s of this.matching(matchers, mint, maxt)) for (const l of s.labels) names.add(l.name);
    return [...names];
  }

  labelValues(name: string, matchers: readonly Matcher[], mint: number, maxt: number): string[] {
    if (!this.overlaps(mint, maxt)) return [];
    if (matchers.length === 0) return name === '' ? [] : [...(this.postingsTable.get(name)?.values ?? [])];
    const values = new Set<string>();
    for (const s of this.matching(matchers, mint, maxt))
      for (const l of s.labels) if (l.name === name) values.add(l.value);
    return [...values];
  }
}
