// One selection over blocks and the head: the series of each source (each list in label order)
// are joined by their labels and every series' pieces are decoded straight into one pair of
// column arrays shared by the whole answer, or series by series into reused columns (a scan).
// Decoding each block's samples into arrays of their own and concatenating them afterwards cost
// more than the decoding itself over a day of 2-hour blocks (one allocation and one copy per
// series and block, plus a string key per series). The same pieces can be packed still encoded
// (encodeSelection), for a query worker to decode with the same code (selectEncoded, scanEncoded).
import { compareLabels, type Labels } from '../labels/labels.js';
import {
  HEAD_XOR_FORMAT,
  PROM_XOR_FORMAT,
  type EncodedChunks,
  type EncodedSelection,
  type SeriesSamples,
  type SeriesVisitor,
} from '../storage/storage.js';
import type { SampleColumns } from './columns.js';
import { decodePromXorInto, promXorNumSamples } from './block/xor.js';
import { decodeXorInto } from './chunks/xor.js';

/** The encoded chunks of one series from one source (a block or the head), oldest first. */
export interface PieceChunks {
  readonly chunks: readonly Uint8Array[];
  /**
   * Present for chunks in the head's XOR encoding: their sample counts (the open chunk's header
   * holds none until it is closed). Absent for Prometheus XOR chunks, counted in their headers.
   */
  readonly headCounts?: ArrayLike<number>;
}

/** A source's series with the data of its chunks overlapping the range, oldest first. */
export interface ChunkedSeries extends PieceChunks {
  readonly labels: Labels;
  /** the first chunk's minimum time (orders pieces of one series from different sources) */
  readonly minT: number;
}

/** Series to decode, by index: labels, pieces in time order, and the most samples they hold. */
interface SeriesPieces {
  readonly length: number;
  labels(i: number): Labels;
  pieces(i: number): readonly PieceChunks[];
  capacity(i: number): number;
}

/**
 * Samples in [mint, maxt] of the series of `sources` (one label-ordered list per block or head),
 * in label order. A series present in several sources gets their samples in time order; where
 * sources overlap in time, the first source (by first chunk time; the earlier list on a tie) wins
 * each timestamp, as a merge of pieces that skips timestamps already written.
 */
export function mergeSelect(
  sources: readonly (readonly ChunkedSeries[])[],
  mint: number,
  maxt: number,
): SeriesSamples[] {
  return selectPieces(joinByLabels(sources), mint, maxt);
}

/**
 * mergeSelect's series one at a time, each decoded into `cols` (reused: a series' arrays are
 * valid during its visit only); a visit returning false stops the scan.
 */
export function mergeScan(
  sources: readonly (readonly ChunkedSeries[])[],
  mint: number,
  maxt: number,
  cols: SampleColumns,
  visit: SeriesVisitor,
): void {
  scanPieces(joinByLabels(sources), mint, maxt, cols, visit);
}

/**
 * What mergeSelect would decode, packed into transferable arrays (the chunks' bytes copied into
 * one buffer): decoding it with selectEncoded or scanEncoded over [mint, maxt] or a range inside
 * it answers as mergeSelect over that range.
 */
export function encodeSelection(sources: readonly (readonly ChunkedSeries[])[]): EncodedSelection {
  return packPieces(joinByLabels(sources).groups);
}

/** Groups of pieces (each group one series, its pieces in time order) packed as encodeSelection packs them. */
export function packPieces(groups: readonly (readonly ChunkedSeries[])[]): EncodedSelection {
  let pieces = 0;
  let chunks = 0;
  let bytes = 0;
  for (const group of groups) {
    pieces += group.length;
    for (const p of group) {
      chunks += p.chunks.length;
      for (const c of p.chunks) bytes += c.length;
    }
  }
  const seriesPieces = new Uint32Array(groups.length + 1);
  const pieceFormat = new Uint8Array(pieces);
  const pieceChunks = new Uint32Array(pieces + 1);
  const chunkStart = new Float64Array(chunks + 1);
  const chunkSamples = new Uint16Array(chunks);
  const data = new Uint8Array(bytes);
  const labels = new Array<Labels>(groups.length);
  let p = 0;
  let k = 0;
  let at = 0;
  groups.forEach((group, i) => {
    labels[i] = group[0]!.labels;
    seriesPieces[i] = p;
    for (const piece of group) {
      const counts = piece.headCounts;
      pieceFormat[p] = counts !== undefined ? HEAD_XOR_FORMAT : PROM_XOR_FORMAT;
      pieceChunks[p++] = k;
      piece.chunks.forEach((c, j) => {
        data.set(c, at);
        chunkStart[k] = at;
        chunkSamples[k++] = counts !== undefined ? counts[j]! : promXorNumSamples(c);
        at += c.length;
      });
    }
  });
  seriesPieces[groups.length] = p;
  pieceChunks[p] = k;
  chunkStart[k] = at;
  return { labels, seriesPieces, pieceFormat, pieceChunks, chunkStart, chunkSamples, bytes: data };
}

