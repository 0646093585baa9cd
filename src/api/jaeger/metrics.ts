// Jaeger's Service Performance Monitoring API (the Monitor tab): GET /api/metrics/latencies,
// /calls, /errors and /minstep. Like Jaeger's Prometheus metrics reader, each route is one PromQL
// range query over the span metrics (traces_span_metrics_*), answered as Jaeger's
// metrics.MetricFamily in protobuf JSON (the shape jaeger-query writes with jsonpb).
import { SPAN_METRICS } from '../../names/contract.js';
import { QueryError, type MatrixSeries, type QueryService } from '../../promql/value.js';
import type { Labels } from '../../labels/labels.js';
import type { Querier } from '../../storage/storage.js';
import type { ApiRequest, ApiResponse, Router } from '../http.js';
import { json } from '../http.js';
import { fail, guarded, ok } from './envelope.js';
import { ParamError } from './params.js';
import { goQuote } from '../../gocompat/quote.js';

export interface JaegerMetricsDeps {
  readonly engine: QueryService;
  readonly querier: Querier;
  /** wall clock in ms, the default endTs */
  readonly now: () => number;
}

// Jaeger's defaults (jaeger-query's default_params.go)
const DEFAULT_LOOKBACK_MS = 3600_000;
const DEFAULT_STEP_MS = 5_000;
const DEFAULT_RATE_PER_MS = 600_000;
const DEFAULT_SPAN_KINDS = ['SPAN_KIND_SERVER'];
/** Prometheus's limit on points per series of a range query */
const MAX_POINTS = 11_000;
/** the smallest step a Prometheus-backed Jaeger reports */
const MIN_STEP_MS = 1;

/** Jaeger's spanKind words → the span_kind label values of the span metrics. */
const SPAN_KINDS: Readonly<Record<string, string>> = {
  unspecified: 'SPAN_KIND_UNSPECIFIED',
  internal: 'SPAN_KIND_INTERNAL',
  server: 'SPAN_KIND_SERVER',
  client: 'SPAN_KIND_CLIENT',
  producer: 'SPAN_KIND_PRODUCER',
  consumer: 'SPAN_KIND_CONSUMER',
};

/** The parameters every metrics route shares (Jaeger's BaseQueryParameters), times in ms. */
export interface MetricsQuery {
  readonly services: readonly string[];
  readonly groupByOperation: boolean;
  readonly spanKinds: readonly string[];
  readonly endMs: number;
  readonly lookbackMs: number;
  readonly stepMs: number;
  readonly ratePerMs: number;
}

function paramError(name: string, detail: string): ParamError {
  return new ParamError(`unable to parse param '${name}': ${detail}`);
}

/** Go's strconv.ParseInt(s, 10, 64), with its error text. */
function parseGoInt(name: string, raw: string): number {
  if (!/^[+-]?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)))
    throw paramError(name, `strconv.ParseInt: parsing ${goQuote(raw)}: invalid syntax`);
  return Number(raw);
}

function durationMs(q: URLSearchParams, name: string, dflt: number, min: number): number {
  const raw = q.get(name) ?? '';
  if (raw === '') return dflt;
  const v = parseGoInt(name, raw);
  if (v < min) throw paramError(name, `must be at least ${min} ms, got ${raw}`);
  return v;
}

function parseGoBool(name: string, raw: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw)) return false;
  throw paramError(name, `strconv.ParseBool: parsing ${goQuote(raw)}: invalid syntax`);
}

/** The query string of a metrics route, as jaeger-query's parseMetricsQueryParams reads it. */
export function parseMetricsQuery(q: URLSearchParams, nowMs: number): MetricsQuery {
  const services = q.getAll('service').filter((s) => s !== '');
  if (services.length === 0) throw paramError('service', 'please provide at least one service name');
  const rawGroup = q.get('groupByOperation') ?? '';
  const groupByOperation = rawGroup === '' ? false : parseGoBool('groupByOperation', rawGroup);
  const kinds = q.getAll('spanKind');
  let spanKinds = DEFAULT_SPAN_KINDS;
  if (kinds.length > 0) {
    spanKinds = kinds.map((k) => {
      const label = SPAN_KINDS[k];
      if (label === undefined) throw paramError('spanKind', `unsupported span kind: '${k}'`);
      return label;
    });
  }
  const rawEnd = q.get('endTs') ?? '';
  const endMs = rawEnd === '' ? nowMs : parseGoInt('endTs', rawEnd);
  if (endMs < 0) throw paramError('endTs', `must not be negative, got ${rawEnd}`);
  const lookbackMs = durationMs(q, 'lookback', DEFAULT_LOOKBACK_MS, 0);
  const stepMs = durationMs(q, 'step', DEFAULT_STEP_MS, MIN_STEP_MS);
  const ratePerMs = durationMs(q, 'ratePer', DEFAULT_RATE_PER_MS, 1);
  if (lookbackMs / stepMs + 1 > MAX_POINTS) {
    throw new ParamError(
      `exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)`,
    );
  }
  return { services, groupByOperation, spanKinds, endMs, lookbackMs, stepMs, ratePerMs };
}

