// Small, allocation-light statistics for the diagnosis code: quantiles, the two-sample
// Kolmogorov–Smirnov statistic, the Theil–Sen slope and the Mann–Kendall trend test. Pure
// functions over numbers; no I/O.

/** The q-quantile (0 ≤ q ≤ 1) of an ascending array by linear interpolation; undefined when empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number | undefined {
  const n = sorted.length;
  if (n === 0) return undefined;
  const pos = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The median of any array (copied, not changed); undefined when empty. */
export function median(values: ArrayLike<number>): number | undefined {
  return quantileSorted(Float64Array.from(values).sort(), 0.5);
}

/**
 * The two-sample Kolmogorov–Smirnov statistic D: the largest gap between the two empirical
 * distribution functions. Both arrays ascending; equal values are stepped over together, so
 * ties do not create gaps. 0 when either sample is empty.
 */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return 0;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const x = Math.min(a[i]!, b[j]!);
    while (i < n && a[i]! === x) i++;
    while (j < m && b[j]! === x) j++;
    const gap = Math.abs(i / n - j / m);
    if (gap > d) d = gap;
  }
  return d;
}

/**
 * The D a KS test would exceed by chance with probability about `alpha` for samples of n and m
 * (the asymptotic c(α)·√((n+m)/(nm)), c(α) = √(−ln(α/2)/2)).
 */
export function ksCriticalValue(n: number, m: number, alpha: number): number {
  if (n === 0 || m === 0) return 1;
  return Math.sqrt(-Math.log(alpha / 2) / 2) * Math.sqrt((n + m) / (n * m));
}

/**
 * Theil–Sen slope: the median of the slopes between every pair of points (robust to outliers
 * such as a GC spike: up to ~29 % of the points can be wild without moving it). 0 for < 2 points.
 */
export function theilSenSlope(t: ArrayLike<number>, v: ArrayLike<number>): number {
  const n = Math.min(t.length, v.length);
  const slopes: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dt = t[j]! - t[i]!;
      if (dt !== 0) slopes.push((v[j]! - v[i]!) / dt);
    }
  }
  return median(slopes) ?? 0;
}

export interface MannKendall {
  /** the S statistic: concordant minus discordant pairs */
  readonly s: number;
  /** S normalised (with continuity correction and ties): ~N(0,1) when there is no trend */
  readonly z: number;
  /** the variance of S under no trend (ties corrected) */
  readonly variance: number;
}

/** z of a sum of S statistics from independent blocks (the blocked, or seasonal, Mann–Kendall test). */
export function blockedMannKendallZ(blocks: readonly MannKendall[]): number {
  let s = 0;
  let variance = 0;
  for (const b of blocks) {
    s += b.s;
    variance += b.variance;
  }
  if (variance <= 0) return 0;
  return s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0;
}

/** The Mann–Kendall test for a monotonic trend of v (in time order); z > 0 for a rising series. */
export function mannKendall(v: ArrayLike<number>): MannKendall {
  const n = v.length;
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s += Math.sign(v[j]! - v[i]!);
  // variance with the tie correction
  const ties = new Map<number, number>();
  for (let i = 0; i < n; i++) ties.set(v[i]!, (ties.get(v[i]!) ?? 0) + 1);
  let tieTerm = 0;
  for (const c of ties.values()) if (c > 1) tieTerm += c * (c - 1) * (2 * c + 5);
  const variance = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  if (variance <= 0) return { s, z: 0, variance: 0 };
  const z = s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0;
  return { s, z, variance };
}
