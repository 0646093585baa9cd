// Query parameters of the Orrery diagnosis API. The search part (service, operation, window,
// tags) is the Jaeger API's, parsed by the Jaeger parser so both APIs read a search alike; the
// selection and the findings window are this API's own.
import { parseGoDuration } from '../../gocompat/duration.js';
import { ParamError, parseTraceSearch } from '../jaeger/params.js';
import type { TraceQuery } from '../../traces/storage.js';
import type { Selection } from '../../diagnosis/compare.js';

export { ParamError };

export interface CompareRequest {
  readonly query: TraceQuery;
  readonly selection: Selection;
}

function single(q: URLSearchParams, name: string): string | undefined {
  const v = q.get(name);
  return v === null || v === '' ? undefined : v;
}

function durationUs(name: string, raw: string): number {
  let ns: number;
  try {
    ns = parseGoDuration(raw);
  } catch (err) {
    throw new ParamError(`unable to parse param '${name}': ${(err as Error).message}`);
  }
  if (ns < 0) throw new ParamError(`unable to parse param '${name}': must not be negative, got ${raw}`);
  return ns / 1000;
}

/** A required time in µs since the epoch. */
function microseconds(q: URLSearchParams, name: string): number {
  const raw = single(q, name);
  if (raw === undefined) throw new ParamError(`'select=region' needs '${name}' (µs since the epoch)`);
  const us = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(us))
    throw new ParamError(`unable to parse param '${name}': ${JSON.stringify(raw)} is not µs since the epoch`);
  return us;
}

/** `GET /api/orrery/v1/compare` parameters; `nowMs` is the wall clock (for lookback). */
export function parseCompare(q: URLSearchParams, nowMs: number): CompareRequest {
  if (q.getAll('traceID').some((s) => s !== '')) throw new ParamError(`'traceID' is not a parameter of compare`);
  // minDuration/maxDuration select inside the search here; they do not narrow it
  const search = new URLSearchParams(q);
  for (const name of ['minDuration', 'maxDuration', 'limit']) search.delete(name);
  const { query } = parseTraceSearch(search, nowMs);
  const select = single(q, 'select');
  let selection: Selection;
  switch (select) {
    case 'slowest': {
      const raw = single(q, 'percent') ?? '5';
      const percent = Number(raw);
      if (!/^\d+(\.\d+)?$/.test(raw) || !(percent > 0 && percent < 100))
        throw new ParamError(`'percent' must be a number above 0 and below 100, got ${JSON.stringify(raw)}`);
      selection = { kind: 'slowest', percent };
      break;
    }
    case 'errors':
      selection = { kind: 'errors' };
      break;
    case 'duration': {
      const rawMin = single(q, 'minDuration');
      if (rawMin === undefined) throw new ParamError(`'select=duration' needs 'minDuration' (e.g. 1.2s)`);
      const minUs = durationUs('minDuration', rawMin);
      const rawMax = single(q, 'maxDuration');
      const maxUs = rawMax !== undefined ? durationUs('maxDuration', rawMax) : undefined;
      if (maxUs !== undefined && maxUs < minUs)
        throw new ParamError(`'maxDuration' should be greater than 'minDuration'`);
      selection = maxUs !== undefined ? { kind: 'duration', minUs, maxUs } : { kind: 'duration', minUs };
      break;
    }
    case 'region': {
      // a rectangle brushed on the scatter plot: start times (µs, like start/end) × durations
      const fromUs = microseconds(q, 'regionStart');
      const toUs = microseconds(q, 'regionEnd');
      if (toUs < fromUs) throw new ParamError(`'regionEnd' should not be before 'regionStart'`);
      const rawMin = single(q, 'minDuration');
      const minUs = rawMin !== undefined ? durationUs('minDuration', rawMin) : 0;
      const rawMax = single(q, 'maxDuration');
      const maxUs = rawMax !== undefined ? durationUs('maxDuration', rawMax) : undefined;
      if (maxUs !== undefined && maxUs < minUs)
        throw new ParamError(`'maxDuration' should be greater than 'minDuration'`);
      selection = { kind: 'region', fromUs, toUs, minUs, ...(maxUs !== undefined ? { maxUs } : {}) };
      break;
    }
    case undefined:
      throw new ParamError(
        `parameter 'select' is required: slowest (with percent), errors, duration (with minDuration) or region (with regionStart and regionEnd)`,
      );
    default:
      throw new ParamError(`'select' must be slowest, errors, duration or region, got ${JSON.stringify(select)}`);
  }
  return { query: { ...query, limit: 0 }, selection };
}

export interface FindingsRequest {
  readonly startMs: number;
  readonly endMs: number;
}

export const DEFAULT_FINDINGS_LOOKBACK_MS = 15 * 60_000;
const MAX_FINDINGS_LOOKBACK_MS = 24 * 3600_000;

/** `GET /api/orrery/v1/findings`: `lookback` (a Go duration, default 15m) before `end` (ms, default now). */
export function parseFindings(q: URLSearchParams, nowMs: number): FindingsRequest {
  const rawEnd = single(q, 'end');
  let endMs = nowMs;
  if (rawEnd !== undefined) {
    if (!/^\d+$/.test(rawEnd) || !Number.isSafeInteger(Number(rawEnd)))
      throw new ParamError(
        `unable to parse param 'end': ${JSON.stringify(rawEnd)} is not milliseconds since the epoch`,
      );
    endMs = Number(rawEnd);
  }
  const rawLookback = single(q, 'lookback');
  let lookbackMs = DEFAULT_FINDINGS_LOOKBACK_MS;
  if (rawLookback !== undefined) {
    try {
      lookbackMs = parseGoDuration(rawLookback) / 1e6;
    } catch (err) {
      throw new ParamError(`unable to parse param 'lookback': ${(err as Error).message}`);
    }
    if (!(lookbackMs >= 60_000) || lookbackMs > MAX_FINDINGS_LOOKBACK_MS)
      throw new ParamError(`'lookback' must be between 1m and 24h, got ${rawLookback}`);
  }
  return { startMs: endMs - lookbackMs, endMs };
}
