// Quantile estimation: histogram_quantile over classic (le-labelled) buckets and the
// quantile()/quantile_over_time() interpolation, with Prometheus 2.42's rules.

export interface Bucket {
  upperBound: number;
  count: number;
}

/** Orders numbers ascending with NaN first, as Prometheus's vectorByValueHeap does. */
export function compareNaNFirst(a: number, b: number): number {
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an || bn) return an && bn ? 0 : an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The q-quantile of classic histogram buckets (cumulative counts by upper bound), interpolating
 * linearly inside the bucket. NaN when q is NaN, when there is no +Inf bucket, when fewer than two
 * buckets remain or when there are no observations; -Inf/+Inf for q < 0 / q > 1.
 */
export function bucketQuantile(q: number, input: readonly Bucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = input.map((b) => ({ upperBound: b.upperBound, count: b.count }));
  sorted.sort((a, b) => compareNaNFirst(a.upperBound, b.upperBound));
  if (sorted[sorted.length - 1]!.upperBound !== Infinity) return NaN;

  const buckets = coalesceBuckets(sorted);
  ensureMonotonic(buckets);
  if (buckets.length < 2) return NaN;
  const observations = buckets[buckets.length - 1]!.count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  // First bucket (excluding +Inf) whose count reaches the rank; len-1 when none does.
  let b = 0;
  const n = buckets.length - 1;
  {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (buckets[mid]!.count >= rank) hi = mid;
      else lo = mid + 1;
    }
    b = lo;
  }
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.upperBound;
  if (b === 0 && buckets[0]!.upperBound <= 0) return buckets[0]!.upperBound;
  let bucketStart = 0;
  const bucketEnd = buckets[b]!.upperBound;
  let count = buckets[b]!.count;
  if (b > 0) {
    bucketStart = buckets[b - 1]!.upperBound;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

/** Merges buckets with the same upper bound (e.g. le="1" and le="1.0") by adding their counts. */
function coalesceBuckets(buckets: Bucket[]): Bucket[] {
  const out: Bucket[] = [];
  let last = { ...buckets[0]! };
  for (let i = 1; i < buckets.length; i++) {
    const b = buckets[i]!;
    if (b.upperBound === last.upperBound) {
      last.count += b.count;
    } else {
      out.push(last);
      last = { ...b };
    }
  }
  out.push(last);
  return out;
}

/**
 * Cumulative counts must not decrease; scrapes of buckets at slightly different moments (or
 * floating-point error) can make them, so each count is raised to the maximum seen so far.
 */
function ensureMonotonic(buckets: Bucket[]): void {
  let max = buckets[0]!.count;
  for (let i = 1; i < buckets.length; i++) {
    const c = buckets[i]!.count;
    if (c > max) max = c;
    else if (c < max) buckets[i]!.count = max;
  }
}

/** The q-quantile of values (φ-quantile with linear interpolation between closest ranks). */
export function quantile(q: number, values: number[]): number {
  if (values.length === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  values.sort(compareNaNFirst);
  const n = values.length;
  const rank = q * (n - 1);
  const lowerIndex = Math.max(0, Math.floor(rank));
  const upperIndex = Math.min(n - 1, lowerIndex + 1);
  const weight = rank - Math.floor(rank);
  return values[lowerIndex]! * (1 - weight) + values[upperIndex]! * weight;
}
