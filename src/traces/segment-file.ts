// The on-disk form of a sealed arena segment (arena.ts): the record words exactly as they are in
// memory, so loading one back is a decompression, never a re-encoding. Its records refer to the
// store's dictionary and origins by id; those live in the dictionary log beside the segments
// (trace-disk.ts), as they are shared by every segment.
//
// File <data-dir>/traces/segments/<seq as 16 hex digits>.seg, all integers little-endian:
//
//   header, 48 bytes
//     0   8  magic "ORRTRSEG"
//     8   4  format version (1)
//     12  4  number of blocks
//     16  8  segment sequence number (float64; record refs are seq * 2^26 + word offset)
//     24  4  words used
//     28  4  reserved (0)
//     32  8  wall clock (ms, float64) of the newest record: the first-seen time, for retention,
//           of the traces that first appear in this segment when it is loaded on start
//     40  4  reserved (0)
//     44  4  CRC-32 (IEEE) of bytes 0..44
//   blocks, in order, each
//     0   4  kind: 1 = record words, 2 = the segment's complex values (JSON array, value-json.ts)
//     4   4  length of the block's content before compression
//     8   4  stored length
//     12  4  CRC-32 (IEEE) of the stored bytes
//     16  …  stored bytes: the content, deflate-compressed (raw)
//
// The words are cut into blocks of whole records, at most BLOCK_WORDS each (a longer record is a
// block of its own), so that a read from disk inflates only the block of the record it wants.
// On load every block is checked before anything of the segment is used, so a corrupt file is
// refused whole and the store goes on without it; a later read checks the block it reads.
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { AnyValue } from '../otlp/model.js';
import { REC_HEADER_WORDS, REC_NSPANS, SP_WORDS } from './layout.js';
import { valueFromJson, valueToJson } from './value-json.js';

export const SEGMENT_MAGIC = 'ORRTRSEG';
export const SEGMENT_FORMAT_VERSION = 1;
const HEADER_BYTES = 48;
const BLOCK_HEADER_BYTES = 16;
/** 16 KiB of words: a search checking one trace inflates one block (smaller blocks compress a little worse) */
export const BLOCK_WORDS = 4 * 1024;
const KIND_WORDS = 1;
const KIND_COMPLEX = 2;
/** deflate level: 1 compresses a demo segment to a third at ~5 ms per MiB (levels above gain little) */
const LEVEL = 1;

/** What a segment file holds. */
export interface SegmentData {
  readonly seq: number;
  /** the used words only */
  readonly u32: Uint32Array;
  readonly complex: readonly AnyValue[];
  readonly lastAppendMs: number;
}

/** A file that is not a segment of this format, or whose checksums do not match. */
export class SegmentFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SegmentFileError';
  }
}

export function segmentFileName(seq: number): string {
  return `${seq.toString(16).padStart(16, '0')}.seg`;
}

/** The sequence number a segment file name says, or undefined for any other name. */
export function segmentSeqOf(name: string): number | undefined {
  const m = /^([0-9a-f]{16})\.seg$/.exec(name);
  return m ? parseInt(m[1]!, 16) : undefined;
}

/** Where one block of a segment file is and which words it holds. */
export interface BlockInfo {
  readonly kind: number;
  /** first word (words blocks) */
  readonly word: number;
  readonly rawLen: number;
  /** offset of the stored bytes in the file */
  readonly at: number;
  readonly storedLen: number;
  readonly crc: number;
}

/** A segment file's layout: what a read of one record needs to find its block. */
export interface SegmentIndex {
  readonly seq: number;
  readonly used: number;
  readonly lastAppendMs: number;
  /** words blocks in word order */
  readonly blocks: readonly BlockInfo[];
  readonly complex: BlockInfo | undefined;
}

/** The word where each block starts: records are never split (a longer record is a block of its own). */
function blockStarts(u32: Uint32Array): number[] {
  const starts: number[] = [];
  let blockStart = 0;
  for (let r = 0; r < u32.length;) {
    let end = r + REC_HEADER_WORDS;
    for (let n = u32[r + REC_NSPANS]!, k = 0; k < n && end < u32.length; k++) end += Math.max(1, u32[end + SP_WORDS]!);
    end = Math.min(end, u32.length);
    if (end - blockStart > BLOCK_WORDS && r > blockStart) {
      starts.push(blockStart);
      blockStart = r;
    }
    r = end;
  }
  if (u32.length > 0) starts.push(blockStart);
  return starts;
}

