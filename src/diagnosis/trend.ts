// Classifying one metric series over a window: memory (restarts as sharp drops, growth as a
// robust trend) and shifts of a level (p99 latency, error share) against the series' own past.
// Pure functions over (t ms, v) arrays; the PromQL side lives in findings.ts.
import { blockedMannKendallZ, mannKendall, median, theilSenSlope } from './stats.js';

/** A drop to below this share of the recent level is a restart (a GC gives back far less). */
const DROP_TO_SHARE = 0.7;
/** ...and it must free at least this many bytes. */
const MIN_DROP_BYTES = 4e6;
/** points of recent past a drop is measured against (their median, so one spike does not count) */
const DROP_REFERENCE_POINTS = 5;
/** fewest points a trend is tested on */
const MIN_TREND_POINTS = 10;
/** Mann–Kendall z a rise must reach (one-sided p ≈ 0.0013) */
const TREND_Z = 3;
/** the rise must add at least this share of the level over its stretch */
const MIN_GROWTH_SHARE = 0.05;
const MIN_GROWTH_BYTES = 2e6;

export interface Growth {
  readonly slopePerMin: number;
  /** when the rise began (ms): the best change point of "flat, then a line" */
  readonly sinceMs: number;
  readonly z: number;
}

/** A restart the supervisor reported (its annotation): when the process exited, and whether it ran out of memory. */
export interface Restart {
  /** ms */
  readonly at: number;
  readonly outOfMemory: boolean;
}

export interface MemoryAnalysis {
  /** times (ms) of the sharp drops (restarts) */
  readonly drops: readonly number[];
  /** the latest significant rise, if any */
  readonly growth: Growth | undefined;
}

function finitePoints(t: readonly number[], v: readonly number[]): { t: number[]; v: number[] } {
  const ot: number[] = [];
  const ov: number[] = [];
  for (let i = 0; i < Math.min(t.length, v.length); i++) {
    if (Number.isFinite(v[i])) {
      ot.push(t[i]!);
      ov.push(v[i]!);
    }
  }
  return { t: ot, v: ov };
}

/** Indices where the series falls sharply below the median of its last few points. */
function dropIndices(v: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < v.length; i++) {
    const ref = median(v.slice(Math.max(0, i - DROP_REFERENCE_POINTS), i))!;
    if (v[i]! < ref * DROP_TO_SHARE && ref - v[i]! >= MIN_DROP_BYTES) {
      // a drop spread over two samples is one restart
      if (out.length > 0 && i - out[out.length - 1]! <= 2) continue;
      out.push(i);
    }
  }
  return out;
}

/** Sum of absolute residuals of the line through (t, v) with Theil–Sen slope b. */
function lineCost(t: readonly number[], v: readonly number[], b: number): number {
  const a = median(v.map((x, i) => x - b * t[i]!))!;
  let c = 0;
  for (let i = 0; i < v.length; i++) c += Math.abs(v[i]! - a - b * t[i]!);
  return c;
}

/** The significant rise of one stretch without restarts, if any. */
function segmentGrowth(t: readonly number[], v: readonly number[]): Growth | undefined {
  const n = v.length;
  if (n < MIN_TREND_POINTS) return undefined;
  // change point: flat (its median) up to k, a Theil–Sen line from k; the k that fits best
  let bestK = 0;
  let bestCost = Infinity;
  const step = Math.max(1, Math.floor(n / 30));
  for (let k = 0; k <= n - MIN_TREND_POINTS; k += step) {
    const flat = v.slice(0, k);
    const level = k > 0 ? median(flat)! : 0;
    let cost = 0;
    for (const x of flat) cost += Math.abs(x - level);
    const tt = t.slice(k);
    const vv = v.slice(k);
    cost += lineCost(tt, vv, theilSenSlope(tt, vv));
    if (cost < bestCost) {
      bestCost = cost;
      bestK = k;
    }
  }
  const tt = t.slice(bestK);
  const vv = v.slice(bestK);
  const slopePerMs = theilSenSlope(tt, vv);
  const { z } = mannKendall(vv);
  const rise = slopePerMs * (tt[tt.length - 1]! - tt[0]!);
  const level = median(vv)!;
  if (slopePerMs <= 0 || z < TREND_Z || rise < Math.max(MIN_GROWTH_BYTES, MIN_GROWTH_SHARE * level)) return undefined;
  // still rising at the end: a warm-up that has levelled off (caches filled, code compiled) is not a leak
  const tail = Math.max(8, Math.floor(tt.length * 0.4));
  if (theilSenSlope(tt.slice(-tail), vv.slice(-tail)) < slopePerMs * 0.5) return undefined;
  return { slopePerMin: slopePerMs * 60_000, sinceMs: tt[0]!, z };
}