/** The quantile of /latencies: required, within [0, 1]. */
export function parseQuantile(q: URLSearchParams): number {
  const raw = q.get('quantile') ?? '';
  const v = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw.trim()) && raw.trim() === raw ? Number(raw) : NaN;
  if (Number.isNaN(v)) throw paramError('quantile', `strconv.ParseFloat: parsing ${goQuote(raw)}: invalid syntax`);
  if (v < 0 || v > 1) throw paramError('quantile', `must be between 0 and 1, got ${raw}`);
  return v;
}

/** A regex alternative that matches each name literally (names come from the network). */
function literalAlternatives(values: readonly string[]): string {
  return values.map((v) => v.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')).join('|');
}

/** The label selector body shared by the queries: services and span kinds. */
function selector(p: MetricsQuery, extra = ''): string {
  const kinds = literalAlternatives(p.spanKinds);
  return `{service_name=~${goQuote(literalAlternatives(p.services))}, span_kind=~${goQuote(kinds)}${extra}}`;
}

function groupBy(p: MetricsQuery, bucket: boolean): string {
  return ['service_name', ...(p.groupByOperation ? ['span_name'] : []), ...(bucket ? ['le'] : [])].join(',');
}

/** The PromQL Jaeger's Prometheus reader sends, over Orrery's span metric names. */
export function latencyQuery(p: MetricsQuery, quantile: number): string {
  return `histogram_quantile(${quantile}, sum(rate(${SPAN_METRICS.durationBucket}${selector(p)}[${p.ratePerMs}ms])) by (${groupBy(p, true)}))`;
}

export function callRateQuery(p: MetricsQuery): string {
  return `sum(rate(${SPAN_METRICS.calls}${selector(p)}[${p.ratePerMs}ms])) by (${groupBy(p, false)})`;
}

export function errorRateQuery(p: MetricsQuery): string {
  const errors = `sum(rate(${SPAN_METRICS.calls}${selector(p, ', status_code="STATUS_CODE_ERROR"')}[${p.ratePerMs}ms])) by (${groupBy(p, false)})`;
  return `${errors} / ${callRateQuery(p)}`;
}

// ---- the answer: metrics.MetricFamily as protobuf JSON

/** jsonpb writes non-finite doubles as strings. */
type JsonDouble = number | 'NaN' | 'Infinity' | '-Infinity';

export interface JaegerMetricPoint {
  readonly gaugeValue: { readonly doubleValue: JsonDouble };
  /** RFC 3339, UTC */
  readonly timestamp: string;
}

export interface JaegerMetric {
  readonly labels: readonly { readonly name: string; readonly value: string }[];
  readonly metricPoints?: readonly JaegerMetricPoint[];
}

export interface JaegerMetricFamily {
  readonly name: string;
  readonly type: 'GAUGE';
  readonly help: string;
  /** absent when empty, as jsonpb omits empty repeated fields */
  readonly metrics?: readonly JaegerMetric[];
}

function jsonDouble(v: number): JsonDouble {
  if (Number.isFinite(v)) return v;
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? 'Infinity' : '-Infinity';
}

/** google.protobuf.Timestamp in jsonpb: RFC 3339 with 0, 3, 6 or 9 fraction digits. */
export function protoTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Jaeger's label names: the span metrics' span_name is the UI's "operation". */
function toJaegerLabels(labels: Labels): JaegerMetric['labels'] {
  return labels.map((l) => ({ name: l.name === 'span_name' ? 'operation' : l.name, value: l.value }));
}

function toFamily(name: string, help: string, series: readonly MatrixSeries[]): JaegerMetricFamily {
  const metrics = series.map((s): JaegerMetric => {
    const points = s.t.map((t, i) => ({
      gaugeValue: { doubleValue: jsonDouble(s.v[i]!) },
      timestamp: protoTimestamp(t),
    }));
    return points.length > 0
      ? { labels: toJaegerLabels(s.metric), metricPoints: points }
      : { labels: toJaegerLabels(s.metric) };
  });
  return metrics.length > 0 ? { name, type: 'GAUGE', help, metrics } : { name, type: 'GAUGE', help };
}

function labelsKey(labels: Labels): string {
  return labels.map((l) => `${l.name}\u0000${l.value}`).join('\u0001');
}

/**
 * Error rates with a 0 wherever a series has calls and no errors (the error counter of a
 * service that never failed does not exist, so the division alone would say "no data").
 */
export function fillZeroErrors(errors: readonly MatrixSeries[], calls: readonly MatrixSeries[]): MatrixSeries[] {
  const byKey = new Map(errors.map((s) => [labelsKey(s.metric), s]));
  const out: MatrixSeries[] = [];
  for (const c of calls) {
    const e = byKey.get(labelsKey(c.metric));
    byKey.delete(labelsKey(c.metric));
    const at = new Map<number, number>();
    for (let i = 0; i < c.t.length; i++) at.set(c.t[i]!, 0);
    if (e) for (let i = 0; i < e.t.length; i++) at.set(e.t[i]!, e.v[i]!);
    const t = [...at.keys()].sort((a, b) => a - b);
    out.push({ metric: c.metric, t, v: t.map((x) => at.get(x)!) });
  }
  out.push(...byKey.values());
  return out.sort((a, b) => (labelsKey(a.metric) < labelsKey(b.metric) ? -1 : 1));
}

/** Jaeger's metric names and help texts ("service_…", or "service_operation_…" when grouped by operation). */
function naming(p: MetricsQuery, base: string, help: string): { name: string; help: string } {
  return p.groupByOperation
    ? { name: base.replace('service', 'service_operation'), help: `${help} & operation` }
    : { name: base, help };
}

export function registerJaegerMetricsApi(router: Router, deps: JaegerMetricsDeps): void {
  const range = async (p: MetricsQuery, query: string): Promise<MatrixSeries[]> => {
    const v = await deps.engine.rangeQuery(deps.querier, query, p.endMs - p.lookbackMs, p.endMs, p.stepMs);
    return v.type === 'matrix' ? [...v.series] : [];
  };
  /** Runs the route's queries; engine failures are the backend's, answered as jaeger-query does (500). */
  const route = (path: string, answer: (req: ApiRequest, p: MetricsQuery) => Promise<JaegerMetricFamily>): void => {
    router.route(
      'GET',
      path,
      guarded(async (req): Promise<ApiResponse> => {
        const p = parseMetricsQuery(req.query, deps.now());
        try {
          return json(200, await answer(req, p));
        } catch (err) {
          if (err instanceof QueryError) return fail(500, `failed executing metrics query: ${err.message}`);
          throw err;
        }
      }),
    );
  };

  route('/api/metrics/latencies', async (req, p) => {
    const quantile = parseQuantile(req.query);
    const n = naming(p, 'service_latencies', `${quantile.toFixed(2)}th quantile latency, grouped by service`);
    return toFamily(n.name, n.help, await range(p, latencyQuery(p, quantile)));
  });
  route('/api/metrics/calls', async (_req, p) => {
    const n = naming(p, 'service_call_rate', 'calls/sec, grouped by service');
    return toFamily(n.name, n.help, await range(p, callRateQuery(p)));
  });
  route('/api/metrics/errors', async (_req, p) => {
    const n = naming(
      p,
      'service_error_rate',
      'error rate, computed as a fraction of errors/sec over calls/sec, grouped by service',
    );
    const [errors, calls] = await Promise.all([range(p, errorRateQuery(p)), range(p, callRateQuery(p))]);
    return toFamily(n.name, n.help, fillZeroErrors(errors, calls));
  });
  router.route(
    'GET',
    '/api/metrics/minstep',
    guarded(() => ok(MIN_STEP_MS, 0)),
  );
}
