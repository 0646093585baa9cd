// One selection over blocks and the head: the series of each source (each list in label order)
// are joined by their labels and every series' pieces are decoded straight into one pair of
// column arrays shared by the whole answer. Decoding each block's samples into arrays of their
// own and concatenating them afterwards cost more than the decoding itself over a day of
// 2-hour blocks (one allocation and one copy per series and block, plus a string key per series).
import { compareLabels, type Labels } from '../labels/labels.js';
import type { SeriesSamples, SeriesVisitor } from '../storage/storage.js';
import type { SampleColumns } from './columns.js';
import { decodePromXorInto, promXorNumSamples } from './block/xor.js';

/** A block's series with the Prometheus XOR data of its chunks overlapping the range, oldest first. */
export interface ChunkedSeries {
  readonly labels: Labels;
  /** the first chunk's minimum time (orders pieces of one series from different blocks) */
  readonly minT: number;
  readonly chunks: readonly Uint8Array[];
}

type Piece = ChunkedSeries | SeriesSamples;

function isChunked(p: Piece): p is ChunkedSeries {
  return 'chunks' in p;
}

/**
 * Samples in [mint, maxt] of the series in `blocks` (one label-ordered list per block) and
 * `head` (label-ordered, already within the range), in label order. A series present in several sources gets their samples
 * in time order; where sources overlap in time, the first source (by first sample) wins each
 * timestamp, as a merge of pieces that skips timestamps already written.
 */
export function mergeSelect(
  blocks: readonly (readonly ChunkedSeries[])[],
  head: readonly SeriesSamples[],
  mint: number,
  maxt: number,
): SeriesSamples[] {
  if (blocks.every((l) => l.length === 0)) return [...head];
  const { groups, caps } = joinByLabels(blocks, head);
  let cap = 0;
  for (const c of caps) cap += c;
  const T = new Float64Array(cap);
  const V = new Float64Array(cap);
  const VU = new Uint32Array(V.buffer);
  // Flags for every sample (a sixteenth of T and V): the decoder sets them as it writes values.
  const S = new Uint8Array(cap);
  const out: SeriesSamples[] = [];
  let n = 0;
  for (const group of groups) {
    const n0 = n;
    n = decodeGroup(group, mint, maxt, T, V, VU, S, n);
    if (n === n0) continue;
    out.push({
      labels: group[0]!.labels,
      t: T.subarray(n0, n),
      v: V.subarray(n0, n),
      ...(S.subarray(n0, n).includes(1) ? { stale: S.slice(n0, n) } : {}),
    });
  }
  return out;
}

/**
 * mergeSelect's series one at a time, each decoded into `cols` (reused: a series' arrays are
 * valid during its visit only); a visit returning false stops the scan.
 */
export function mergeScan(
  blocks: readonly (readonly ChunkedSeries[])[],
  head: readonly SeriesSamples[],
  mint: number,
  maxt: number,
  cols: SampleColumns,
  visit: SeriesVisitor,
): void {
  if (blocks.every((l) => l.length === 0)) {
    for (const s of head) if (visit(s) === false) return;
    return;
  }
  const { groups, caps } = joinByLabels(blocks, head);
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g]!;
    cols.reserve(caps[g]!);
    const n = decodeGroup(group, mint, maxt, cols.t, cols.v, cols.vWords, cols.stale, 0);
    if (n === 0) continue;
    const flags = cols.stale.subarray(0, n);
    const series: SeriesSamples = {
      labels: group[0]!.labels,
      t: cols.t.subarray(0, n),
      v: cols.v.subarray(0, n),
      ...(flags.includes(1) ? { stale: flags } : {}),
    };
    if (visit(series) === false) return;
  }
}

/** The pieces of each series (one group per series, in label order) and each group's most samples. */
function joinByLabels(
  blocks: readonly (readonly ChunkedSeries[])[],
  head: readonly SeriesSamples[],
): { groups: Piece[][]; caps: number[] } {
  // A block lists series in UTF-8 byte order, which differs from label order beyond the BMP.
  const lists: readonly (readonly Piece[])[] = [...blocks, head]
    .filter((l) => l.length > 0)
    .map((l) => (inLabelOrder(l) ? l : [...l].sort((a, b) => compareLabels(a.labels, b.labels))));
  // Join by labels: each list is in label order, so a k-way merge groups one series' pieces.
  const groups: Piece[][] = [];
  const caps: number[] = [];
  const pos = new Array<number>(lists.length).fill(0);
  for (;;) {
    let least: Labels | undefined;
    for (let i = 0; i < lists.length; i++) {
      const p = lists[i]![pos[i]!];
      if (p && (least === undefined || compareLabels(p.labels, least) < 0)) least = p.labels;
    }
    if (least === undefined) break;
    const group: Piece[] = [];
    let cap = 0;
    for (let i = 0; i < lists.length; i++) {
      const p = lists[i]![pos[i]!];
      if (p && (p.labels === least || compareLabels(p.labels, least) === 0)) {
        group.push(p);
        pos[i]!++;
        if (isChunked(p)) for (const c of p.chunks) cap += promXorNumSamples(c);
        else cap += p.t.length;
      }
    }
    if (group.length > 1) group.sort((a, b) => firstTime(a) - firstTime(b));
    groups.push(group);
    caps.push(cap);
  }
  return { groups, caps };
}

/** Decodes one series' pieces (in time order) into the columns from n; returns the new end. */
function decodeGroup(
  group: readonly Piece[],
  mint: number,
  maxt: number,
  T: Float64Array,
  V: Float64Array,
  VU: Uint32Array,
  S: Uint8Array,
  n: number,
): number {
  const n0 = n;
  for (const p of group) {
    const from = n;
    if (isChunked(p)) {
      for (const c of p.chunks) n = decodePromXorInto(c, mint, maxt, T, VU, 0, n, S);
    } else {
      T.set(p.t, n);
      V.set(p.v, n);
      if (p.stale !== undefined) S.set(p.stale, n);
      else S.fill(0, n, n + p.t.length);
      n += p.t.length;
    }
    // Overlap with what earlier pieces wrote: keep only this piece's later timestamps.
    if (from > n0 && from < n && T[from]! <= T[from - 1]!) n = dropOverlap(T, VU, S, from, n, T[from - 1]!);
  }
  return n;
}

function inLabelOrder(list: readonly Piece[]): boolean {
  for (let i = 1; i < list.length; i++) if (compareLabels(list[i - 1]!.labels, list[i]!.labels) > 0) return false;
  return true;
}

function firstTime(p: Piece): number {
  return isChunked(p) ? p.minT : p.t.length > 0 ? p.t[0]! : Infinity;
}

/** Moves the samples of [from, n) later than `last` down to `from`; returns the new end. */
function dropOverlap(T: Float64Array, VU: Uint32Array, S: Uint8Array, from: number, n: number, last: number): number {
  let w = from;
  let prev = last;
  for (let r = from; r < n; r++) {
    const t = T[r]!;
    if (t <= prev) continue;
    T[w] = t;
    VU[2 * w] = VU[2 * r]!;
    VU[2 * w + 1] = VU[2 * r + 1]!;
    S[w] = S[r]!;
    w++;
    prev = t;
  }
  // the next series is written from w on: no staleness flag of a dropped sample may stay there
  S.fill(0, w, n);
  return w;
}
