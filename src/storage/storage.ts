// The storage interfaces, as in Prometheus's storage package: writers append, readers select by
// label matchers over a time range. The PromQL engine and the HTTP API see only these.
import type { Labels } from '../labels/labels.js';
import type { Matcher } from '../labels/matcher.js';

/** Metric metadata, as /api/v1/metadata reports it. */
export interface MetricMetadata {
  readonly type: 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset' | 'unknown';
  readonly help: string;
  readonly unit: string;
}

export interface Exemplar {
  /** exemplar labels, typically trace_id and span_id */
  readonly labels: Labels;
  readonly value: number;
  /** milliseconds since the epoch */
  readonly t: number;
}

/**
 * What became of one appended sample: 'ok' when stored (or when it repeats the stored sample at
 * that timestamp exactly, a harmless retry Prometheus also accepts); otherwise why the store
 * refused it, as Prometheus's appender errors: older than the newest sample of its series
 * ('out-of-order'), a different value at the same timestamp ('duplicate': "duplicate sample for
 * timestamp"), older than retention ('too-old': Prometheus's out of bounds), or further ahead of
 * the store's clock than it allows ('too-far-in-future').
 */
export type AppendStatus = 'ok' | 'out-of-order' | 'duplicate' | 'too-old' | 'too-far-in-future';

export interface Appender {
  /** Appends one sample; t in milliseconds. A refused sample is not stored; the status says why. */
  append(labels: Labels, t: number, v: number): AppendStatus;
  /** Appends a staleness marker (the series ended), as Prometheus does when a target disappears. */
  appendStale(labels: Labels, t: number): AppendStatus;
  appendExemplar(seriesLabels: Labels, exemplar: Exemplar): void;
  setMetadata(metricName: string, metadata: MetricMetadata): void;
  /**
   * Makes what was appended durable (an appender writing a WAL writes its records); a writer
   * calls it before acknowledging its input. Throws RefusedError when it cannot.
   */
  commit?(): void;
}

/** The samples of one series within a selected time range, oldest first. */
export interface SeriesSamples {
  readonly labels: Labels;
  /** timestamps in milliseconds */
  readonly t: Float64Array;
  readonly v: Float64Array;
  /** 1 where the sample is a staleness marker; absent when the range holds none */
  readonly stale?: Uint8Array;
}

/**
 * The encoded chunks of selected series, for decoding elsewhere (a query worker): all in typed
 * arrays, so that their buffers can be transferred to another thread instead of copied. Series s
 * consists of pieces seriesPieces[s] to seriesPieces[s + 1] - 1, in time order, each from one
 * source (a block or the head); where pieces overlap in time the earlier piece's samples win.
 * Piece p is chunks pieceChunks[p] to pieceChunks[p + 1] - 1, all in the encoding
 * pieceFormat[p]; chunk k is bytes[chunkStart[k], chunkStart[k + 1]) and holds chunkSamples[k]
 * samples (its whole chunk: a reader keeps those in its range).
 */
export interface EncodedChunks {
  readonly seriesPieces: Uint32Array;
  readonly pieceFormat: Uint8Array;
  readonly pieceChunks: Uint32Array;
  readonly chunkStart: Float64Array;
  readonly chunkSamples: Uint16Array;
  readonly bytes: Uint8Array;
}

/** EncodedChunks.pieceFormat: Prometheus's XOR chunk encoding (blocks). */
export const PROM_XOR_FORMAT = 0;
/** EncodedChunks.pieceFormat: the head's XOR chunk encoding (src/tsdb/chunks/xor.ts). */
export const HEAD_XOR_FORMAT = 1;

/** Series with their encoded chunks, in label order (Querier.selectEncoded). */
export interface EncodedSelection extends EncodedChunks {
  /** per series, as select would label it */
  readonly labels: readonly Labels[];
}

/** Called with each series of a scan; false stops the scan. */
export type SeriesVisitor = (series: SeriesSamples) => boolean | void;

export interface Querier {
  /** Series matching every matcher with at least one sample in [mint, maxt] (inclusive, ms). */
  select(matchers: readonly Matcher[], mint: number, maxt: number): SeriesSamples[];
  /**
   * The series select would answer, one at a time, in the same order with the same samples. A
   * series' arrays are valid only during its visit: the storage decodes each series into buffers
   * it reuses, so a reader that folds series as they come (a sum of rates) allocates nothing in
   * proportion to the selection. Optional: scanSeries falls back to select.
   */
  scan?(matchers: readonly Matcher[], mint: number, maxt: number, visit: SeriesVisitor): void;
  /**
   * What select would answer, still encoded: decoding the series over [mint, maxt] (or any range
   * inside it) gives select's answer over that range exactly, staleness markers and all; a
   * series may decode to no samples there (select leaves it out). Lets a query thread send a
   * worker 1-2 bytes a sample instead of 16. Optional: a querier without it is selected.
   */
  selectEncoded?(matchers: readonly Matcher[], mint: number, maxt: number): EncodedSelection;
  /** Series label sets only (no samples), for /api/v1/series. */
  series(matchers: readonly Matcher[], mint: number, maxt: number): Labels[];
  labelNames(matchers: readonly Matcher[], mint: number, maxt: number): string[];
  labelValues(name: string, matchers: readonly Matcher[], mint: number, maxt: number): string[];
}

/** Querier.scan where the querier has one, else its select's series one by one. */
export function scanSeries(
  querier: Querier,
  matchers: readonly Matcher[],
  mint: number,
  maxt: number,
  visit: SeriesVisitor,
): void {
  if (querier.scan) return querier.scan(matchers, mint, maxt, visit);
  for (const s of querier.select(matchers, mint, maxt)) if (visit(s) === false) return;
}

export interface ExemplarQuerier {
  /** Matcher sets are OR-ed, as in /api/v1/query_exemplars. */
  selectExemplars(
    matcherSets: readonly (readonly Matcher[])[],
    mint: number,
    maxt: number,
  ): { seriesLabels: Labels; exemplars: Exemplar[] }[];
}

export interface MetadataReader {
  metadata(metricName?: string): Map<string, MetricMetadata>;
}

export interface Storage extends Appender, Querier, ExemplarQuerier, MetadataReader {}
