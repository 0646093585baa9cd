// Grafana-style relative time ('now', 'now-15m') and interval arithmetic for queries.

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/** Parses '15m', '1h30m', '500ms' into milliseconds; undefined when malformed. */
export function parseDurationMs(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched === text.length && text.length > 0 ? total : undefined;
}

/** Resolves 'now', 'now-1h', an ISO date or epoch milliseconds against `now`. */
export function resolveTime(text: string, now: number): number | undefined {
  if (text === 'now') return now;
  const rel = /^now-(.+)$/.exec(text);
  if (rel) {
    const d = parseDurationMs(rel[1]!);
    return d === undefined ? undefined : now - d;
  }
  if (/^\d+$/.test(text)) return Number(text);
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}

/** Prometheus/Grafana duration text for a number of milliseconds: 15s, 1m, 1m30s, 2h. */
export function formatDurationMs(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms / 1000);
  let out = '';
  for (const [unit, secs] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= secs) {
      out += `${Math.floor(rest / secs)}${unit}`;
      rest %= secs;
    }
  }
  return out;
}

// Grafana rounds the raw interval to one of these steps (its rangeutil table), so steps stay
// human-friendly and cacheable.
const NICE_INTERVALS_MS = [
  1, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000,
  900_000, 1_200_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 604_800_000,
];

/**
 * Grafana's $__interval: the time range divided by the number of points the panel can show
 * (its width in pixels), rounded to a nice step, never below the collection interval.
 */
export function computeIntervalMs(rangeMs: number, maxDataPoints: number, minIntervalMs: number): number {
  const raw = rangeMs / Math.max(1, maxDataPoints);
  let nice = NICE_INTERVALS_MS[NICE_INTERVALS_MS.length - 1]!;
  for (const step of NICE_INTERVALS_MS) {
    if (step >= raw) {
      nice = step;
      break;
    }
  }
  return Math.max(nice, minIntervalMs);
}

/** Grafana's $__rate_interval: max($__interval + scrape interval, 4 × scrape interval). */
export function computeRateIntervalMs(intervalMs: number, scrapeIntervalMs: number): number {
  return Math.max(intervalMs + scrapeIntervalMs, 4 * scrapeIntervalMs);
}