/** fewest points of one tooth of a sawtooth that its slope is taken from */
const MIN_TOOTH_POINTS = 3;

/**
 * The rise of a sawtooth (a leak cut short by restarts, each tooth maybe too short to test on
 * its own): the median of the teeth's Theil–Sen slopes (one vote a tooth, so a long flat stretch
 * before the leak does not outvote it), tested with the blocked Mann–Kendall test (the teeth as
 * independent blocks). `oomEnds[s]`: tooth s ended in an out-of-memory restart; such a tooth
 * whose final rise climbed by a growth's worth confirms the rise without the test, since a leak
 * that grows fast (the demo's grows 1.25x a cache miss) kills its process within a sample or
 * two of leaving its usual level, too few for any trend test, and the supervisor saw it die of
 * that memory.
 */
function sawtoothGrowth(
  t: readonly number[],
  v: readonly number[],
  bounds: readonly number[],
  oomEnds: readonly boolean[] = [],
): Growth | undefined {
  const slopes: number[] = [];
  const blocks = [];
  const durations: number[] = [];
  /** each tooth's rising part: a tooth cut by a restart may have been flat before its rise */
  const rises: { from: number; to: number }[] = [];
  const level = median(v)!;
  const minRise = Math.max(MIN_GROWTH_BYTES, MIN_GROWTH_SHARE * level);
  let oomConfirmed = false;
  for (let s = 0; s + 1 < bounds.length; s++) {
    const from = bounds[s]!;
    const to = bounds[s + 1]!;
    if (to - from < MIN_TOOTH_POINTS) continue;
    const oom = oomEnds[s] === true;
    const endsInDrop = to < v.length || oom;
    const riseFrom = endsInDrop ? riseStartIndex(v, from, to) : from;
    // the climb from the last sample at the usual level to the one before the out-of-memory exit
    const climbed = oom && riseFrom > from && riseFrom < to && v[to - 1]! - v[riseFrom - 1]! >= minRise;
    if (climbed) oomConfirmed = true;
    const r =
      to - riseFrom >= MIN_TOOTH_POINTS
        ? { from: riseFrom, to }
        : climbed
          ? { from: riseFrom - 1, to } // a rise of a sample or two: its slope from the usual level
          : { from, to };
    rises.push(r);
    slopes.push(theilSenSlope(t.slice(r.from, r.to), v.slice(r.from, r.to)));
    blocks.push(mannKendall(v.slice(from, to)));
    durations.push(t[r.to - 1]! - t[r.from]!);
  }
  if (rises.length === 0) return undefined;
  const slopePerMs = median(slopes) ?? 0;
  const z = blockedMannKendallZ(blocks);
  const rise = slopePerMs * median(durations)!;
  if (slopePerMs <= 0 || (z < TREND_Z && !oomConfirmed) || rise < minRise) return undefined;
  // since: where the first tooth that rises like the others began to rise
  for (let k = 0; k < rises.length; k++) {
    if (slopes[k]! < slopePerMs * 0.5) continue;
    return { slopePerMin: slopePerMs * 60_000, sinceMs: t[rises[k]!.from]!, z };
  }
  return undefined;
}

/** Where the rise that ends the stretch [from, to) began: the first index of its final run above the stretch's usual level (`to` when it ends at that level). */
function riseStartIndex(v: readonly number[], from: number, to: number): number {
  const head = v.slice(from, from + Math.max(1, Math.floor((to - from) / 2)));
  const level = median(head)!;
  const spread = median(head.map((x) => Math.abs(x - level)))!;
  const above = level + 3 * Math.max(spread, 0.01 * Math.abs(level));
  if (!(v[to - 1]! > above)) return to;
  let i = to - 1;
  while (i > from && v[i - 1]! > above) i--;
  return i;
}

/**
 * Where the supervisor's out-of-memory restarts cut the series: the first point after each (the
 * new process's first sample), unless a drop was seen there or just after. A leak that kills its
 * process fast may leave no drop: the dying process's last samples are few, and the median the
 * drop is measured against still sits at the usual level. Other restarts cut only where memory
 * drops: a crash loop of a flat service would otherwise make each process's warm-up a tooth.
 */
function restartCuts(t: readonly number[], drops: readonly number[], restarts: readonly Restart[]): number[] {
  const cuts = [...drops];
  for (const r of restarts) {
    if (!r.outOfMemory) continue;
    const i = t.findIndex((x) => x > r.at);
    if (i <= 0) continue;
    // the successor's first samples may still be falling: a drop up to two points later is this restart
    if (cuts.some((d) => d >= i && d - i <= 2)) continue;
    cuts.push(i);
  }
  return cuts.sort((a, b) => a - b);
}

