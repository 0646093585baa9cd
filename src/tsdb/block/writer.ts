// Writes one block in Prometheus's on-disk format (tsdb/docs/format/*.md in the Prometheus
// repository), so that promtool and a Prometheus server read it as their own:
//   <parent>/<ulid>/meta.json      the block's range, stats and compaction lineage
//   <parent>/<ulid>/chunks/000001  segments: magic 0x85BD40DD, version 1, 3 bytes padding, then
//                                  per chunk: uvarint length, encoding byte, data, CRC-32C of
//                                  encoding + data; a chunk ref is segment index << 32 | offset
//   <parent>/<ulid>/index          index version 2 (symbols, series, label indices, postings,
//                                  offset tables, TOC), each section CRC-32C checked
//   <parent>/<ulid>/tombstones     empty but valid
// Series arrive in label order (addSeries); chunk data streams to the segment files, the index is
// built in memory (it is small next to the chunks) and written at the end. Everything goes to
// <ulid>.tmp-for-creation, is fsynced, and is renamed into place: a crash leaves either the whole
// block or a temp directory that opening the database removes.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Labels } from '../../labels/labels.js';
import { crc32c } from '../../wal/crc32c.js';
import { fsyncDir } from '../../wal/wal.js';
import { ByteWriter, compareUtf8 } from './encoding.js';
import type { BlockMeta } from './meta.js';
import { newUlid } from './ulid.js';

export const CHUNKS_MAGIC = 0x85bd40dd;
export const INDEX_MAGIC = 0xbaaad700;
export const TOMBSTONES_MAGIC = 0x0130ba30;
/** chunk encoding byte of Prometheus's XOR chunks */
export const ENCODING_XOR = 1;
/** Prometheus's largest chunk segment (512 MiB) */
export const SEGMENT_BYTES = 512 * 1024 * 1024;
export const TMP_CREATION_SUFFIX = '.tmp-for-creation';
export const TMP_DELETION_SUFFIX = '.tmp-for-deletion';

/** One chunk to write: Prometheus XOR data and its first and last sample times. */
export interface ChunkToWrite {
  readonly minT: number;
  readonly maxT: number;
  readonly data: Uint8Array;
}

export interface BlockWriterOptions {
  readonly minTime: number;
  /** exclusive */
  readonly maxTime: number;
  readonly level?: number;
  /** the blocks this one was compacted from; none for a block cut from the head */
  readonly parents?: readonly BlockMeta[];
  /** segment size before a new chunks file is started (tests use small ones) */
  readonly segmentBytes?: number;
}

