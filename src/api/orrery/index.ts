// The Orrery diagnosis API: GET /api/orrery/v1/compare (what sets a selection of spans apart)
// and GET /api/orrery/v1/findings (memory, restart, latency and error findings of a window).
// Answers are {"data": …}; bad parameters are 400 {"message": …}, a comparison past its deadline
// 503 {"message": …}. The statistics live in src/diagnosis/; this module only translates HTTP.
import type { Annotation, AnnotationQuery } from '../../annotations/store.js';
import { SpanColumns } from '../../diagnosis/compare.js';
import { CompareUnavailableError, inlineComparer, type Comparer } from '../../diagnosis/compare-pool.js';
import { findFindings } from '../../diagnosis/findings.js';
import type { QueryService } from '../../promql/value.js';
import type { StoredSpan, TraceQuery } from '../../traces/storage.js';
import type { Querier } from '../../storage/storage.js';
import { json, type ApiRequest, type ApiResponse, type Router } from '../http.js';
import { ParamError, parseCompare, parseFindings } from './params.js';

/** A store that streams the spans matching a search (TraceStore.scanSpans). */
export interface SpanScanner {
  scanSpans(q: TraceQuery, visit: (span: StoredSpan) => void): void;
}

/** Spans from an external engine (an external Jaeger, src/datasources/jaeger.ts): one search over the network. */
export interface ExternalSpanScanner {
  scanSpans(q: TraceQuery, visit: (span: StoredSpan) => void): Promise<unknown>;
}

export interface OrreryApiDeps {
  readonly traces: SpanScanner;
  /** with --jaeger-url: comparisons read the spans of that engine instead of `traces` */
  readonly externalTraces?: ExternalSpanScanner;
  /** scores comparisons: the worker pool (ComparePool); default this thread */
  readonly comparer?: Comparer;
  /** the engine in this thread or the worker pool */
  readonly engine: QueryService;
  readonly storage: Querier;
  readonly annotations: { query(q: AnnotationQuery): Annotation[] };
  /** wall clock in ms (default Date.now) */
  readonly now?: () => number;
}

function guarded(
  fn: (req: ApiRequest) => ApiResponse | Promise<ApiResponse>,
): (req: ApiRequest) => Promise<ApiResponse> {
  return async (req) => {
    try {
      return await fn(req);
    } catch (err) {
      if (err instanceof ParamError) return json(400, { message: err.message });
      if (err instanceof CompareUnavailableError) return json(503, { message: err.message });
      throw err;
    }
  };
}

export function registerOrreryApi(router: Router, deps: OrreryApiDeps): void {
  const now = deps.now ?? Date.now;
  const comparer = deps.comparer ?? inlineComparer;
  router.route(
    'GET',
    '/api/orrery/v1/compare',
    guarded(async (req) => {
      const { query, selection } = parseCompare(req.query, now());
      // An external engine's spans are fetched first (the search is over the network); the
      // store's are streamed into columns when the worker is free, so waiting requests hold none.
      let fetched: StoredSpan[] | undefined;
      if (deps.externalTraces) {
        const spans: StoredSpan[] = [];
        try {
          await deps.externalTraces.scanSpans(query, (span) => spans.push(span));
        } catch (err) {
          return json(502, { message: err instanceof Error ? err.message : String(err) });
        }
        fetched = spans;
      }
      const collect = (): SpanColumns => {
        const columns = new SpanColumns({ includeSpanName: query.operation === undefined });
        if (fetched) for (const span of fetched) columns.add(span);
        else deps.traces.scanSpans(query, (span) => columns.add(span));
        return columns;
      };
      return json(200, { data: await comparer.compare(collect, selection) });
    }),
  );
  router.route(
    'GET',
    '/api/orrery/v1/findings',
    guarded(async (req) => {
      const { startMs, endMs } = parseFindings(req.query, now());
      return json(200, { data: await findFindings(deps, startMs, endMs) });
    }),
  );
}
