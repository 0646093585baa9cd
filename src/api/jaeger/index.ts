// The Jaeger query HTTP API (the one the Jaeger UI and Grafana's Jaeger data source call):
// translate HTTP to TraceReader calls and back, in Jaeger's envelope and error shapes.
import type { Router } from '../http.js';
import type { TraceReader } from '../../traces/storage.js';
import type { QueryEngine } from '../../promql/value.js';
import type { Querier } from '../../tsdb/storage.js';
import { toJaegerTrace, type JaegerTrace } from './convert.js';
import { fail, guarded, ok, type JaegerError } from './envelope.js';
import { registerJaegerMetricsApi } from './metrics.js';
import { ParamError, parseDependencies, parseTraceSearch } from './params.js';

export interface JaegerApiOptions {
  /** wall clock in ms (default Date.now), for the default search window */
  readonly now?: () => number;
  /** where the span metrics are, for the SPM metrics API (/api/metrics/*); without it those routes are absent */
  readonly metrics?: { readonly engine: QueryEngine; readonly querier: Querier };
}

const HEX_ID = /^[0-9a-fA-F]{1,32}$/;

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
        const data: JaegerTrace[] = [];
        const errors: JaegerError[] = [];
        for (const id of search.traceIds) {
          if (!HEX_ID.test(id))
            throw new ParamError(`unable to parse param 'traceID': ${JSON.stringify(id)} is not a hex trace ID`);
          const t = reader.getTrace(id);
          if (t) data.push(toJaegerTrace(t));
          else errors.push({ code: 404, msg: 'trace not found', traceID: id });
        }
        return ok(data, data.length, errors.length > 0 ? errors : null);
      }
      const data = reader.findTraces(search.query).map(toJaegerTrace);
      return ok(data, data.length);
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
      return ok([toJaegerTrace(t)], 1);
    }),
  );

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
