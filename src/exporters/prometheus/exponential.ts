// OTLP exponential histograms as the Prometheus exporter needs them. Bucket index i at scale s
// covers magnitudes (base^i, base^(i+1)], base = 2^(2^-s); one bucket at scale s-1 is two
// adjacent buckets at scale s, so any two histograms merge exactly at the coarser scale. That is
// what lets a running total of delta exports survive the SDK changing scale between exports
// (the OTel SDKs start fine, at scale 20, and downscale as the recorded range grows).

/** OTLP's range of scales (the SDKs' MIN_SCALE / MAX_SCALE). */
export const MIN_SCALE = -10;
export const MAX_SCALE = 20;
/** buckets kept per sign, as the OTel SDKs' default max_size; more are downscaled away */
export const MAX_BUCKETS = 160;

export interface ExpBuckets {
  /** index of counts[0] */
  readonly offset: number;
  readonly counts: readonly number[];
}

/** The bucket part of an exponential histogram (count and sum travel beside it). */
export interface ExpHistogram {
  readonly scale: number;
  readonly zeroThreshold: number;
  readonly zeroCount: number;
  readonly positive: ExpBuckets;
  readonly negative: ExpBuckets;
}

export const EMPTY_EXP_HISTOGRAM: ExpHistogram = {
  scale: MAX_SCALE,
  zeroThreshold: 0,
  zeroCount: 0,
  positive: { offset: 0, counts: [] },
  negative: { offset: 0, counts: [] },
};

/** Non-zero index range [lo, hi] of buckets once downscaled by `by` scales, or undefined when empty. */
function range(b: ExpBuckets, by: number): [number, number] | undefined {
  let first = 0;
  let last = b.counts.length - 1;
  while (first <= last && b.counts[first] === 0) first++;
  while (last >= first && b.counts[last] === 0) last--;
  if (first > last) return undefined;
  const f = Math.pow(2, by);
  return [Math.floor((b.offset + first) / f), Math.floor((b.offset + last) / f)];
}

/** Buckets needed to hold both sides at the scale reached by downscaling a by `byA` and b by `byB`. */
function width(a: ExpBuckets, byA: number, b: ExpBuckets, byB: number): number {
  const ra = range(a, byA);
  const rb = range(b, byB);
  if (!ra && !rb) return 0;
  const lo = Math.min(ra?.[0] ?? Infinity, rb?.[0] ?? Infinity);
  const hi = Math.max(ra?.[1] ?? -Infinity, rb?.[1] ?? -Infinity);
  return hi - lo + 1;
}

/** Upper bound of the magnitudes bucket `index` covers at `scale`. */
export function bucketUpper(index: number, scale: number): number {
  return Math.pow(2, (index + 1) * Math.pow(2, -scale));
}

/**
 * Adds the buckets of both sides at `scale` (each downscaled from its own); buckets whose whole
 * range lies within the zero threshold go to the zero count instead. Returns [buckets, toZero].
 */
function addBuckets(
  a: ExpBuckets,
  byA: number,
  b: ExpBuckets,
  byB: number,
  scale: number,
  zeroThreshold: number,
): [ExpBuckets, number] {
  const byIndex = new Map<number, number>();
  let toZero = 0;
  const put = (side: ExpBuckets, by: number): void => {
    const f = Math.pow(2, by);
    for (let k = 0; k < side.counts.length; k++) {
      const c = side.counts[k]!;
      if (c === 0) continue;
      const i = Math.floor((side.offset + k) / f);
      if (zeroThreshold > 0 && bucketUpper(i, scale) <= zeroThreshold) toZero += c;
      else byIndex.set(i, (byIndex.get(i) ?? 0) + c);
    }
  };
  put(a, byA);
  put(b, byB);
  if (byIndex.size === 0) return [{ offset: 0, counts: [] }, toZero];
  let lo = Infinity;
  let hi = -Infinity;
  for (const i of byIndex.keys()) {
    if (i < lo) lo = i;
    if (i > hi) hi = i;
  }
  const counts = new Array<number>(hi - lo + 1).fill(0);
  for (const [i, c] of byIndex) counts[i - lo] = c;
  return [{ offset: lo, counts }, toZero];
}

/**
 * The sum of two exponential histograms, exact: at the coarser of their scales, lowered further
 * until each sign fits `maxBuckets`; the wider zero threshold wins and absorbs the buckets it covers.
 */
export function mergeExponential(a: ExpHistogram, b: ExpHistogram, maxBuckets = MAX_BUCKETS): ExpHistogram {
  let scale = Math.min(a.scale, b.scale);
  const fits = (s: number): boolean =>
    width(a.positive, a.scale - s, b.positive, b.scale - s) <= maxBuckets &&
    width(a.negative, a.scale - s, b.negative, b.scale - s) <= maxBuckets;
  while (scale > MIN_SCALE && !fits(scale)) scale--;
  const zeroThreshold = Math.max(a.zeroThreshold, b.zeroThreshold);
  const [positive, posToZero] = addBuckets(
    a.positive,
    a.scale - scale,
    b.positive,
    b.scale - scale,
    scale,
    zeroThreshold,
  );
  const [negative, negToZero] = addBuckets(
    a.negative,
    a.scale - scale,
    b.negative,
    b.scale - scale,
    scale,
    zeroThreshold,
  );
  return { scale, zeroThreshold, zeroCount: a.zeroCount + b.zeroCount + posToZero + negToZero, positive, negative };
}

/**
 * Explicit buckets (bounds ascending; counts per bucket, one more than bounds, the last the
 * empty +Inf bucket): negative buckets with their negative upper bounds (-base^i), the zero
 * bucket with bound zeroThreshold, then the positive buckets (base^(i+1)).
 */
export function explicitFromExponential(h: ExpHistogram): { bounds: number[]; counts: number[] } {
  const bounds: number[] = [];
  const counts: number[] = [];
  const step = Math.pow(2, -h.scale);
  const neg = h.negative;
  for (let k = neg.counts.length - 1; k >= 0; k--) {
    bounds.push(-Math.pow(2, (neg.offset + k) * step));
    counts.push(neg.counts[k]!);
  }
  bounds.push(h.zeroThreshold);
  counts.push(h.zeroCount);
  const pos = h.positive;
  for (let k = 0; k < pos.counts.length; k++) {
    bounds.push(Math.pow(2, (pos.offset + k + 1) * step));
    counts.push(pos.counts[k]!);
  }
  counts.push(0); // +Inf: every value fits a finite bucket above
  return { bounds, counts };
}
