// The Jaeger query HTTP API (the one the Jaeger UI and Grafana's Jaeger data source call):
// translate HTTP to TraceReader calls and back, in Jaeger's envelope and error shapes.
import type { ApiResponse, Router } from '../http.js';
import type { Trace, TraceReader } from '../../traces/storage.js';
import { toJsonText } from '../../otlp/json-text.js';
import type { QueryService } from '../../promql/value.js';
import type { Querier } from '../../storage/storage.js';
import { jaegerTraceId, toJaegerTrace } from './convert.js';
import { fail, guarded, ok, type JaegerError } from './envelope.js';
import { registerJaegerMetricsApi } from './metrics.js';
import { ParamError, parseDependencies, parseTraceSearch } from './params.js';

export interface JaegerApiOptions {
  /** wall clock in ms (default Date.now), for the default search window */
  readonly now?: () => number;
  /** where the span metrics are, for the SPM metrics API (/api/metrics/*); without it those routes are absent */
  readonly metrics?: { readonly engine: QueryService; readonly querier: Querier };
}

const HEX_ID = /^[0-9a-fA-F]{1,32}$/;

/**
 * Converts one trace into `data`, or, when it cannot be shown (a stored value that breaks the
 * conversion), reports it in `errors` so the other traces of the answer are still served.
 */
function convertInto(trace: Trace, data: string[], errors: JaegerError[]): void {
  try {
    data.push(toJsonText(toJaegerTrace(trace)));
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    errors.push({ code: 500, msg: `trace could not be read: ${detail}`, traceID: jaegerTraceId(trace.traceId) });
  }
}

/** Jaeger's structuredResponse for traces, each already written as JSON text by convertInto. */
function okTraces(data: string[], errors: JaegerError[]): ApiResponse {
  const errorsText = toJsonText(errors.length > 0 ? errors : null);
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: `{"data":[${data.join(',')}],"total":${data.length},"limit":0,"offset":0,"errors":${errorsText}}`,
  };
}

export function registerJaegerApi(router: Router, reader: TraceReader, opts: JaegerApiOptions = {}): void {
  const now = opts.now ?? Date.now;
  if (opts.metrics) registerJaegerMetricsApi(router, { ...opts.metrics, now });

  router.route(
    'GET',
    '/api/services',
    guarded(() => {
      const services = reader.getServices();
      return ok(services, services.length);
    }),
  );

  // the legacy form: operation names only
  router.route(
    'GET',
    '/api/services/:service/operations',
    guarded((req) => {
      const names = [...new Set(reader.getOperations({ service: req.params['service'] ?? '' }).map((o) => o.name))];
      return ok(names, names.length);
    }),
  );

  router.route(
    'GET',
    '/api/operations',
    guarded((req) => {
      const service = req.query.get('service') ?? '';
      if (service === '') throw new ParamError(`parameter 'service' is required`);
      const spanKind = req.query.get('spanKind') ?? '';
      const ops = reader.getOperations({ service, spanKind: spanKind === '' ? undefined : spanKind });
      return ok(ops, ops.length);
    }),
  );

  router.route(
    'GET',
    '/api/traces',
    guarded((req) => {
      const search = parseTraceSearch(req.query, now());
      if (search.traceIds.length > 0) {
        const data: string[] = [];
        const errors: JaegerError[] = [];
        for (const id of search.traceIds) {
          if (!HEX_ID.test(id))
            throw new ParamError(`unable to parse param 'traceID': ${JSON.stringify(id)} is not a hex trace ID`);
          const t = reader.getTrace(id);
          if (t) convertInto(t, data, errors);
          else errors.push({ code: 404, msg: 'trace not found', traceID: id });
        }
        return okTraces(data, errors);
      }
      const data: string[] = [];
      const errors: JaegerError[] = [];
      for (const t of reader.findTraces(search.query)) convertInto(t, data, errors);
      return okTraces(data, errors);
    }),
  );

  router.route(
    'GET',
    '/api/traces/:traceID',
    guarded((req) => {
      const id = req.params['traceID'] ?? '';
      if (!HEX_ID.test(id))
        throw new ParamError(
          `unable to parse param 'traceID': ${JSON.stringify(id)} is not a hex trace ID of up to 32 digits`,
        );
      const t = reader.getTrace(id);
      if (!t) return fail(404, 'trace not found');
      const data: string[] = [];
      const errors: JaegerError[] = [];
      convertInto(t, data, errors);
      return errors.length > 0 ? fail(500, errors[0]!.msg) : okTraces(data, errors);
    }),
  );

  // Paths under /api/ that no API serves get Jaeger's envelope, as a Jaeger client expects
  // (the Prometheus API answers its own /api/v1/ paths; the longest fallback wins).
  router.route('*', '/api/*', (req) => fail(404, `no API at ${req.method} ${req.path}`), { fallback: true });

  router.route(
    'GET',
    '/api/dependencies',
    guarded((req) => {
      const { endTsMs, lookbackMs } = parseDependencies(req.query, now());
      const links = reader.getDependencies(endTsMs, lookbackMs);
      return ok(links, links.length);
    }),
  );
}
