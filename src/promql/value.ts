// What a PromQL evaluation returns and how it fails: the engine's public contract, used by the
// Prometheus HTTP API, the test runner and the console's server-side helpers.
import type { Labels } from '../labels/labels.js';
import type { Querier } from '../storage/storage.js';

export interface VectorSample {
  readonly metric: Labels;
  /** ms */
  readonly t: number;
  readonly v: number;
}

export interface MatrixSeries {
  readonly metric: Labels;
  /** ms, ascending */
  readonly t: readonly number[];
  readonly v: readonly number[];
}

export type QueryValue =
  | { readonly type: 'vector'; readonly samples: readonly VectorSample[] }
  | { readonly type: 'matrix'; readonly series: readonly MatrixSeries[] }
  | { readonly type: 'scalar'; readonly t: number; readonly v: number }
  | { readonly type: 'string'; readonly t: number; readonly v: string };

/** Prometheus's errorType values, which map onto HTTP codes in the API (bad_data 400, execution 422, timeout/canceled 503). */
export type QueryErrorType = 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal';

export class QueryError extends Error {
  constructor(
    readonly errorType: QueryErrorType,
    message: string,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

export interface EngineOptions {
  /** default 2 minutes */
  readonly timeoutMs?: number;
  /** most samples held in memory by one query; default 50,000,000 */
  readonly maxSamples?: number;
  /** default 5 minutes */
  readonly lookbackDeltaMs?: number;
}

/** Per-query options (added for the HTTP API's `timeout` parameter; engines may ignore what they do not support). */
export interface QueryOptions {
  /** overrides EngineOptions.timeoutMs for this query */
  readonly timeoutMs?: number;
}

export interface QueryEngine {
  /** Evaluates at one instant (ms). Throws QueryError (parse errors as bad_data with Prometheus's message). */
  instantQuery(querier: Querier, query: string, timeMs: number, opts?: QueryOptions): QueryValue;
  /** Evaluates at start, start+step, ... <= end (ms); always returns a matrix. */
  rangeQuery(
    querier: Querier,
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts?: QueryOptions,
  ): QueryValue;
}

/**
 * What the HTTP API queries: a QueryEngine in this thread, or the worker pool (pool.ts), whose
 * answers arrive later. Errors are QueryErrors, thrown or as the promise's rejection.
 */
export interface QueryService {
  instantQuery(querier: Querier, query: string, timeMs: number, opts?: QueryOptions): QueryValue | Promise<QueryValue>;
  rangeQuery(
    querier: Querier,
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts?: QueryOptions,
  ): QueryValue | Promise<QueryValue>;
}
