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
