import { describe, expect, it } from 'vitest';
import { labelsFromRecord, type Labels } from '../labels/labels.js';
import type { SeriesSamples } from '../storage/storage.js';
import { encodePromXor } from './block/xor.js';
import { STALE_HI, STALE_LO, XorAppender } from './chunks/xor.js';
import { mergeSelect, type ChunkedSeries } from './select-merge.js';

const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Stands for a staleness marker in chunked()'s values (its NaN's bits are written directly). */
const STALE = -0.5;

/** A block's series holding samples (t, v) in chunks of `perChunk`. */
function chunked(labels: Labels, t: number[], v: number[], perChunk = 120): ChunkedSeries {
  const T = Float64Array.from(t);
  const V = Float64Array.from(v);
  const bits = new Uint32Array(V.buffer);
  v.forEach((x, i) => {
    if (x !== STALE) return;
    bits[2 * i + (LITTLE ? 1 : 0)] = STALE_HI;
    bits[2 * i + (LITTLE ? 0 : 1)] = STALE_LO;
  });
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < t.length; i += perChunk) chunks.push(encodePromXor(T, bits, i, Math.min(t.length, i + perChunk)));
  return { labels, minT: t[0]!, chunks };
}

/** The head's series holding samples (t, v) in one open chunk of its XOR encoding; stale[i] = 1 marks a marker. */
function headChunked(labels: Labels, t: number[], v: number[], stale?: number[]): ChunkedSeries {
  const app = new XorAppender(32);
  t.forEach((x, i) => (stale?.[i] === 1 ? app.appendStale(x) : app.append(x, v[i]!)));
  return { labels, minT: t[0]!, chunks: [app.bytes()], headCounts: [app.numSamples] };
}

const plain = (s: SeriesSamples): { labels: Labels; t: number[]; v: number[]; stale?: number[] } => ({
  labels: s.labels,
  t: [...s.t],
  v: [...s.v],
  ...(s.stale ? { stale: [...s.stale] } : {}),
});

const a = labelsFromRecord({ __name__: 'up', job: 'a' });
const b = labelsFromRecord({ __name__: 'up', job: 'b' });
const c = labelsFromRecord({ __name__: 'up', job: 'c' });

describe('mergeSelect', () => {
  it('joins one series from two blocks and the head, in time order, within [mint, maxt]', () => {
    const blockA = [chunked(a, [10, 20, 30], [1, 2, 3], 2), chunked(c, [10], [7])];
    const blockB = [chunked(a, [40, 50], [4, 5]), chunked(b, [40], [9])];
    const head = [headChunked(a, [60], [6])];
    const out = mergeSelect([blockA, blockB, head], 20, 60).map(plain);
    expect(out).toEqual([
      { labels: a, t: [20, 30, 40, 50, 60], v: [2, 3, 4, 5, 6] },
      { labels: b, t: [40], v: [9] },
    ]);
  });

  it('takes a timestamp held by two sources once, from the piece that starts first', () => {
    // The head keeps a chunk straddling the newest block's end: 30 and 40 are in both.
    const block = [chunked(a, [10, 20, 30, 40], [1, 2, 3, 4])];
    const head = [headChunked(a, [30, 40, 50], [30, 40, 5])];
    expect(mergeSelect([block, head], 0, 100).map(plain)).toEqual([
      { labels: a, t: [10, 20, 30, 40, 50], v: [1, 2, 3, 4, 5] },
    ]);
  });

  it('orders pieces by their first sample whatever the order of the blocks', () => {
    const newer = [chunked(a, [30, 40], [3, 4])];
    const older = [chunked(a, [10, 20], [1, 2])];
    expect(mergeSelect([newer, older], 0, 100).map(plain)).toEqual([
      { labels: a, t: [10, 20, 30, 40], v: [1, 2, 3, 4] },
    ]);
  });

  it('marks staleness markers from blocks and from the head, and only on series that hold one', () => {
    const block = [chunked(a, [10, 20], [1, STALE]), chunked(b, [10], [1])];
    const head = [headChunked(a, [30], [3], [0]), headChunked(c, [30, 40], [1, NaN], [0, 1])];
    const out = mergeSelect([block, head], 0, 100).map(plain);
    expect(out.map((s) => s.stale)).toEqual([[0, 1, 0], undefined, [0, 1]]);
    expect(out.map((s) => s.t)).toEqual([[10, 20, 30], [10], [30, 40]]);
  });

  it('does not hand the staleness of samples dropped as overlap on to the next series', () => {
    // a's head chunk straddles the block (2 and 3 in both) and ends stale; the overlap dropped
    // from a leaves places the next series is written into
    const block = [chunked(a, [0, 1, 2, 3], [1, 1, 1, 1]), chunked(b, [0, 1, 2, 3, 4, 5], [STALE, 1, 1, 1, 1, 1])];
    const head = [headChunked(a, [2, 3, 4, 5], [1, 1, 1, NaN], [0, 0, 0, 1])];
    const out = mergeSelect([block, head], 0, 100).map(plain);
    expect(out.map((s) => s.stale)).toEqual([
      [0, 0, 0, 0, 0, 1],
      [1, 0, 0, 0, 0, 0],
    ]);
  });

  it('leaves out series without samples in the range', () => {
    const block = [chunked(a, [10], [1]), chunked(b, [50], [2])];
    expect(mergeSelect([block], 40, 60).map((s) => s.labels)).toEqual([b]);
  });

  it('joins series listed in UTF-8 byte order (a block index) with those in label order', () => {
    // U+1F600 comes after U+FF5E in UTF-8 (a block's order) but before it in UTF-16 code units.
    const emoji = labelsFromRecord({ __name__: 'up', job: '\u{1F600}' });
    const wide = labelsFromRecord({ __name__: 'up', job: '\uFF5E' });
    const block = [chunked(wide, [10], [2]), chunked(emoji, [10], [1])];
    const head = [headChunked(emoji, [20], [4]), headChunked(wide, [20], [3])];
    const out = mergeSelect([block, head], 0, 100).map(plain);
    expect(out).toEqual([
      { labels: emoji, t: [10, 20], v: [1, 4] },
      { labels: wide, t: [10, 20], v: [2, 3] },
    ]);
  });
});
