// PromQL answered by an external Prometheus (`--prometheus-url`): the QueryService the diagnosis
// findings and the Jaeger monitor API use, over Prometheus's own HTTP API (POST forms, as
// Grafana sends them). The querier argument of the interface is ignored: the engine reads its
// own storage. Errors keep Prometheus's errorType and text; an answer that is not Prometheus's
// envelope says what came back.
import { labelsFromRecord } from '../labels/labels.js';
import { parseGoFloat } from '../gocompat/float.js';
import { formatTimestamp } from '../api/prometheus/encode.js';
import {
  QueryError,
  type MatrixSeries,
  type QueryErrorType,
  type QueryOptions,
  type QueryService,
  type QueryValue,
  type VectorSample,
} from '../promql/value.js';
import type { Querier } from '../storage/storage.js';
import { Upstream, UpstreamError } from './upstream.js';
import { isRecord } from '../json/record.js';

const ERROR_TYPES: ReadonlySet<string> = new Set(['bad_data', 'execution', 'timeout', 'canceled', 'internal']);

export class RemotePrometheus implements QueryService {
  constructor(
    private readonly upstream: Upstream,
    private readonly defaultTimeoutMs = 120_000,
  ) {}

  instantQuery(_querier: Querier, query: string, timeMs: number, opts?: QueryOptions): Promise<QueryValue> {
    return this.call('/api/v1/query', { query, time: formatTimestamp(timeMs) }, opts);
  }

  rangeQuery(
    _querier: Querier,
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts?: QueryOptions,
  ): Promise<QueryValue> {
    const form = { query, start: formatTimestamp(startMs), end: formatTimestamp(endMs), step: String(stepMs / 1000) };
    return this.call('/api/v1/query_range', form, opts);
  }

  private async call(path: string, form: Record<string, string>, opts?: QueryOptions): Promise<QueryValue> {
    const timeoutMs = opts?.timeoutMs ?? this.defaultTimeoutMs;
    const body = new URLSearchParams({ ...form, timeout: `${timeoutMs / 1000}s` }).toString();
    let answer: { status: number; body: unknown };
    try {
      // a little longer than the query's own timeout, so Prometheus's timeout error wins
      answer = await this.upstream.json('POST', path, { body, timeoutMs: timeoutMs + 5000 });
    } catch (err) {
      throw new QueryError('internal', err instanceof UpstreamError ? err.message : String(err));
    }
    return decodeQueryAnswer(answer.body, answer.status, this.upstream.displayUrl);
  }
}

/** Prometheus's {status, data:{resultType, result}} → QueryValue; anything else is a QueryError naming the engine. */
export function decodeQueryAnswer(body: unknown, httpStatus: number, engine: string): QueryValue {
  const bad = (what: string): QueryError =>
    new QueryError('internal', `${engine} answered HTTP ${httpStatus} with ${what}, not a Prometheus query result`);
  if (!isRecord(body)) throw bad('a JSON value that is not an object');
  if (body.status === 'error') {
    const type = typeof body.errorType === 'string' && ERROR_TYPES.has(body.errorType) ? body.errorType : 'internal';
    throw new QueryError(type as QueryErrorType, typeof body.error === 'string' ? body.error : `HTTP ${httpStatus}`);
  }
  const data = body.data;
  if (body.status !== 'success' || !isRecord(data)) throw bad('an object without status "success" and data');
  const result = data.result;
  switch (data.resultType) {
    case 'vector': {
      if (!Array.isArray(result)) throw bad('a vector result that is not a list');
      return { type: 'vector', samples: result.map((s) => vectorSample(s, bad)) };
    }
    case 'matrix': {
      if (!Array.isArray(result)) throw bad('a matrix result that is not a list');
      return { type: 'matrix', series: result.map((s) => matrixSeries(s, bad)) };
    }
    case 'scalar':
    case 'string': {
      const [t, v] = point(result, bad);
      return data.resultType === 'scalar' ? { type: 'scalar', t, v: sampleValue(v, bad) } : { type: 'string', t, v };
    }
    default:
      throw bad(`resultType ${JSON.stringify(data.resultType)}`);
  }
}

type Bad = (what: string) => QueryError;

function metricOf(x: unknown, bad: Bad): ReturnType<typeof labelsFromRecord> {
  if (!isRecord(x)) throw bad('a series without a metric object');
  const record: Record<string, string> = {};
  for (const [k, v] of Object.entries(x)) {
    if (typeof v !== 'string') throw bad(`a label ${JSON.stringify(k)} that is not a string`);
    record[k] = v;
  }
  return labelsFromRecord(record);
}

function point(x: unknown, bad: Bad): [number, string] {
  if (!Array.isArray(x) || x.length !== 2 || typeof x[0] !== 'number' || typeof x[1] !== 'string') {
    throw bad('a sample that is not [time, "value"]');
  }
  return [Math.round(x[0] * 1000), x[1]];
}

function sampleValue(text: string, bad: Bad): number {
  const v = parseGoFloat(text);
  if (v === undefined) throw bad(`a sample value ${JSON.stringify(text)}`);
  return v;
}

function vectorSample(x: unknown, bad: Bad): VectorSample {
  if (!isRecord(x)) throw bad('a vector element that is not an object');
  if (x.histogram !== undefined) throw bad('a native histogram sample (not supported by Orrery)');
  const [t, v] = point(x.value, bad);
  return { metric: metricOf(x.metric, bad), t, v: sampleValue(v, bad) };
}

function matrixSeries(x: unknown, bad: Bad): MatrixSeries {
  if (!isRecord(x)) throw bad('a matrix element that is not an object');
  if (x.histograms !== undefined) throw bad('native histogram samples (not supported by Orrery)');
  if (!Array.isArray(x.values)) throw bad('a series without values');
  const t: number[] = [];
  const v: number[] = [];
  for (const p of x.values) {
    const [pt, pv] = point(p, bad);
    t.push(pt);
    v.push(sampleValue(pv, bad));
  }
  return { metric: metricOf(x.metric, bad), t, v };
}
