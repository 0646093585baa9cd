// Request parameters read the way Prometheus 2.42's web API reads them (Go's net/http form
// handling, parseTime, parseDuration), with the same error texts.
import type { ApiRequest } from '../http.js';
import { parseDuration as parsePromDuration } from '../../promql/parser/index.js';
import { goQuote } from '../../gocompat/quote.js';

/** Prometheus's minTime/maxTime (the defaults for start/end of the metadata endpoints), in ms. */
export const MIN_TIME_MS = -9223309901257974 * 1000;
export const MAX_TIME_MS = 9223309901257974 * 1000;
const MIN_TIME_FORMATTED = '-292273086-05-16T16:47:06Z';
const MAX_TIME_FORMATTED = '292277025-08-18T07:12:54.999999999Z';

const INT64_MIN = -(2n ** 63n);
const NS_PER_S = 1_000_000_000n;

/** Go's int64 wrap-around arithmetic. */
function int64(x: bigint): bigint {
  return BigInt.asIntN(64, x);
}

/** Go's int64(f) on amd64: truncation, and math.MinInt64 for NaN and anything out of range. */
function goFloatToInt64(f: number): bigint {
  if (!(f >= -9223372036854775808 && f < 9223372036854775808)) return INT64_MIN;
  return BigInt(Math.trunc(f));
}

/** A Go time.Time as Unix seconds (int64) and nanoseconds in [0, 1e9), as time.Unix normalises it. */
export interface GoTime {
  readonly sec: bigint;
  readonly nsec: bigint;
}

/** Go's time.Unix(sec, nsec), including its int64 wrap-around for out-of-range inputs. */
function goUnix(sec: bigint, nsec: bigint): GoTime {
  let s = sec;
  let n = nsec;
  if (n < 0n || n >= NS_PER_S) {
    const q = n / NS_PER_S; // truncates toward zero, as Go's division does
    s = int64(s + q);
    n -= q * NS_PER_S;
    if (n < 0n) {
      n += NS_PER_S;
      s = int64(s - 1n);
    }
  }
  return { sec: s, nsec: n };
}

/**
 * The ms the query engine evaluates at: Prometheus's timeMilliseconds, t.UnixNano() / 1e6. UnixNano
 * wraps around outside the years 1678-2262, so an absurd time (1e300) lands inside that range
 * exactly as in Prometheus instead of far beyond the precision of a float64 millisecond count.
 */
export function evalTimeMs(t: GoTime): number {
  return Number(int64(t.sec * NS_PER_S + t.nsec) / 1_000_000n);
}

/** timestamp.FromTime: t.Unix()*1000 + nanoseconds/1e6, wrapping as int64. */
export function fromTimeMs(t: GoTime): number {
  return Number(int64(t.sec * 1000n + t.nsec / 1_000_000n));
}

/** Go's t.Sub(u) in nanoseconds, saturated to the int64 range as time.Duration is. */
export function goTimeSubNs(t: GoTime, u: GoTime): bigint {
  const d = (t.sec - u.sec) * NS_PER_S + (t.nsec - u.nsec);
  if (d > 2n ** 63n - 1n) return 2n ** 63n - 1n;
  if (d < INT64_MIN) return INT64_MIN;
  return d;
}

/** Go's t.Before(u) */
export function goTimeBefore(t: GoTime, u: GoTime): boolean {
  return t.sec < u.sec || (t.sec === u.sec && t.nsec < u.nsec);
}

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

/** Go's time.Parse(time.RFC3339Nano, s) */
function parseRfc3339(s: string): GoTime | undefined {
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
  // Go keeps nine fractional digits and ignores any beyond.
  const nsec = m[7] ? BigInt((m[7] + '00000000').slice(0, 9)) : 0n;
  let unix = BigInt(ms / 1000);
  if (m[8] !== 'Z') {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    const off = BigInt((oh * 60 + om) * 60);
    unix += m[9] === '+' ? -off : off;
  }
  return { sec: unix, nsec };
}

/** Prometheus's parseTime: Unix seconds (float, rounded to ms) or RFC 3339, as a Go time. */
export function parseGoTime(s: string): GoTime {
  const f = parseGoFloat(s);
  if (f !== undefined) {
    // math.Modf, then the fraction rounded to ms (half away from zero) and scaled to ns.
    const whole = Number.isFinite(f) ? Math.trunc(f) : f;
    const frac = Number.isFinite(f) ? f - whole : NaN;
    const fracS = Math.round(Math.abs(frac) * 1000) / 1000;
    return goUnix(goFloatToInt64(whole), goFloatToInt64((frac < 0 ? -fracS : fracS) * 1e9));
  }
  const t = parseRfc3339(s);
  if (t !== undefined) return t;
  if (s === MIN_TIME_FORMATTED) return { sec: BigInt(MIN_TIME_MS / 1000), nsec: 0n };
  if (s === MAX_TIME_FORMATTED) return { sec: BigInt(MAX_TIME_MS / 1000), nsec: 999_999_999n };
  throw new ParamError(`cannot parse ${goQuote(s)} to a valid timestamp`);
}

/** Prometheus's parseTime as the storage sees it (timestamp.FromTime), in ms. */
export function parseTime(s: string): number {
  return fromTimeMs(parseGoTime(s));
}

/** Prometheus's parseTimeParam: a default when absent, and the "Invalid time value" wrapping. */
export function parseTimeParam(form: Form, name: string, def: number): number {
  const v = form.value(name);
  if (v === '') return def;
  return fromTimeMs(parseGoTimeParam(form, name));
}

/** parseTimeParam's parsing with its error wrapping, for a parameter that is present. */
export function parseGoTimeParam(form: Form, name: string): GoTime {
  try {
    return parseGoTime(form.value(name));
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