/**
 * Series `rows` (default all, in order) of encoded chunks labelled `labels`, decoded over
 * [mint, maxt] into one pair of column arrays, as mergeSelect answers.
 */
export function selectEncoded(
  enc: EncodedChunks,
  labels: readonly Labels[],
  rows: readonly number[] | undefined,
  mint: number,
  maxt: number,
): SeriesSamples[] {
  return selectPieces(encodedPieces(enc, labels, rows), mint, maxt);
}

/** selectEncoded's series one at a time, each decoded into `cols`, as mergeScan visits them. */
export function scanEncoded(
  enc: EncodedChunks,
  labels: readonly Labels[],
  rows: readonly number[] | undefined,
  mint: number,
  maxt: number,
  cols: SampleColumns,
  visit: SeriesVisitor,
): void {
  scanPieces(encodedPieces(enc, labels, rows), mint, maxt, cols, visit);
}

/** Samples the chunks of encoded series hold (the most they can decode to). */
export function encodedSamples(enc: EncodedChunks): number {
  let n = 0;
  for (const c of enc.chunkSamples) n += c;
  return n;
}

/** The series of encoded chunks as SeriesPieces; each piece's chunks are views of enc.bytes. */
function encodedPieces(
  enc: EncodedChunks,
  labels: readonly Labels[],
  rows: readonly number[] | undefined,
): SeriesPieces {
  const { seriesPieces, pieceFormat, pieceChunks, chunkStart, chunkSamples, bytes } = enc;
  const row = rows !== undefined ? (i: number): number => rows[i]! : (i: number): number => i;
  return {
    length: rows !== undefined ? rows.length : labels.length,
    labels: (i) => labels[row(i)]!,
    pieces: (i) => {
      const r = row(i);
      const out: PieceChunks[] = [];
      for (let p = seriesPieces[r]!; p < seriesPieces[r + 1]!; p++) {
        const k0 = pieceChunks[p]!;
        const k1 = pieceChunks[p + 1]!;
        const chunks: Uint8Array[] = [];
        for (let k = k0; k < k1; k++) chunks.push(bytes.subarray(chunkStart[k]!, chunkStart[k + 1]!));
        out.push(
          pieceFormat[p] === HEAD_XOR_FORMAT ? { chunks, headCounts: chunkSamples.subarray(k0, k1) } : { chunks },
        );
      }
      return out;
    },
    capacity: (i) => {
      const r = row(i);
      let n = 0;
      for (let k = pieceChunks[seriesPieces[r]!]!; k < pieceChunks[seriesPieces[r + 1]!]!; k++) n += chunkSamples[k]!;
      return n;
    },
  };
}

/** Decodes every series into one pair of column arrays sized up front, each series a view of its part. */
function selectPieces(series: SeriesPieces, mint: number, maxt: number): SeriesSamples[] {
  let cap = 0;
  for (let i = 0; i < series.length; i++) cap += series.capacity(i);
  const T = new Float64Array(cap);
  const V = new Float64Array(cap);
  const VU = new Uint32Array(V.buffer);
  // Flags for every sample (a sixteenth of T and V): the decoder sets them as it writes values.
  const S = new Uint8Array(cap);
  const out: SeriesSamples[] = [];
  let n = 0;
  for (let i = 0; i < series.length; i++) {
    const n0 = n;
    n = decodeGroup(series.pieces(i), mint, maxt, T, V, VU, S, n);
    if (n === n0) continue;
    out.push({
      labels: series.labels(i),
      t: T.subarray(n0, n),
      v: V.subarray(n0, n),
      ...(S.subarray(n0, n).includes(1) ? { stale: S.slice(n0, n) } : {}),
    });
  }
  return out;
}

