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
// The words are cut into blocks of at most BLOCK_WORDS; every block is checked before anything
// of the segment is used, so a corrupt file is refused whole and the store goes on without it.
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { AnyValue } from '../otlp/model.js';
import { valueFromJson, valueToJson } from './value-json.js';

export const SEGMENT_MAGIC = 'ORRTRSEG';
export const SEGMENT_FORMAT_VERSION = 1;
const HEADER_BYTES = 48;
const BLOCK_HEADER_BYTES = 16;
const BLOCK_WORDS = 64 * 1024;
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

export function encodeSegmentFile(data: SegmentData): Buffer {
  const blocks: Buffer[] = [];
  const bytes = Buffer.from(data.u32.buffer, data.u32.byteOffset, data.u32.byteLength);
  for (let w = 0; w < data.u32.length; w += BLOCK_WORDS) {
    blocks.push(block(KIND_WORDS, bytes.subarray(w * 4, Math.min(data.u32.length, w + BLOCK_WORDS) * 4)));
  }
  if (data.complex.length > 0) {
    blocks.push(block(KIND_COMPLEX, Buffer.from(JSON.stringify(data.complex.map(valueToJson)), 'utf8')));
  }
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(SEGMENT_MAGIC, 0, 'latin1');
  header.writeUInt32LE(SEGMENT_FORMAT_VERSION, 8);
  header.writeUInt32LE(blocks.length, 12);
  header.writeDoubleLE(data.seq, 16);
  header.writeUInt32LE(data.u32.length, 24);
  header.writeDoubleLE(data.lastAppendMs, 32);
  header.writeUInt32LE(crc32(header.subarray(0, 44)), 44);
  return Buffer.concat([header, ...blocks]);
}

function block(kind: number, content: Buffer): Buffer {
  const stored = deflateRawSync(content, { level: LEVEL });
  const h = Buffer.alloc(BLOCK_HEADER_BYTES);
  h.writeUInt32LE(kind, 0);
  h.writeUInt32LE(content.length, 4);
  h.writeUInt32LE(stored.length, 8);
  h.writeUInt32LE(crc32(stored), 12);
  return Buffer.concat([h, stored]);
}

/** Reads a segment file, checking everything; throws SegmentFileError saying what is wrong. */
export function decodeSegmentFile(file: Buffer): SegmentData {
  if (file.length < HEADER_BYTES) throw new SegmentFileError(`${file.length} bytes: shorter than the header`);
  if (file.toString('latin1', 0, 8) !== SEGMENT_MAGIC) throw new SegmentFileError('not a trace segment (magic)');
  if (file.readUInt32LE(44) !== crc32(file.subarray(0, 44))) throw new SegmentFileError('header checksum mismatch');
  const version = file.readUInt32LE(8);
  if (version !== SEGMENT_FORMAT_VERSION) throw new SegmentFileError(`format version ${version} is not supported`);
  const nBlocks = file.readUInt32LE(12);
  const seq = file.readDoubleLE(16);
  const used = file.readUInt32LE(24);
  const lastAppendMs = file.readDoubleLE(32);
  const u32 = new Uint32Array(used);
  const out = Buffer.from(u32.buffer);
  let filled = 0;
  let complex: AnyValue[] = [];
  let o = HEADER_BYTES;
  for (let b = 0; b < nBlocks; b++) {
    if (o + BLOCK_HEADER_BYTES > file.length) throw new SegmentFileError(`block ${b} of ${nBlocks}: file truncated`);
    const kind = file.readUInt32LE(o);
    const rawLen = file.readUInt32LE(o + 4);
    const storedLen = file.readUInt32LE(o + 8);
    const sum = file.readUInt32LE(o + 12);
    const start = o + BLOCK_HEADER_BYTES;
    if (start + storedLen > file.length) throw new SegmentFileError(`block ${b} of ${nBlocks}: file truncated`);
    const stored = file.subarray(start, start + storedLen);
    if (crc32(stored) !== sum) throw new SegmentFileError(`block ${b} of ${nBlocks}: checksum mismatch`);
    const content = inflateRawSync(stored);
    if (content.length !== rawLen) throw new SegmentFileError(`block ${b}: ${content.length} bytes, header says ${rawLen}`);
    if (kind === KIND_WORDS) {
      if (filled + rawLen > out.length || rawLen % 4 !== 0) throw new SegmentFileError(`block ${b}: more words than used`);
      content.copy(out, filled);
      filled += rawLen;
    } else if (kind === KIND_COMPLEX) {
      const parsed: unknown = JSON.parse(content.toString('utf8'));
      if (!Array.isArray(parsed)) throw new SegmentFileError(`block ${b}: complex values are not a list`);
      complex = parsed.map((j) => valueFromJson(j));
    } else throw new SegmentFileError(`block ${b}: unknown kind ${kind}`);
    o = start + storedLen;
  }
  if (filled !== out.length) throw new SegmentFileError(`${filled / 4} words in blocks, header says ${used}`);
  return { seq, u32, complex, lastAppendMs };
}
