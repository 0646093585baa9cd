// The two jobs that write blocks, as plain functions of their inputs so that a worker thread
// (worker.ts) can run them away from the event loop: cutting a range of the head's chunks into a
// block (decode the head's XOR chunks, re-encode them in Prometheus's XOR, build the index, write
// and fsync), and compacting blocks into one (chunks copied as they are, the index rebuilt).
import type { Labels } from '../../labels/labels.js';
import type { SeriesSamples } from '../../storage/storage.js';
import { decodeXorInto } from '../chunks/xor.js';
import type { HeadChunks } from '../head.js';
import type { BlockMeta } from './meta.js';
import { Block, type BlockSeries } from './reader.js';
import { BlockWriter, compareLabelsUtf8, type ChunkToWrite } from './writer.js';
import { encodePromXor } from './xor.js';

const SAMPLES_PER_CHUNK = 120;

/** Samples of one series in chunks of Prometheus's XOR encoding. */
export function toPromChunks(s: SeriesSamples, perChunk = SAMPLES_PER_CHUNK): ChunkToWrite[] {
  const bits = new Uint32Array(s.v.buffer, s.v.byteOffset, s.v.length * 2);
  const out: ChunkToWrite[] = [];
  for (let i = 0; i < s.t.length; i += perChunk) {
    const end = Math.min(s.t.length, i + perChunk);
    out.push({ minT: s.t[i]!, maxT: s.t[end - 1]!, data: encodePromXor(s.t, bits, i, end) });
  }
  return out;
}

/**
 * Label sets as one string and offsets: series j's names and values alternate in
 * strings seriesEnd[j - 1] to seriesEnd[j] - 1 (from 0 for j = 0), string i having lengths[i]
 * UTF-16 units of `text`. Posting one string to a worker is a copy of its characters; posting
 * 100k label sets as objects cost 400 ms of structured cloning on the event loop.
 */
export interface PackedLabels {
  readonly text: string;
  readonly lengths: Uint32Array;
  readonly seriesEnd: Uint32Array;
}

export function packLabels(list: readonly Labels[]): PackedLabels {
  const strings: string[] = [];
  const seriesEnd = new Uint32Array(list.length);
  list.forEach((labels, j) => {
    for (const l of labels) strings.push(l.name, l.value);
    seriesEnd[j] = strings.length;
  });
  const lengths = new Uint32Array(strings.length);
  strings.forEach((x, i) => (lengths[i] = x.length));
  return { text: strings.join(''), lengths, seriesEnd };
}

export function unpackLabels(p: PackedLabels): Labels[] {
  const out = new Array<Labels>(p.seriesEnd.length);
  let i = 0;
  let at = 0;
  const next = (): string => {
    const x = p.text.slice(at, at + p.lengths[i]!);
    at += p.lengths[i++]!;
    return x;
  };
  for (let j = 0; j < p.seriesEnd.length; j++) {
    const labels: { name: string; value: string }[] = [];
    while (i < p.seriesEnd[j]!) labels.push({ name: next(), value: next() });
    out[j] = labels;
  }
  return out;
}

/** A slice of the head's series as HeadChunks, its labels packed: all of it transferable. */
export interface HeadChunksPart extends Omit<HeadChunks, 'labels'> {
  readonly labels: PackedLabels;
}

export function packHeadChunks(c: HeadChunks): HeadChunksPart {
  return { ...c, labels: packLabels(c.labels) };
}

/** The buffers of a part, to transfer rather than copy. */
export function partBuffers(p: HeadChunksPart): ArrayBuffer[] {
  const arrays = [p.seriesChunks, p.chunkStart, p.chunkSamples, p.bytes, p.labels.lengths, p.labels.seriesEnd];
  return arrays.map((a) => a.buffer as ArrayBuffer);
}

/**
 * Writes the samples of the parts in [minTime, maxTime) as a block under parentDir; returns its
 * meta, or undefined when no sample falls in the range (chunks can straddle it: no empty blocks).
 */
export function writeHeadChunksBlock(
  parentDir: string,
  minTime: number,
  maxTime: number,
  parts: readonly HeadChunksPart[],
): BlockMeta | undefined {
  const series: { labels: Labels; part: HeadChunksPart; j: number }[] = [];
  for (const part of parts) unpackLabels(part.labels).forEach((labels, j) => series.push({ labels, part, j }));
  series.sort((a, b) => compareLabelsUtf8(a.labels, b.labels));
  // One set of decode buffers, grown to the largest series.
  let T = new Float64Array(1024);
  let V = new Float64Array(1024);
  let S = new Uint8Array(1024);
  const w = new BlockWriter(parentDir, { minTime, maxTime });
  try {
    let written = 0;
    for (const { labels, part, j } of series) {
      const { seriesChunks, chunkStart, chunkSamples, bytes } = part;
      let cap = 0;
      for (let k = seriesChunks[j]!; k < seriesChunks[j + 1]!; k++) cap += chunkSamples[k]!;
      if (cap > T.length) {
        T = new Float64Array(cap);
        V = new Float64Array(cap);
        S = new Uint8Array(cap);
      }
      const VU = new Uint32Array(V.buffer);
      let n = 0;
      for (let k = seriesChunks[j]!; k < seriesChunks[j + 1]!; k++) {
        const chunk = bytes.subarray(chunkStart[k]!, chunkStart[k + 1]!);
        n = decodeXorInto(chunk, 0, chunkSamples[k]!, minTime, maxTime - 1, T, V, S, n, VU);
      }
      if (n === 0) continue;
      w.addSeries(labels, toPromChunks({ labels, t: T.subarray(0, n), v: V.subarray(0, n) }));
      written++;
    }
    if (written === 0) {
      w.abort();
      return undefined;
    }
    return w.finish();
  } catch (e) {
    w.abort();
    throw e;
  }
}

/** One block to compact: its directory and its meta as the database holds it. */
export interface CompactionParent {
  readonly dir: string;
  readonly meta: BlockMeta;
}

/** Merges the parents (series by series, chunks as they are) into one block under parentDir. */
export function compactBlocks(parentDir: string, parents: readonly CompactionParent[]): BlockMeta {
  const blocks: Block[] = [];
  let w: BlockWriter | undefined;
  try {
    for (const p of parents) blocks.push(Block.open(p.dir));
    w = new BlockWriter(parentDir, {
      minTime: Math.min(...parents.map((p) => p.meta.minTime)),
      maxTime: Math.max(...parents.map((p) => p.meta.maxTime)),
      level: Math.max(...parents.map((p) => p.meta.compaction.level)) + 1,
      parents: parents.map((p) => p.meta),
    });
    const its = blocks.map((b) => b.allSeries());
    const heads: (BlockSeries | undefined)[] = its.map((it) => it.next().value ?? undefined);
    for (;;) {
      let min: Labels | undefined;
      for (const h of heads)
        if (h !== undefined && (min === undefined || compareLabelsUtf8(h.labels, min) < 0)) min = h.labels;
      if (min === undefined) break;
      const out: ChunkToWrite[] = [];
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (h === undefined || compareLabelsUtf8(h.labels, min) !== 0) continue;
        const data = blocks[i]!.readChunks(h.chunks);
        h.chunks.forEach((c, k) => out.push({ minT: c.minT, maxT: c.maxT, data: data[k]! }));
        heads[i] = its[i]!.next().value ?? undefined;
      }
      out.sort((a, b) => a.minT - b.minT);
      w.addSeries(min, out);
    }
    return w.finish();
  } catch (e) {
    w?.abort();
    throw e;
  } finally {
    for (const b of blocks) b.close();
  }
}