/** Orders label sets as Prometheus does (label by label, by UTF-8 bytes). */
export function compareLabelsUtf8(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareUtf8(a[i]!.name, b[i]!.name) || compareUtf8(a[i]!.value, b[i]!.value);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

interface SeriesEntry {
  readonly labels: Labels;
  readonly chunks: readonly { minT: number; maxT: number; ref: number }[];
}

const FLUSH_BYTES = 4 * 1024 * 1024;

export class BlockWriter {
  readonly ulid: string;
  readonly dir: string;
  private readonly tmp: string;
  private readonly segmentBytes: number;
  private readonly series: SeriesEntry[] = [];
  private segFd = -1;
  private segIndex = -1;
  private segPos = 0;
  private readonly out = new ByteWriter(FLUSH_BYTES + 65536);
  private numSamples = 0;
  private numChunks = 0;
  private finished = false;

  constructor(
    readonly parentDir: string,
    private readonly opts: BlockWriterOptions,
  ) {
    this.ulid = newUlid();
    this.dir = path.join(parentDir, this.ulid);
    this.tmp = this.dir + TMP_CREATION_SUFFIX;
    this.segmentBytes = opts.segmentBytes ?? SEGMENT_BYTES;
    mkdirSync(path.join(this.tmp, 'chunks'), { recursive: true });
  }

  /** Adds a series; calls must come in label order and each series' chunks in time order. */
  addSeries(labels: Labels, chunks: readonly ChunkToWrite[]): void {
    if (chunks.length === 0) return;
    const prev = this.series[this.series.length - 1];
    if (prev !== undefined && compareLabelsUtf8(prev.labels, labels) >= 0) {
      throw new Error('series must be added in increasing label order');
    }
    const metas: { minT: number; maxT: number; ref: number }[] = [];
    let lastMax = -Infinity;
    for (const c of chunks) {
      if (c.minT <= lastMax || c.maxT < c.minT) throw new Error('chunks must not overlap and must be in time order');
      lastMax = c.maxT;
      metas.push({ minT: c.minT, maxT: c.maxT, ref: this.writeChunk(c.data) });
      this.numSamples += (c.data[0]! << 8) | c.data[1]!;
    }
    this.numChunks += chunks.length;
    this.series.push({ labels, chunks: metas });
  }

  private writeChunk(data: Uint8Array): number {
    const size = 10 + 1 + data.length + 4;
    if (this.segFd < 0 || (this.segPos + size > this.segmentBytes && this.segPos > 8)) this.newSegment();
    const ref = this.segIndex * 4294967296 + this.segPos;
    const o = this.out;
    const start = o.len;
    o.uvarint(data.length);
    const encAt = o.len;
    o.byte(ENCODING_XOR);
    o.raw(data);
    o.be32(crc32c(o.bytes(), encAt, o.len));
    this.segPos += o.len - start;
    if (o.len >= FLUSH_BYTES) this.flush();
    return ref;
  }

  private newSegment(): void {
    if (this.segFd >= 0) this.closeSegment();
    this.segIndex++;
    const name = String(this.segIndex + 1).padStart(6, '0');
    this.segFd = openSync(path.join(this.tmp, 'chunks', name), 'w');
    this.out.be32(CHUNKS_MAGIC);
    this.out.byte(1);
    this.out.byte(0);
    this.out.byte(0);
    this.out.byte(0);
    this.segPos = 8;
  }

  private flush(): void {
    const b = this.out.bytes();
    let off = 0;
    while (off < b.length) off += writeSync(this.segFd, b, off, b.length - off);
    this.out.len = 0;
  }

  private closeSegment(): void {
    this.flush();
    fsyncSync(this.segFd);
    closeSync(this.segFd);
    this.segFd = -1;
  }

  /** Writes index, tombstones and meta.json, then renames the block into place; returns its meta. */
  finish(): BlockMeta {
    if (this.finished) throw new Error('block already finished');
    this.finished = true;
    try {
      if (this.segFd >= 0) this.closeSegment();
      writeFileSynced(path.join(this.tmp, 'index'), buildIndex(this.series));
      writeFileSynced(path.join(this.tmp, 'tombstones'), emptyTombstones());
      const parents = this.opts.parents ?? [];
      const sources =
        parents.length === 0 ? [this.ulid] : [...new Set(parents.flatMap((p) => p.compaction.sources))].sort();
      const meta: BlockMeta = {
        ulid: this.ulid,
        minTime: this.opts.minTime,
        maxTime: this.opts.maxTime,
        stats: { numSamples: this.numSamples, numSeries: this.series.length, numChunks: this.numChunks },
        compaction: {
          level: this.opts.level ?? 1,
          sources,
          ...(parents.length > 0
            ? { parents: parents.map((p) => ({ ulid: p.ulid, minTime: p.minTime, maxTime: p.maxTime })) }
            : {}),
        },
        version: 1,
      };
      writeFileSynced(path.join(this.tmp, 'meta.json'), new TextEncoder().encode(JSON.stringify(meta, null, '\t')));
      fsyncDir(path.join(this.tmp, 'chunks'));
      fsyncDir(this.tmp);
      renameSync(this.tmp, this.dir);
      fsyncDir(this.parentDir);
      return meta;
    } catch (e) {
      this.abort();
      throw e;
    }
  }

  /** Removes the temp directory (after a failure, e.g. ENOSPC). */
  abort(): void {
    this.finished = true;
    if (this.segFd >= 0) {
      try {
        closeSync(this.segFd);
      } catch {
        // already closed or never opened: nothing to release
      }
      this.segFd = -1;
    }
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

function writeFileSynced(file: string, bytes: Uint8Array): void {
  const fd = openSync(file, 'w');
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** magic, version 1, no tombstones, CRC-32C of the (empty) body. */
export function emptyTombstones(): Uint8Array {
  const w = new ByteWriter(16);
  w.be32(TOMBSTONES_MAGIC);
  w.byte(1);
  w.be32(crc32c(new Uint8Array(0)));
  return w.bytes().slice();
}

/** Starts a section with a 4-byte length; returns the position of that length. */
function beginSection(w: ByteWriter): number {
  const at = w.len;
  w.be32(0);
  return at;
}

/** Fills in the section's length and appends the CRC-32C of its body. */
function endSection(w: ByteWriter, at: number): void {
  const len = w.len - at - 4;
  w.be32At(at, len);
  w.be32(crc32c(w.bytes(), at + 4, w.len));
}

/** The index file for series sorted by labels. */
export function buildIndex(series: readonly SeriesEntry[]): Uint8Array {
  const w = new ByteWriter(1 << 20);
  w.be32(INDEX_MAGIC);
  w.byte(2);

  // Symbols: every label name and value, sorted by UTF-8 bytes; referenced by position.
  const symbolSet = new Set<string>();
  for (const s of series) for (const l of s.labels) symbolSet.add(l.name).add(l.value);
  const symbols = [...symbolSet].sort(compareUtf8);
  const symbolRef = new Map<string, number>();
  symbols.forEach((s, i) => symbolRef.set(s, i));
  const tocSymbols = w.len;
  let at = beginSection(w);
  w.be32(symbols.length);
  for (const s of symbols) w.str(s);
  endSection(w, at);

  // Series, each 16-byte aligned; its id is offset / 16.
  w.pad(16);
  const tocSeries = w.len;
  const ids: number[] = [];
  const body = new ByteWriter(256);
  for (const s of series) {
    w.pad(16);
    ids.push(w.len / 16);
    body.len = 0;
    body.uvarint(s.labels.length);
    for (const l of s.labels) {
      body.uvarint(symbolRef.get(l.name)!);
      body.uvarint(symbolRef.get(l.value)!);
    }
    body.uvarint(s.chunks.length);
    let prev: { minT: number; maxT: number; ref: number } | undefined;
    for (const c of s.chunks) {
      if (prev === undefined) {
        body.varint(c.minT);
        body.uvarint(c.maxT - c.minT);
        body.uvarint(c.ref);
      } else {
        body.uvarint(c.minT - prev.maxT);
        body.uvarint(c.maxT - c.minT);
        body.varint(c.ref - prev.ref);
      }
      prev = c;
    }
    const b = body.bytes();
    w.uvarint(b.length);
    w.raw(b);
    w.be32(crc32c(b));
  }

  // Postings per label pair (and the all-series list under the empty pair), and the values per name.
  const byName = new Map<string, Map<string, number[]>>();
  series.forEach((s, i) => {
    for (const l of s.labels) {
      let values = byName.get(l.name);
      if (values === undefined) byName.set(l.name, (values = new Map()));
      const list = values.get(l.value);
      if (list === undefined) values.set(l.value, [ids[i]!]);
      else list.push(ids[i]!);
    }
  });
  const names = [...byName.keys()].sort(compareUtf8);

  // Label indices (no longer read by Prometheus, written for older readers): one per name.
  w.pad(4);
  const tocLabelIndices = w.len;
  const labelIndexOffsets: number[] = [];
  for (const name of names) {
    w.pad(4);
    labelIndexOffsets.push(w.len);
    const values = [...byName.get(name)!.keys()].sort(compareUtf8);
    at = beginSection(w);
    w.be32(1);
    w.be32(values.length);
    for (const v of values) w.be32(symbolRef.get(v)!);
    endSection(w, at);
  }

  w.pad(4);
  const tocPostings = w.len;
  const postingsOffsets: { name: string; value: string; offset: number }[] = [];
  const writePostings = (name: string, value: string, list: readonly number[]): void => {
    w.pad(4);
    postingsOffsets.push({ name, value, offset: w.len });
    const a = beginSection(w);
    w.be32(list.length);
    for (const id of list) w.be32(id);
    endSection(w, a);
  };
  writePostings('', '', ids);
  for (const name of names) {
    const values = byName.get(name)!;
    for (const value of [...values.keys()].sort(compareUtf8)) writePostings(name, value, values.get(value)!);
  }

  const tocLabelTable = w.len;
  at = beginSection(w);
  w.be32(names.length);
  names.forEach((name, i) => {
    w.byte(1);
    w.str(name);
    w.uvarint(labelIndexOffsets[i]!);
  });
  endSection(w, at);

  const tocPostingsTable = w.len;
  at = beginSection(w);
  w.be32(postingsOffsets.length);
  for (const p of postingsOffsets) {
    w.byte(2);
    w.str(p.name);
    w.str(p.value);
    w.uvarint(p.offset);
  }
  endSection(w, at);

  const toc = w.len;
  w.be64(tocSymbols);
  w.be64(series.length > 0 ? tocSeries : 0);
  w.be64(tocLabelIndices);
  w.be64(tocLabelTable);
  w.be64(tocPostings);
  w.be64(tocPostingsTable);
  w.be32(crc32c(w.bytes(), toc, w.len));
  return w.bytes().slice();
}
