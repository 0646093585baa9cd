// Prometheus's HTTP API v1 (the query and metadata endpoints), with request handling, error texts
// and response bytes as Prometheus 2.42 produces them. It translates HTTP to the Storage readers
// and the QueryEngine and back; it computes nothing itself.
import type { ApiRequest, ApiResponse, Router } from '../http.js';
import { compareLabels, labelsKey, type Labels } from '../../labels/labels.js';
import type { Matcher } from '../../labels/matcher.js';
import type { MetricMetadata, Storage } from '../../storage/storage.js';
import { QueryError, type QueryErrorType, type QueryOptions, type QueryService } from '../../promql/value.js';
import { children, parseExpr, parseMetricSelector, exprToString, type Expr } from '../../promql/parser/index.js';
import {
  errorJson,
  exemplarsJson,
  labelsJson,
  metadataJson,
  queryDataJson,
  stringArrayJson,
  successJson,
  goJsonString,
} from './encode.js';
import {
  Form,
  MAX_TIME_MS,
  MIN_TIME_MS,
  ParamError,
  evalTimeMs,
  goTimeBefore,
  goTimeSubNs,
  invalidParam,
  parseDurationNs,
  parseGoTime,
  parseGoTimeParam,
  parseTimeParam,
  type GoTime,
} from './params.js';
import { goQuote } from '../../gocompat/quote.js';

export interface PrometheusApiDeps {
  readonly storage: Storage;
  /** the engine in this thread, or the worker pool */
  readonly engine: QueryService;
  /** ms since the epoch; default Date.now */
  readonly now?: () => number;
  /** what /api/v1/status/buildinfo reports */
  readonly buildInfo?: Partial<BuildInfo>;
}

export interface BuildInfo {
  readonly version: string;
  readonly revision: string;
  readonly branch: string;
  readonly buildUser: string;
  readonly buildDate: string;
  readonly goVersion: string;
}

/** Prometheus's 11,000-points limit of query_range. */
const MAX_POINTS = 11000;

const STATUS: Record<QueryErrorType, number> = {
  bad_data: 400,
  execution: 422,
  timeout: 503,
  canceled: 503,
  internal: 500,
};

function ok(dataJson: string): ApiResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: successJson(dataJson) };
}

function fail(type: QueryErrorType, message: string): ApiResponse {
  return { status: STATUS[type], headers: { 'content-type': 'application/json' }, body: errorJson(type, message) };
}

function badData(message: string): ApiResponse {
  return fail('bad_data', message);
}

