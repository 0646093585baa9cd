// A client of the Prometheus HTTP API (the backend's /api/v1). Errors carry Prometheus's own
// wording, so panels and Explore can show exactly what the server said.

export type Metric = Record<string, string>;

export interface MatrixSeries {
  readonly metric: Metric;
  /** [unix seconds, "value"] as Prometheus writes them */
  readonly values: readonly [number, string][];
}

export interface VectorSample {
  readonly metric: Metric;
  readonly value: [number, string];
}

export type InstantResult =
  | { readonly resultType: 'vector'; readonly result: readonly VectorSample[] }
  | { readonly resultType: 'matrix'; readonly result: readonly MatrixSeries[] }
  | { readonly resultType: 'scalar' | 'string'; readonly result: [number, string] };

export class PrometheusError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'PrometheusError';
  }
}

interface Envelope<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

async function call<T>(path: string, params: Record<string, string | string[]>, signal?: AbortSignal): Promise<T> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
  }
  // POST with a form body, as Grafana does, so long queries never hit URL limits.
  const res = await fetch(`/api/v1/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
    signal,
  });
  return readEnvelope<T>(res);
}

/** What came back instead of Prometheus's envelope: status, content type and the start of the body (shown as text). */
function notPrometheus(res: Response, text: string): string {
  const type = (res.headers.get('content-type') ?? 'no content type').split(';')[0];
  const start = text.slice(0, 120).replace(/\s+/g, ' ').trim();
  return `the metrics source answered HTTP ${res.status} ${type}${start ? ` "${start}${text.length > 120 ? '…' : ''}"` : ' (empty)'}`;
}

/** Unwraps Prometheus's {status, data | errorType, error} envelope, keeping its error text. */
async function readEnvelope<T>(res: Response): Promise<T> {
  const text = await res.text();
  let env: Envelope<T>;
  try {
    env = JSON.parse(text) as Envelope<T>;
  } catch {
    throw new PrometheusError('bad_response', `${notPrometheus(res, text)}, not JSON`, res.status);
  }
  if (typeof env === 'object' && env !== null && env.status === undefined && typeof env.error === 'string') {
    // the backend's own refusal (e.g. the proxy's 502 when an external engine is down)
    throw new PrometheusError('unavailable', env.error, res.status);
  }
  if (typeof env !== 'object' || env === null || (env.status !== 'success' && env.status !== 'error')) {
    throw new PrometheusError('bad_response', `${notPrometheus(res, text)}, not a Prometheus API answer`, res.status);
  }
  if (env.status !== 'success' || env.data === undefined) {
    throw new PrometheusError(env.errorType ?? 'unknown', env.error ?? `HTTP ${res.status}`, res.status);
  }
  return env.data;
}

export function queryRange(
  expr: string,
  startMs: number,
  endMs: number,
  stepMs: number,
  signal?: AbortSignal,
): Promise<{ resultType: 'matrix'; result: MatrixSeries[] }> {
  return call(
    'query_range',
    { query: expr, start: String(startMs / 1000), end: String(endMs / 1000), step: String(stepMs / 1000) },
    signal,
  );
}

export function queryInstant(expr: string, timeMs: number, signal?: AbortSignal): Promise<InstantResult> {
  return call('query', { query: expr, time: String(timeMs / 1000) }, signal);
}

/** The exemplars of the series an expression selects, in [startMs, endMs] (the answer's `data`, unchecked). */
export function queryExemplars(expr: string, startMs: number, endMs: number, signal?: AbortSignal): Promise<unknown> {
  return call('query_exemplars', { query: expr, start: String(startMs / 1000), end: String(endMs / 1000) }, signal);
}

export function labelNames(match: string[] = [], signal?: AbortSignal): Promise<string[]> {
  return call('labels', match.length ? { 'match[]': match } : {}, signal);
}

export async function labelValues(name: string, match: string[] = [], signal?: AbortSignal): Promise<string[]> {
  const qs = new URLSearchParams();
  for (const m of match) qs.append('match[]', m);
  const res = await fetch(`/api/v1/label/${encodeURIComponent(name)}/values?${qs.toString()}`, { signal });
  return readEnvelope<string[]>(res);
}

/** Go's float text ("NaN", "+Inf") to a number. */
export function parseSampleValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}
