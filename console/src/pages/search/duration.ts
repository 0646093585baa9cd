// Durations as Jaeger writes and reads them: the search form's Min/Max Duration (`1.2s`, `100ms`,
// `500us`), and every duration the trace pages print (µs in, "2.67s" / "14.49ms" / "850μs" out).

const US_PER: Readonly<Record<string, number>> = {
  us: 1,
  µs: 1, // U+00B5
  μs: 1, // U+03BC
  ms: 1e3,
  s: 1e6,
  m: 60e6,
  h: 3600e6,
};

export type DurationResult =
  { readonly ok: true; readonly us: number } | { readonly ok: false; readonly error: string };

/** `1.2s`, `100ms`, `500us`, also compound `1m30s`; the whole text must parse. */
export function parseDuration(text: string): DurationResult {
  const s = text.trim();
  const hint = 'a number and a unit, e.g. 1.2s, 100ms, 500us';
  if (s === '') return { ok: false, error: `empty: ${hint}` };
  const part = /(\d+(?:\.\d*)?|\.\d+)([a-zµμ]+)/gy;
  let total = 0;
  let at = 0;
  while (at < s.length) {
    part.lastIndex = at;
    const m = part.exec(s);
    if (!m) return { ok: false, error: `"${s}" is not a duration: ${hint}` };
    const scale = US_PER[m[2]!];
    if (scale === undefined) return { ok: false, error: `unknown unit "${m[2]}" in "${s}": use us, ms, s, m or h` };
    total += Number(m[1]) * scale;
    at = part.lastIndex;
  }
  return { ok: true, us: total };
}

/** Jaeger's duration text: the largest unit that keeps the number ≥ 1, up to 2 decimals. */
export function formatDuration(us: number): string {
  const abs = Math.abs(us);
  const fmt = (v: number, unit: string): string => `${Number(v.toFixed(2))}${unit}`;
  if (abs >= 3600e6) return fmt(us / 3600e6, 'h');
  if (abs >= 60e6) return fmt(us / 60e6, 'm');
  if (abs >= 1e6) return fmt(us / 1e6, 's');
  if (abs >= 1e3) return fmt(us / 1e3, 'ms');
  return fmt(us, 'μs');
}