/** Prometheus's model.LabelNameRE */
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Prometheus's parseMatchersParam: each match[] is a selector; each set needs a matcher that rejects "". */
function parseMatchersParam(values: readonly string[]): Matcher[][] {
  const sets = values.map((s) => {
    try {
      return parseMetricSelector(s);
    } catch (e) {
      throw new ParamError(errorText(e));
    }
  });
  for (const ms of sets) {
    if (!ms.some((m) => !m.matches(''))) throw new ParamError('match[] must contain at least one non-empty matcher');
  }
  return sets;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The vector selectors of an expression (parser.ExtractSelectors), for query_exemplars. */
function extractSelectors(expr: Expr): Matcher[][] {
  const out: Matcher[][] = [];
  // Depth first, left to right, without recursion (operator chains may have 100,000 terms).
  const stack: Expr[] = [expr];
  for (let e = stack.pop(); e !== undefined; e = stack.pop()) {
    if (e.type === 'VectorSelector') out.push([...e.matchers]);
    else stack.push(...children(e).reverse());
  }
  return out;
}

/** Merges and de-duplicates label-set lists, in label order (storage.NewMergeSeriesSet). */
function mergeLabelSets(lists: readonly Labels[][]): Labels[] {
  const seen = new Map<string, Labels>();
  for (const list of lists) {
    for (const l of list) {
      const key = labelsKey(l);
      if (!seen.has(key)) seen.set(key, l);
    }
  }
  return [...seen.values()].sort(compareLabels);
}

export function registerPrometheusApi(router: Router, deps: PrometheusApiDeps): void {
  const { storage, engine } = deps;
  const now = deps.now ?? Date.now;
  const build: BuildInfo = {
    version: '2.42.0',
    revision: 'orrery',
    branch: 'orrery',
    buildUser: 'orrery',
    buildDate: '',
    goVersion: `node${process.versions.node}`,
    ...deps.buildInfo,
  };

  /** Runs a handler, turning ParamError into bad_data and engine errors into their errorType. */
  const wrap =
    (fn: (form: Form, req: ApiRequest) => ApiResponse | Promise<ApiResponse>) =>
    async (req: ApiRequest): Promise<ApiResponse> => {
      try {
        return await fn(new Form(req), req);
      } catch (e) {
        if (e instanceof ParamError) return badData(e.message);
        if (e instanceof QueryError) return fail(e.errorType, e.message);
        return fail('internal', errorText(e));
      }
    };

  const timeoutOpt = (form: Form): QueryOptions => {
    const to = form.value('timeout');
    if (to === '') return {};
    let ns: number;
    try {
      ns = parseDurationNs(to);
    } catch (e) {
      throw invalidParam('timeout', errorText(e));
    }
    return { timeoutMs: ns / 1e6 };
  };

  const query = wrap(async (form) => {
    let t: number;
    try {
      t = form.value('time') === '' ? now() : evalTimeMs(parseGoTimeParam(form, 'time'));
    } catch (e) {
      return badData(errorText(e));
    }
    const opts = timeoutOpt(form);
    try {
      return ok(queryDataJson(await engine.instantQuery(storage, form.value('query'), t, opts)));
    } catch (e) {
      // Parse errors come from NewInstantQuery, which the API reports as an invalid "query" parameter.
      if (e instanceof QueryError && e.errorType === 'bad_data')
        return badData(`invalid parameter "query": ${e.message}`);
      throw e;
    }
  });

  const queryRange = wrap(async (form) => {
    let start: GoTime;
    let end: GoTime;
    try {
      start = parseGoTime(form.value('start'));
    } catch (e) {
      throw invalidParam('start', errorText(e));
    }
    try {
      end = parseGoTime(form.value('end'));
    } catch (e) {
      throw invalidParam('end', errorText(e));
    }
    if (goTimeBefore(end, start)) throw invalidParam('end', 'end timestamp must not be before start time');
    let stepNs: number;
    try {
      stepNs = parseDurationNs(form.value('step'));
    } catch (e) {
      throw invalidParam('step', errorText(e));
    }
    if (stepNs <= 0) {
      throw invalidParam(
        'step',
        'zero or negative query resolution step widths are not accepted. Try a positive integer',
      );
    }
    // Go divides two time.Durations (integer nanoseconds).
    if (goTimeSubNs(end, start) / BigInt(stepNs) > BigInt(MAX_POINTS)) {
      throw new ParamError(
        'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
      );
    }
    const opts = timeoutOpt(form);
    const stepMs = Math.trunc(stepNs / 1e6);
    // A sub-millisecond step truncates to 0 ms inside Prometheus's engine, which then divides by it.
    if (stepMs === 0) return fail('execution', 'unexpected error: runtime error: integer divide by zero');
    const value = await engine.rangeQuery(
      storage,
      form.value('query'),
      evalTimeMs(start),
      evalTimeMs(end),
      stepMs,
      opts,
    );
    return ok(queryDataJson(value));
  });

  const series = wrap((form) => {
    const match = form.values('match[]');
    if (match.length === 0) return badData('no match[] parameter provided');
    const start = parseTimeParam(form, 'start', MIN_TIME_MS);
    const end = parseTimeParam(form, 'end', MAX_TIME_MS);
    let sets: Matcher[][];
    try {
      sets = parseMatchersParam(match);
    } catch (e) {
      throw invalidParam('match[]', errorText(e));
    }
    const lists = sets.map((ms) => storage.series(ms, start, end));
    const result = lists.length === 1 ? lists[0]! : mergeLabelSets(lists);
    return ok('[' + result.map(labelsJson).join(',') + ']');
  });

  const labelNames = wrap((form) => {
    const start = parseTimeParam(form, 'start', MIN_TIME_MS);
    const end = parseTimeParam(form, 'end', MAX_TIME_MS);
    const sets = parseMatchersParam(form.values('match[]'));
    let names: string[];
    if (sets.length > 0) {
      const all = new Set<string>();
      for (const ms of sets) for (const n of storage.labelNames(ms, start, end)) all.add(n);
      names = [...all].sort();
    } else {
      names = storage.labelNames([], start, end);
    }
    return ok(stringArrayJson(names));
  });

  const labelValues = wrap((form, req) => {
    const name = req.params['name'] ?? '';
    if (!LABEL_NAME_RE.test(name)) return badData(`invalid label name: ${goQuote(name)}`);
    const start = parseTimeParam(form, 'start', MIN_TIME_MS);
    const end = parseTimeParam(form, 'end', MAX_TIME_MS);
    const sets = parseMatchersParam(form.values('match[]'));
    const all = new Set<string>();
    if (sets.length > 0) {
      for (const ms of sets) for (const v of storage.labelValues(name, ms, start, end)) all.add(v);
    } else {
      for (const v of storage.labelValues(name, [], start, end)) all.add(v);
    }
    return ok(stringArrayJson([...all].sort()));
  });

  const queryExemplars = wrap((form) => {
    const start = parseTimeParam(form, 'start', MIN_TIME_MS);
    const end = parseTimeParam(form, 'end', MAX_TIME_MS);
    if (end < start) return badData('end timestamp must not be before start timestamp');
    let expr: Expr;
    try {
      expr = parseExpr(form.value('query'));
    } catch (e) {
      return badData(errorText(e));
    }
    const selectors = extractSelectors(expr);
    // No selector: Prometheus answers with no data at all, which its router sends as 204.
    if (selectors.length === 0) return { status: 204 };
    return ok(exemplarsJson(storage.selectExemplars(selectors, start, end)));
  });

  const metadata = wrap((form) => {
    let limit = -1;
    const ls = form.value('limit');
    if (ls !== '') {
      // strconv.Atoi: optional sign and decimal digits only.
      if (!/^[+-]?\d+$/.test(ls) || !Number.isSafeInteger(Number(ls))) return badData('limit must be a number');
      limit = Number(ls);
    }
    const metric = form.value('metric');
    const all = metric === '' ? storage.metadata() : storage.metadata(metric);
    const entries: [string, MetricMetadata[]][] = [];
    for (const [name, m] of all) {
      if (limit >= 0 && entries.length >= limit) break;
      entries.push([name, [m]]);
    }
    return ok(metadataJson(entries));
  });

  const buildinfo = wrap(() =>
    ok(
      `{"version":${goJsonString(build.version)},"revision":${goJsonString(build.revision)},"branch":${goJsonString(build.branch)},` +
        `"buildUser":${goJsonString(build.buildUser)},"buildDate":${goJsonString(build.buildDate)},"goVersion":${goJsonString(build.goVersion)}}`,
    ),
  );

  // Prometheus's format_query prints with Pretty(0); the parser's String() form is what Orrery has.
  const formatQuery = wrap((form) => {
    let expr: Expr;
    try {
      expr = parseExpr(form.value('query'));
    } catch (e) {
      throw invalidParam('query', errorText(e));
    }
    return ok(goJsonString(exprToString(expr)));
  });

  // POST only carries long queries as a form (as Grafana sends them): these routes never write.
  const readOnly = { readOnly: true };
  for (const method of ['GET', 'POST']) {
    router.route(method, '/api/v1/query', query, readOnly);
    router.route(method, '/api/v1/query_range', queryRange, readOnly);
    router.route(method, '/api/v1/query_exemplars', queryExemplars, readOnly);
    router.route(method, '/api/v1/series', series, readOnly);
    router.route(method, '/api/v1/labels', labelNames, readOnly);
    router.route(method, '/api/v1/format_query', formatQuery, readOnly);
  }
  router.route('GET', '/api/v1/label/:name/values', labelValues);
  router.route('GET', '/api/v1/metadata', metadata);
  router.route('GET', '/api/v1/status/buildinfo', buildinfo);
}