/** The series one at a time, each decoded into the reused `cols`; a visit returning false stops. */
function scanPieces(series: SeriesPieces, mint: number, maxt: number, cols: SampleColumns, visit: SeriesVisitor): void {
  for (let i = 0; i < series.length; i++) {
    cols.reserve(series.capacity(i));
    const n = decodeGroup(series.pieces(i), mint, maxt, cols.t, cols.v, cols.vWords, cols.stale, 0);
    if (n === 0) continue;
    const flags = cols.stale.subarray(0, n);
    const samples: SeriesSamples = {
      labels: series.labels(i),
      t: cols.t.subarray(0, n),
      v: cols.v.subarray(0, n),
      ...(flags.includes(1) ? { stale: flags } : {}),
    };
    if (visit(samples) === false) return;
  }
}

/** The pieces of each series (one group per series, in label order) as SeriesPieces. */
function joinByLabels(sources: readonly (readonly ChunkedSeries[])[]): SeriesPieces & { groups: ChunkedSeries[][] } {
  // A block lists series in UTF-8 byte order, which differs from label order beyond the BMP.
  const lists = sources
    .filter((l) => l.length > 0)
    .map((l) => (inLabelOrder(l) ? l : [...l].sort((a, b) => compareLabels(a.labels, b.labels))));
  // Join by labels: each list is in label order, so a k-way merge groups one series' pieces.
  const groups: ChunkedSeries[][] = [];
  const caps: number[] = [];
  const pos = new Array<number>(lists.length).fill(0);
  for (;;) {
    let least: Labels | undefined;
    for (let i = 0; i < lists.length; i++) {
      const p = lists[i]![pos[i]!];
      if (p && (least === undefined || compareLabels(p.labels, least) < 0)) least = p.labels;
    }
    if (least === undefined) break;
    const group: ChunkedSeries[] = [];
    let cap = 0;
    for (let i = 0; i < lists.length; i++) {
      const p = lists[i]![pos[i]!];
      if (p && (p.labels === least || compareLabels(p.labels, least) === 0)) {
        group.push(p);
        pos[i]!++;
        cap += pieceSamples(p);
      }
    }
    // stable: pieces starting together keep the order of their sources
    if (group.length > 1) group.sort((a, b) => a.minT - b.minT);
    groups.push(group);
    caps.push(cap);
  }
  return {
    groups,
    length: groups.length,
    labels: (i) => groups[i]![0]!.labels,
    pieces: (i) => groups[i]!,
    capacity: (i) => caps[i]!,
  };
}

/** The samples a piece's chunks hold. */
function pieceSamples(p: PieceChunks): number {
  let n = 0;
  const counts = p.headCounts;
  if (counts !== undefined) for (let j = 0; j < counts.length; j++) n += counts[j]!;
  else for (const c of p.chunks) n += promXorNumSamples(c);
  return n;
}

/** Decodes one series' pieces (in time order) into the columns from n; returns the new end. */
function decodeGroup(
  group: readonly PieceChunks[],
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
    const counts = p.headCounts;
    if (counts !== undefined) {
      for (let j = 0; j < p.chunks.length; j++)
        n = decodeXorInto(p.chunks[j]!, 0, counts[j]!, mint, maxt, T, V, S, n, VU);
    } else {
      for (const c of p.chunks) n = decodePromXorInto(c, mint, maxt, T, VU, 0, n, S);
    }
    // Overlap with what earlier pieces wrote: keep only this piece's later timestamps.
    if (from > n0 && from < n && T[from]! <= T[from - 1]!) n = dropOverlap(T, VU, S, from, n, T[from - 1]!);
  }
  return n;
}

function inLabelOrder(list: readonly ChunkedSeries[]): boolean {
  for (let i = 1; i < list.length; i++) if (compareLabels(list[i - 1]!.labels, list[i]!.labels) > 0) return false;
  return true;
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