/**
 * Restarts and growth of a memory series (bytes); robust to noise and to single GC spikes.
 * `restarts`: those the supervisor reported; its out-of-memory exits cut the series into one
 * stretch a process where the memory shows no drop, and confirm the rise before them.
 */
export function analyseMemory(
  times: readonly number[],
  values: readonly number[],
  restarts: readonly Restart[] = [],
): MemoryAnalysis {
  const { t, v } = finitePoints(times, values);
  const drops = dropIndices(v);
  const cuts = restartCuts(t, drops, restarts);
  const bounds = [0, ...cuts, v.length];
  // stretch s ended in an out-of-memory exit: one after its first point, before the next stretch's
  // (every out-of-memory restart inside the series cuts it, at its first later point or at a drop near it)
  const oomEnds = bounds.slice(1).map((to, s) => {
    const fromT = t[bounds[s]!];
    const nextT = to < t.length ? t[to]! : Infinity;
    return fromT !== undefined && restarts.some((r) => r.outOfMemory && r.at >= fromT && r.at < nextT);
  });
  const lastFrom = bounds[bounds.length - 2]!;
  let growth: Growth | undefined;
  if (v.length - lastFrom >= MIN_TREND_POINTS) {
    // the stretch since the last drop is long enough to tell on its own whether memory rises now
    growth = segmentGrowth(t.slice(lastFrom), v.slice(lastFrom));
    if (growth !== undefined && cuts.length > 0) {
      const early = sawtoothGrowth(t, v, bounds, oomEnds);
      if (early !== undefined) growth = { ...growth, sinceMs: early.sinceMs };
    } else if (growth === undefined && oomEnds[oomEnds.length - 1]) {
      // the process has just died of its memory: its last stretch ends in the out-of-memory exit
      growth = sawtoothGrowth(t, v, bounds, oomEnds);
    }
  } else if (cuts.length > 0 || oomEnds[oomEnds.length - 1]) {
    growth = sawtoothGrowth(t, v, bounds, oomEnds);
  }
  return { drops: drops.map((i) => t[i]!), growth };
}

export interface LevelShift {
  /** first point of the final run of high values (ms) */
  readonly sinceMs: number;
  /** median of the first half of the window */
  readonly before: number;
  /** median of the last quarter */
  readonly after: number;
}

export interface ShiftRule {
  /** the recent median must reach before × ratio ... */
  readonly ratio: number;
  /** ... and exceed it by at least this much */
  readonly minIncrease: number;
  /** ... and reach at least this level */
  readonly minLevel: number;
}

/** The medians of the first half and of the last quarter of a series (undefined when too short). */
function halves(v: readonly number[]): { before: number; after: number } | undefined {
  const n = v.length;
  if (n < 8) return undefined;
  return {
    before: median(v.slice(0, Math.floor(n / 2)))!,
    after: median(v.slice(n - Math.max(2, Math.floor(n / 4))))!,
  };
}

/**
 * How much the series of many services rose together (the median over them of last quarter ÷
 * first half; 1 when they did not, or when fewer than 3 series say anything). A busy machine
 * slows every service at once: a shift that every service shares is the machine's, not one
 * service's.
 */
export function sharedRise(
  series: readonly { readonly t: readonly number[]; readonly v: readonly number[] }[],
): number {
  const ratios: number[] = [];
  for (const s of series) {
    const h = halves(finitePoints(s.t, s.v).v);
    if (h && h.before > 0) ratios.push(h.after / h.before);
  }
  return ratios.length < 3 ? 1 : Math.max(1, median(ratios)!);
}

/**
 * A lasting rise of the last quarter of the window over its first half (p99 latency, error share),
 * beyond `shared`, the rise every service saw meanwhile (sharedRise; 1 for none).
 */
export function analyseShift(
  times: readonly number[],
  values: readonly number[],
  rule: ShiftRule,
  shared = 1,
): LevelShift | undefined {
  const { t, v } = finitePoints(times, values);
  const n = v.length;
  const h = halves(v);
  if (!h) return undefined;
  const { before, after } = h;
  // what this series would show had it only followed the others
  const expected = before * shared;
  if (after < expected * rule.ratio || after - expected < rule.minIncrease || after < rule.minLevel) return undefined;
  const threshold = before + (after - before) / 2;
  // since: the earliest point from which at least 80 % of the points are above half-way
  let since = n - 1;
  let above = 0;
  for (let i = n - 1; i >= 0; i--) {
    if (v[i]! > threshold) above++;
    if (above / (n - i) >= 0.8 && v[i]! > threshold) since = i;
  }
  return { sinceMs: t[since]!, before, after };
}
