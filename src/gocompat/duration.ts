// Go's time.ParseDuration, which Jaeger's query service applies to minDuration, maxDuration and
// lookback, with Go's own error wording.

/** A string that Go's parser would refuse; the message is Go's. */
export class GoSyntaxError extends Error {}

const UNIT_NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5
  μs: 1e3, // U+03BC
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * Go's time.ParseDuration, in nanoseconds: "1.2s", "100ms", "500us", "1h30m", "-2m"; a bare
 * "0" is allowed, other numbers need a unit. `extraUnits` adds units Go lacks (the Jaeger UI's
 * lookback uses "2d").
 */
export function parseGoDuration(s: string, extraUnits: Readonly<Record<string, number>> = {}): number {
  const orig = s;
  const invalid = (): GoSyntaxError => new GoSyntaxError(`time: invalid duration ${JSON.stringify(orig)}`);
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  let total = 0;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const whole = m[1] ?? '';
    const frac = m[2];
    if (whole === '' && (frac === undefined || frac === '')) throw invalid();
    s = s.slice(m[0].length);
    const u = /^[^\d.]+/.exec(s);
    if (!u) throw new GoSyntaxError(`time: missing unit in duration ${JSON.stringify(orig)}`);
    const unit = u[0];
    const scale = UNIT_NS[unit] ?? extraUnits[unit];
    if (scale === undefined)
      throw new GoSyntaxError(`time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(orig)}`);
    s = s.slice(unit.length);
    total += Number(`${whole === '' ? '0' : whole}.${frac ?? ''}0`) * scale;
  }
  return neg ? -total : total;
}
