// Go's float formatting and parsing (strconv.FormatFloat 'f'/'e'/'g', fmt's %v and %f,
// strconv.ParseFloat), with Prometheus's spellings of the specials (+Inf, -Inf, NaN).

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
  // Between 1e-6 and 1e21 JS writes the same shortest round-trip digits in plain decimal (and
  // this is the hot path of every query response's values).
  const abs = v < 0 ? -v : v;
  if (abs >= 1e-6 && abs < 1e21) return String(v);
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

/** Go's strconv.FormatFloat(v, 'g', -1, 64): shortest digits, exponent form below 1e-4 or from 1e6. */
export function formatFloatG(v: number): string {
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
export function formatFloatFixed(v: number, decimals = 6): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Math.abs(v) >= 1e21) return `${BigInt(v).toString()}${decimals > 0 ? '.' + '0'.repeat(decimals) : ''}`;
  return v.toFixed(decimals);
}

/** Go's fmt %v of a float64: shortest digits, exponent form below 1e-4 or from 1e21 (error messages). */
export function formatFloatV(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  const m = /^(-?\d(?:\.\d+)?)e([+-])(\d+)$/.exec(s);
  if (m) return `${m[1]}e${m[2]}${m[3]!.padStart(2, '0')}`;
  // Go switches to exponent form for exponents < -4 or >= 21 (shortest digits): JS uses 21 and -7.
  const abs = Math.abs(v);
  if (abs !== 0 && abs < 1e-4) {
    const e = v.toExponential();
    const mm = /^(-?\d(?:\.\d+)?)e([+-])(\d+)$/.exec(e)!;
    return `${mm[1]}e${mm[2]}${mm[3]!.padStart(2, '0')}`;
  }
  return s;
}

/** Go's strconv.ParseFloat for label values such as le="+Inf", "1e3", "0x1p-2"; NaN when malformed. */
export function parseGoFloat(s: string): number | undefined {
  const t = s.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (t === 'nan') return NaN; // Go accepts no sign before NaN
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/.test(t)) return Number(s);
  // Go requires the binary exponent in hexadecimal floats.
  if (/^[+-]?0x([0-9a-f]+(\.[0-9a-f]*)?|\.[0-9a-f]+)p[+-]?\d+$/.test(t)) {
    const m = /^([+-]?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/.exec(t)!;
    const frac = m[3] ?? '';
    const mant = parseInt((m[2] || '0') + frac, 16) / Math.pow(16, frac.length);
    const val = mant * Math.pow(2, Number(m[4] ?? '0'));
    return m[1] === '-' ? -val : val;
  }
  return undefined;
}
