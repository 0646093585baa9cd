// Durations and numbers the way Prometheus reads and prints them (prometheus/common model.Duration,
// Go's fmt), so that String() output and error messages match Prometheus 2.42 byte for byte.

const MS_PER: ReadonlyArray<readonly [string, number]> = [
  ['y', 1000 * 60 * 60 * 24 * 365],
  ['w', 1000 * 60 * 60 * 24 * 7],
  ['d', 1000 * 60 * 60 * 24],
  ['h', 1000 * 60 * 60],
  ['m', 1000 * 60],
  ['s', 1000],
  ['ms', 1],
];

const DURATION_RE =
  /^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$/;

/** Thrown by parseDuration; the message is Prometheus's. */
export class DurationError extends Error {}

const MAX_INT64 = 9223372036854775807n;

/**
 * Prometheus's model.ParseDuration: "1h30m", "5m", "1d", "1w", "1y", "500ms"; units in
 * descending order, each at most once; "0" alone is allowed. Returns milliseconds.
 */
export function parseDuration(s: string): number {
  if (s === '0') return 0;
  if (s === '') throw new DurationError('empty duration string');
  const m = DURATION_RE.exec(s);
  if (!m) throw new DurationError(`not a valid duration string: ${JSON.stringify(s)}`);
  // time.Duration is nanoseconds in an int64: check the sum fits, as Prometheus does.
  let totalMs = 0n;
  MS_PER.forEach(([, mult], i) => {
    const g = m[i + 1];
    if (g === undefined || g === '') return;
    totalMs += BigInt(g) * BigInt(mult);
  });
  if (totalMs * 1000000n > MAX_INT64) throw new DurationError('duration out of range');
  return Number(totalMs);
}

/** Prometheus's model.Duration String(): 1h30m, 5m, 1d, 2w, 1y, 1500ms → 1s500ms; 0 → 0s. */
export function formatDuration(ms: number): string {
  let rest = Math.trunc(ms);
  if (rest === 0) return '0s';
  let r = '';
  for (const [unit, mult] of MS_PER) {
    // Years and weeks only when they divide exactly: 90d reads better than 12w6d.
    if ((unit === 'y' || unit === 'w') && rest % mult !== 0) continue;
    const v = Math.trunc(rest / mult);
    if (v > 0) {
      r += `${v}${unit}`;
      rest -= v * mult;
    }
  }
  return r;
}

/** Shortest round-trip digits and decimal exponent of a finite non-zero |v|: v = 0.d1d2… × 10^(exp+1). */
function shortest(v: number): { digits: string; exp: number } {
  const e = Math.abs(v).toExponential();
  const i = e.indexOf('e');
  return { digits: e.slice(0, i).replace('.', ''), exp: Number(e.slice(i + 1)) };
}

/** Go's strconv.FormatFloat(v, 'f', -1, 64), with Prometheus's spellings of the specials. */
export function formatFloatF(v: number): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const sign = v < 0 ? '-' : '';
  const { digits, exp } = shortest(v);
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length);
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Go's strconv.FormatFloat(v, 'e', -1, 64): 1e-07, 1.5e+21. */
export function formatFloatE(v: number): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0e+00' : '0e+00';
  const sign = v < 0 ? '-' : '';
  const { digits, exp } = shortest(v);
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const ae = Math.abs(exp);
  return `${sign}${mant}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
}

/** Go's fmt.Sprint of a float64 (strconv 'g' with the shortest representation). */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const e = v.toExponential(); // shortest round-trip digits, e.g. "1.5e+7"
  const idx = e.indexOf('e');
  const exp = Number(e.slice(idx + 1));
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    const abs = Math.abs(exp);
    return `${e.slice(0, idx)}e${sign}${abs < 10 ? '0' : ''}${abs}`;
  }
  return String(v);
}

/** Go's fmt %f (6 decimals), including +Inf/-Inf/NaN and huge values without exponent notation. */
export function formatGoFixed(v: number, decimals = 6): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Math.abs(v) >= 1e21) return `${BigInt(v).toString()}${decimals > 0 ? '.' + '0'.repeat(decimals) : ''}`;
  return v.toFixed(decimals);
}
