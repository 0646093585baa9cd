// Request parameters read as Loki's loghttp package reads them, with its error wording: times
// as Unix seconds (with a '.'), Unix nanoseconds (more than 10 digits), Unix seconds (10 digits
// or fewer) or RFC 3339; durations as Prometheus durations or float seconds.
import { parseDurationNs } from '../../logql/lexer.js';

/** Thrown for a bad request parameter; the message is Loki's (answered as 400, plain text). */
export class LokiParamError extends Error {}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A timestamp parameter in ns; `def` when absent. */
export function parseLokiTime(value: string, def: number): number {
  if (value === '') return def;
  if (value.includes('.')) {
    const f = Number(value);
    if (Number.isFinite(f) && /^[+-]?\d*\.\d*([eE][+-]?\d+)?$/.test(value)) {
      const s = Math.trunc(f);
      const frac = Math.round((f - s) * 1000) / 1000;
      return s * 1e9 + Math.round(frac * 1e9);
    }
  }
  if (/^[+-]?\d+$/.test(value)) {
    const n = Number(value);
    if (value.replace(/^[+-]/, '').length <= 10) return n * 1e9;
    return n;
  }
  if (RFC3339.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) {
      const frac = /\.(\d+)/.exec(value)?.[1] ?? '';
      const subMs = Number((frac + '000000000').slice(3, 9));
      return ms * 1e6 + subMs;
    }
  }
  throw new LokiParamError(`cannot parse "${value}" to a valid timestamp`);
}

/** step/interval: float seconds or a duration; returns ns. */
export function parseLokiDuration(value: string, name: string): number {
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(value)) return Math.round(Number(value) * 1e9);
  const ns = parseDurationNs(value);
  if (ns === undefined) throw new LokiParamError(`invalid ${name}: cannot parse "${value}" to a valid duration`);
  return ns;
}

export function parseLimit(value: string, def: number, max: number): number {
  if (value === '') return def;
  if (!/^\d+$/.test(value)) throw new LokiParamError(`strconv.ParseUint: parsing "${value}": invalid syntax`);
  const n = Number(value);
  if (n <= 0) throw new LokiParamError('limit must be a positive value');
  if (n > max)
    throw new LokiParamError(
      `max entries limit per query exceeded, limit > max_entries_limit_per_query (${n} > ${max})`,
    );
  return n;
}

export function parseDirection(value: string): boolean {
  if (value === '' || value.toLowerCase() === 'backward') return true;
  if (value.toLowerCase() === 'forward') return false;
  throw new LokiParamError(`invalid direction '${value}'`);
}
