// The scatter plot above the results: start time on x, duration on y, dot area by span count,
// error traces marked; a brushed rectangle selects the traces inside it.
import { formatDuration } from './duration.js';
import type { TraceSummary } from './results.js';

export interface Dot {
  readonly traceID: string;
  readonly x: number;
  readonly y: number;
  readonly r: number;
  readonly error: boolean;
  readonly durationUs: number;
}

export interface Tick {
  readonly at: number;
  readonly label: string;
}

export interface ScatterLayout {
  readonly dots: readonly Dot[];
  readonly xTicks: readonly Tick[];
  readonly yTicks: readonly Tick[];
  /** the plotting area inside the margins */
  readonly plot: { readonly left: number; readonly top: number; readonly right: number; readonly bottom: number };
  /** what the axes span: start times (µs since the epoch) on x, durations (µs) from 0 on y */
  readonly domain: { readonly t0Us: number; readonly t1Us: number; readonly yMaxUs: number };
}

export interface ScatterSize {
  readonly width: number;
  readonly height: number;
}

const MARGIN = { left: 64, right: 16, top: 12, bottom: 28 };
const MIN_R = 3;
const MAX_R = 12;

/** 1-2-5 steps: a round step that gives about `count` ticks over span. */
export function niceStep(span: number, count: number): number {
  if (span <= 0) return 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

function clockLabel(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function scatterLayout(traces: readonly TraceSummary[], size: ScatterSize): ScatterLayout {
  const plot = {
    left: MARGIN.left,
    top: MARGIN.top,
    right: Math.max(MARGIN.left + 1, size.width - MARGIN.right),
    bottom: Math.max(MARGIN.top + 1, size.height - MARGIN.bottom),
  };
  if (traces.length === 0) return { dots: [], xTicks: [], yTicks: [], plot, domain: { t0Us: 0, t1Us: 1, yMaxUs: 1 } };
  let t0 = Infinity;
  let t1 = -Infinity;
  let dMax = 0;
  let spansMax = 1;
  for (const t of traces) {
    t0 = Math.min(t0, t.startUs);
    t1 = Math.max(t1, t.startUs);
    dMax = Math.max(dMax, t.durationUs);
    spansMax = Math.max(spansMax, t.spanCount);
  }
  // pad a single instant so dots do not sit on the axis ends
  if (t1 - t0 < 1000) {
    t0 -= 500_000;
    t1 += 500_000;
  }
  const yStep = niceStep(dMax || 1, 4);
  const yMax = Math.max(yStep, Math.ceil((dMax || 1) / yStep) * yStep);
  const w = plot.right - plot.left;
  const h = plot.bottom - plot.top;
  const xOf = (us: number): number => plot.left + ((us - t0) / (t1 - t0)) * w;
  const yOf = (us: number): number => plot.bottom - (us / yMax) * h;
  const dots = traces.map((t): Dot => ({
    traceID: t.traceID,
    x: xOf(t.startUs),
    y: yOf(t.durationUs),
    // area grows with span count
    r: MIN_R + (MAX_R - MIN_R) * Math.sqrt((t.spanCount - 1) / Math.max(1, spansMax - 1)),
    error: t.errorCount > 0,
    durationUs: t.durationUs,
  }));
  const yTicks: Tick[] = [];
  for (let v = 0; v <= yMax + yStep / 2; v += yStep) yTicks.push({ at: yOf(v), label: formatDuration(v) });
  const xStepMs = niceStep((t1 - t0) / 1000, 5);
  const xTicks: Tick[] = [];
  for (let ms = Math.ceil(t0 / 1000 / xStepMs) * xStepMs; ms * 1000 <= t1; ms += xStepMs)
    xTicks.push({ at: xOf(ms * 1000), label: clockLabel(ms) });
  return { dots, xTicks, yTicks, plot, domain: { t0Us: t0, t1Us: t1, yMaxUs: yMax } };
}

export interface Brush {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** The trace IDs whose dot centres lie in the brushed rectangle (corners in any order). */
export function tracesInBrush(dots: readonly Dot[], b: Brush): Set<string> {
  const [xa, xb] = b.x0 < b.x1 ? [b.x0, b.x1] : [b.x1, b.x0];
  const [ya, yb] = b.y0 < b.y1 ? [b.y0, b.y1] : [b.y1, b.y0];
  return new Set(dots.filter((d) => d.x >= xa && d.x <= xb && d.y >= ya && d.y <= yb).map((d) => d.traceID));
}

/** The dot under a point (the nearest within its radius plus a little slack), for clicks. */
export function dotAt(dots: readonly Dot[], x: number, y: number): Dot | undefined {
  let best: Dot | undefined;
  let bestD = Infinity;
  for (const d of dots) {
    const dist = Math.hypot(d.x - x, d.y - y);
    if (dist <= d.r + 3 && dist < bestD) {
      best = d;
      bestD = dist;
    }
  }
  return best;
}

/** A brushed rectangle in data terms: start times (µs since the epoch) × durations (µs). */
export interface BrushRegion {
  readonly fromUs: number;
  readonly toUs: number;
  readonly minUs: number;
  readonly maxUs: number;
}

/** The start-time and duration ranges a brushed rectangle covers (corners in any order). */
export function brushRegion(layout: ScatterLayout, b: Brush): BrushRegion {
  const { plot, domain } = layout;
  const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
  const tOf = (x: number): number =>
    domain.t0Us +
    ((clamp(x, plot.left, plot.right) - plot.left) / (plot.right - plot.left)) * (domain.t1Us - domain.t0Us);
  const dOf = (y: number): number =>
    ((plot.bottom - clamp(y, plot.top, plot.bottom)) / (plot.bottom - plot.top)) * domain.yMaxUs;
  const [t0, t1] = [tOf(b.x0), tOf(b.x1)].sort((p, q) => p - q) as [number, number];
  const [d0, d1] = [dOf(b.y0), dOf(b.y1)].sort((p, q) => p - q) as [number, number];
  return { fromUs: t0, toUs: t1, minUs: d0, maxUs: d1 };
}
