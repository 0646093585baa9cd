// Request parameters read the way Prometheus 2.42's web API reads them (Go's net/http form
// handling, parseTime, parseDuration), with the same error texts.
import type { ApiRequest } from '../http.js';
import { parseDuration as parsePromDuration } from '../../promql/parser/index.js';
import { goQuote } from '../../promql/parser/lexer.js';

/** Prometheus's minTime/maxTime (the defaults for start/end of the metadata endpoints), in ms. */
export const MIN_TIME_MS = -9223309901257974 * 1000;
export const MAX_TIME_MS = 9223309901257974 * 1000;
const MIN_TIME_FORMATTED = '-292273086-05-16T16:47:06Z';
const MAX_TIME_FORMATTED = '292277025-08-18T07:12:54.999999999Z';
/** What Go's int64(±Inf or NaN) yields on amd64 (math.MinInt64), as seconds → milliseconds. */
const GO_BAD_INT64_MS = -9223372036854;

/** Thrown for a bad parameter; `message` is Prometheus's whole error text. */
export class ParamError extends Error {}

/**
 * A request's form as Go's r.Form: for urlencoded POST bodies, the body's values come before the
 * URL's (so FormValue prefers the body), then the URL query.
 */
export class Form {
  private readonly entries: [string, string][];

  constructor(req: ApiRequest) {
    const all = [...req.query];
    const ct = String(req.headers['content-type'] ?? '');
    if (req.method === 'POST' && ct.startsWith('application/x-www-form-urlencoded')) {
      // The router appended the body's pairs after the URL's: put them first, as Go does.
      const body = [...new URLSearchParams(req.body.toString('utf8'))];
      const urlPart = all.slice(0, all.length - body.length);
      this.entries = [...body, ...urlPart];
    } else {
      this.entries = all;
    }
  }

  /** r.FormValue: the first value, or '' */
  value(name: string): string {
    for (const [k, v] of this.entries) if (k === name) return v;
    return '';
  }

  /** r.Form[name] */
  values(name: string): string[] {
    const out: string[] = [];
    for (const [k, v] of this.entries) if (k === name) out.push(v);
    return out;
  }
}

/** Go's strconv.ParseFloat syntax (decimal, exponent, underscores between digits, inf/nan). */
function parseGoFloat(s: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(s)) return NaN;
  if (!/^[+-]?(\d(_?\d)*(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)([eE][+-]?\d+)?$/.test(s)) return undefined;
  return Number(s.replace(/_/g, ''));
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/;

/** Go's time.Parse(time.RFC3339Nano, s) → ms (sub-millisecond digits truncated, as timestamp.FromTime does). */
function parseRfc3339(s: string): number | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, min, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || min > 59 || sec > 59)
    return undefined;
  let ms = Date.UTC(year, month - 1, day, hour, min, sec);
  // Date.UTC maps years 0-99 to 1900-1999; put them back.
  if (year < 100) {
    const d = new Date(ms);
    d.setUTCFullYear(year);
    ms = d.getTime();
  }
  if (m[7]) ms += Number((m[7] + '00').slice(0, 3));
  if (m[8] !== 'Z') {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    const off = (oh * 60 + om) * 60_000;
    ms += m[9] === '+' ? -off : off;
  }
  return ms;
}

/** Prometheus's parseTime: Unix seconds (float, rounded to ms) or RFC 3339; returns ms. */
export function parseTime(s: string): number {
  const f = parseGoFloat(s);
  if (f !== undefined) {
    if (!Number.isFinite(f)) return GO_BAD_INT64_MS;
    const whole = Math.trunc(f);
    const frac = f - whole;
    // math.Round rounds half away from zero.
    const fracMs = Math.sign(frac) * Math.round(Math.abs(frac) * 1000);
    return whole * 1000 + fracMs;
  }
  const t = parseRfc3339(s);
  if (t !== undefined) return t;
  if (s === MIN_TIME_FORMATTED) return MIN_TIME_MS;
  if (s === MAX_TIME_FORMATTED) return MAX_TIME_MS;
  throw new ParamError(`cannot parse ${goQuote(s)} to a valid timestamp`);
}

/** Prometheus's parseTimeParam: a default when absent, and the "Invalid time value" wrapping. */
export function parseTimeParam(form: Form, name: string, def: number): number {
  const v = form.value(name);
  if (v === '') return def;
  try {
    return parseTime(v);
  } catch (e) {
    throw new ParamError(
      `invalid parameter ${goQuote(name)}: Invalid time value for '${name}': ${(e as Error).message}`,
    );
  }
}

/** Prometheus's parseDuration: float seconds or a Prometheus duration; returns nanoseconds. */
export function parseDurationNs(s: string): number {
  const f = parseGoFloat(s);
  if (f !== undefined) {
    const ns = f * 1e9;
    // Go converts NaN to math.MinInt64 on amd64: a negative step.
    if (Number.isNaN(ns)) return -9223372036854775808;
    if (ns > 9223372036854775807 || ns < -9223372036854775808) {
      throw new ParamError(`cannot parse ${goQuote(s)} to a valid duration. It overflows int64`);
    }
    return Math.trunc(ns);
  }
  try {
    return parsePromDuration(s) * 1e6;
  } catch {
    throw new ParamError(`cannot parse ${goQuote(s)} to a valid duration`);
  }
}

/** Wraps an error as invalidParamError does: invalid parameter "name": message */
export function invalidParam(name: string, message: string): ParamError {
  return new ParamError(`invalid parameter ${goQuote(name)}: ${message}`);
}