export function encodeSegmentFile(data: SegmentData): Buffer {
  const kinds: number[] = [];
  const rawLens: number[] = [];
  const stored: Buffer[] = [];
  const add = (kind: number, content: Buffer): void => {
    kinds.push(kind);
    rawLens.push(content.length);
    stored.push(deflateRawSync(content, { level: LEVEL }));
  };
  const bytes = Buffer.from(data.u32.buffer, data.u32.byteOffset, data.u32.byteLength);
  const starts = blockStarts(data.u32);
  for (let i = 0; i < starts.length; i++) {
    const end = i + 1 < starts.length ? starts[i + 1]! : data.u32.length;
    add(KIND_WORDS, bytes.subarray(starts[i]! * 4, end * 4));
  }
  if (data.complex.length > 0) add(KIND_COMPLEX, Buffer.from(JSON.stringify(data.complex.map(valueToJson)), 'utf8'));
  // each block's compressed bytes are copied once, into the file
  let size = HEADER_BYTES;
  for (const b of stored) size += BLOCK_HEADER_BYTES + b.length;
  const file = Buffer.allocUnsafe(size);
  file.fill(0, 0, HEADER_BYTES);
  file.write(SEGMENT_MAGIC, 0, 'latin1');
  file.writeUInt32LE(SEGMENT_FORMAT_VERSION, 8);
  file.writeUInt32LE(stored.length, 12);
  file.writeDoubleLE(data.seq, 16);
  file.writeUInt32LE(data.u32.length, 24);
  file.writeDoubleLE(data.lastAppendMs, 32);
  file.writeUInt32LE(crc32(file.subarray(0, 44)), 44);
  let o = HEADER_BYTES;
  for (let i = 0; i < stored.length; i++) {
    const b = stored[i]!;
    file.writeUInt32LE(kinds[i]!, o);
    file.writeUInt32LE(rawLens[i]!, o + 4);
    file.writeUInt32LE(b.length, o + 8);
    file.writeUInt32LE(crc32(b), o + 12);
    b.copy(file, o + BLOCK_HEADER_BYTES);
    o += BLOCK_HEADER_BYTES + b.length;
  }
  return file;
}

/** Reads a segment file's header and block headers (no block is inflated or checked). */
export function indexSegmentFile(file: Buffer): SegmentIndex {
  if (file.length < HEADER_BYTES) throw new SegmentFileError(`${file.length} bytes: shorter than the header`);
  if (file.toString('latin1', 0, 8) !== SEGMENT_MAGIC) throw new SegmentFileError('not a trace segment (magic)');
  if (file.readUInt32LE(44) !== crc32(file.subarray(0, 44))) throw new SegmentFileError('header checksum mismatch');
  const version = file.readUInt32LE(8);
  if (version !== SEGMENT_FORMAT_VERSION) throw new SegmentFileError(`format version ${version} is not supported`);
  const nBlocks = file.readUInt32LE(12);
  const blocks: BlockInfo[] = [];
  let complex: BlockInfo | undefined;
  let word = 0;
  let o = HEADER_BYTES;
  for (let b = 0; b < nBlocks; b++) {
    if (o + BLOCK_HEADER_BYTES > file.length) throw new SegmentFileError(`block ${b} of ${nBlocks}: file truncated`);
    const info: BlockInfo = {
      kind: file.readUInt32LE(o),
      word,
      rawLen: file.readUInt32LE(o + 4),
      storedLen: file.readUInt32LE(o + 8),
      crc: file.readUInt32LE(o + 12),
      at: o + BLOCK_HEADER_BYTES,
    };
    if (info.at + info.storedLen > file.length) throw new SegmentFileError(`block ${b} of ${nBlocks}: file truncated`);
    if (info.kind === KIND_WORDS) {
      if (info.rawLen % 4 !== 0) throw new SegmentFileError(`block ${b}: not whole words`);
      blocks.push(info);
      word += info.rawLen / 4;
    } else if (info.kind === KIND_COMPLEX) complex = info;
    else throw new SegmentFileError(`block ${b}: unknown kind ${info.kind}`);
    o = info.at + info.storedLen;
  }
  const used = file.readUInt32LE(24);
  if (word !== used) throw new SegmentFileError(`${word} words in blocks, header says ${used}`);
  return { seq: file.readDoubleLE(16), used, lastAppendMs: file.readDoubleLE(32), blocks, complex };
}

/** Checks and inflates one block's stored bytes. */
export function inflateBlock(stored: Buffer, info: BlockInfo): Buffer {
  if (stored.length !== info.storedLen || crc32(stored) !== info.crc)
    throw new SegmentFileError(`block at byte ${info.at}: checksum mismatch`);
  const content = inflateRawSync(stored);
  if (content.length !== info.rawLen)
    throw new SegmentFileError(`block at byte ${info.at}: ${content.length} bytes, header says ${info.rawLen}`);
  return content;
}

/** The complex values of a complex block's content. */
export function complexValues(content: Buffer): AnyValue[] {
  const parsed: unknown = JSON.parse(content.toString('utf8'));
  if (!Array.isArray(parsed)) throw new SegmentFileError('complex values are not a list');
  return parsed.map((j) => valueFromJson(j));
}

/** Reads a segment file, checking everything; throws SegmentFileError saying what is wrong. */
export function decodeSegmentFile(file: Buffer): SegmentData {
  const index = indexSegmentFile(file);
  const u32 = new Uint32Array(index.used);
  const out = Buffer.from(u32.buffer);
  for (const b of index.blocks) inflateBlock(file.subarray(b.at, b.at + b.storedLen), b).copy(out, b.word * 4);
  const c = index.complex;
  const complex = c ? complexValues(inflateBlock(file.subarray(c.at, c.at + c.storedLen), c)) : [];
  return { seq: index.seq, u32, complex, lastAppendMs: index.lastAppendMs };
}
