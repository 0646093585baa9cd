// Query parameter parsing for the Jaeger query API, with Jaeger's defaults and error wording
// (cmd/query/app/query_parser.go), made stricter where Jaeger silently accepts nonsense
// (negative limits, start after end).
import { parseGoDuration } from '../../gocompat/duration.js';
import type { TraceQuery } from '../../traces/storage.js';

export class ParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParamError';
  }
}

/** Jaeger's default number of traces per search. */
export const DEFAULT_LIMIT = 100;
/** Jaeger's default search lookback when no start is given. */
export const DEFAULT_LOOKBACK_MS = 2 * 24 * 3600 * 1000;
/** Jaeger's default dependencies lookback. */
export const DEFAULT_DEPENDENCIES_LOOKBACK_MS = 24 * 3600 * 1000;

function paramError(name: string, detail: string): ParamError {
  return new ParamError(`unable to parse param '${name}': ${detail}`);
}

/** A non-negative integer parameter (µs or ms since the epoch, counts). */
function parseNonNegativeInt(name: string, raw: string): number {
  if (!/^[+]?\d+$/.test(raw)) {
    if (/^-\d+$/.test(raw)) throw paramError(name, `must not be negative, got ${raw}`);
    throw paramError(name, `${JSON.stringify(raw)} is not an integer`);
  }
  const v = Number(raw);
  if (!Number.isSafeInteger(v)) throw paramError(name, `${raw} is out of range`);
  return v;
}

/** A duration parameter in µs (minDuration, maxDuration). */
function parseDurationUs(name: string, raw: string): number {
  let ns: number;
  try {
    ns = parseGoDuration(raw);
  } catch (err) {
    throw paramError(name, (err as Error).message);
  }
  if (ns < 0) throw paramError(name, `must not be negative, got ${raw}`);
  return ns / 1000;
}

/** The tags of a search: `tag=key:value` (repeated) and `tags=<JSON map of strings>` (repeated). */
export function parseTags(simple: readonly string[], json: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  // empty values (a form's blank field) mean no tags, as the Jaeger UI and Grafana can send them
  for (const tag of simple) {
    if (tag === '') continue;
    const i = tag.indexOf(':');
    if (i < 0) throw new ParamError(`malformed 'tag' parameter, expecting key:value, received: ${tag}`);
    out[tag.slice(0, i)] = tag.slice(i + 1);
  }
  for (const raw of json) {
    if (raw.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (err) {
      throw new ParamError(`malformed 'tags' parameter, cannot unmarshal JSON: ${(err as Error).message}`);
    }
    if (parsed === null) continue;
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ParamError(`malformed 'tags' parameter, expecting a JSON map of strings, received: ${raw}`);
    }
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof v !== 'string') {
        throw new ParamError(
          `malformed 'tags' parameter, value of ${JSON.stringify(k)} must be a string, received: ${JSON.stringify(v)}`,
        );
      }
      out[k] = v;
    }
  }
  return out;
}

function single(q: URLSearchParams, name: string): string | undefined {
  const v = q.get(name);
  return v === null || v === '' ? undefined : v;
}

export interface TraceSearch {
  /** explicit trace IDs (`traceID=` params): when given, the other conditions are ignored */
  readonly traceIds: readonly string[];
  readonly query: TraceQuery;
}

/** The /api/traces parameters as a store query; `nowMs` is the wall clock. */
export function parseTraceSearch(q: URLSearchParams, nowMs: number): TraceSearch {
  const traceIds = q.getAll('traceID').filter((s) => s !== '');
  const service = single(q, 'service');
  const operation = single(q, 'operation');
  const spanKind = single(q, 'spanKind');

  const rawEnd = single(q, 'end');
  const endUs = rawEnd !== undefined ? parseNonNegativeInt('end', rawEnd) : Math.floor(nowMs * 1000);
  const rawStart = single(q, 'start');
  let startUs: number;
  if (rawStart !== undefined) startUs = parseNonNegativeInt('start', rawStart);
  else {
    const lookback = single(q, 'lookback');
    let lookbackMs = DEFAULT_LOOKBACK_MS;
    if (lookback !== undefined && lookback !== 'custom') {
      try {
        lookbackMs = parseGoDuration(lookback, { d: 86400e9, w: 7 * 86400e9 }) / 1e6;
      } catch (err) {
        throw paramError('lookback', (err as Error).message);
      }
      if (lookbackMs < 0) throw paramError('lookback', `must not be negative, got ${lookback}`);
    }
    startUs = Math.max(0, endUs - Math.floor(lookbackMs * 1000));
  }
  if (startUs > endUs) throw new ParamError(`'start' (${startUs}) must not be after 'end' (${endUs})`);

  const tags = parseTags(q.getAll('tag'), q.getAll('tags'));

  let limit = DEFAULT_LIMIT;
  const rawLimit = single(q, 'limit');
  if (rawLimit !== undefined) {
    limit = parseNonNegativeInt('limit', rawLimit);
    if (limit === 0) limit = DEFAULT_LIMIT;
  }

  const rawMin = single(q, 'minDuration');
  const rawMax = single(q, 'maxDuration');
  const durationMinUs = rawMin !== undefined ? parseDurationUs('minDuration', rawMin) : undefined;
  const durationMaxUs = rawMax !== undefined ? parseDurationUs('maxDuration', rawMax) : undefined;
  if (durationMinUs !== undefined && durationMaxUs !== undefined && durationMaxUs < durationMinUs) {
    throw new ParamError(`'maxDuration' should be greater than 'minDuration'`);
  }

  if (traceIds.length === 0 && service === undefined) throw new ParamError(`parameter 'service' is required`);

  return {
    traceIds,
    query: {
      service,
      operation,
      spanKind,
      tags,
      startTimeMinUs: startUs,
      startTimeMaxUs: endUs,
      durationMinUs,
      durationMaxUs,
      limit,
    },
  };
}

/** /api/dependencies: endTs and lookback in ms. */
export function parseDependencies(q: URLSearchParams, nowMs: number): { endTsMs: number; lookbackMs: number } {
  const rawEnd = single(q, 'endTs');
  const rawLookback = single(q, 'lookback');
  return {
    endTsMs: rawEnd !== undefined ? parseNonNegativeInt('endTs', rawEnd) : nowMs,
    lookbackMs:
      rawLookback !== undefined ? parseNonNegativeInt('lookback', rawLookback) : DEFAULT_DEPENDENCIES_LOOKBACK_MS,
  };
}
