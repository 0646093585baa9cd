// The waterfall's time axis and the minimap's view window: which part of the trace is shown,
// as fractions [start, end] of its duration, and where a span's bar falls in it.
import { formatDuration } from '../search/duration.js';

export interface ViewWindow {
  readonly start: number;
  readonly end: number;
}

export const FULL_WINDOW: ViewWindow = { start: 0, end: 1 };
/** the narrowest window, so a bar never becomes infinitely wide */
const MIN_WIDTH = 0.001;

/** A window kept inside [0, 1] and at least MIN_WIDTH wide. */
export function clampWindow(w: ViewWindow): ViewWindow {
  let a = Math.min(w.start, w.end);
  let b = Math.max(w.start, w.end);
  if (b - a < MIN_WIDTH) b = a + MIN_WIDTH;
  if (a < 0) [a, b] = [0, b - a];
  if (b > 1) [a, b] = [Math.max(0, a - (b - 1)), 1];
  return { start: a, end: b };
}

/** The window dragged by a fraction of the whole trace, keeping its width. */
export function moveWindow(w: ViewWindow, by: number): ViewWindow {
  const width = w.end - w.start;
  const start = Math.min(1 - width, Math.max(0, w.start + by));
  return { start, end: start + width };
}

/** Where a span's bar sits in the window: left and width in percent (may run past 0–100). */
export function barPosition(
  offsetUs: number,
  durationUs: number,
  traceDurationUs: number,
  w: ViewWindow,
): { left: number; width: number } {
  const d = traceDurationUs > 0 ? traceDurationUs : 1;
  const span = w.end - w.start;
  const a = offsetUs / d;
  return { left: ((a - w.start) / span) * 100, width: (durationUs / d / span) * 100 };
}

/** Jaeger's ticks: the window split into `parts` equal intervals, labelled from the trace start. */
export function timeTicks(traceDurationUs: number, w: ViewWindow, parts = 4): { at: number; label: string }[] {
  const out: { at: number; label: string }[] = [];
  for (let i = 0; i <= parts; i++) {
    const f = w.start + ((w.end - w.start) * i) / parts;
    out.push({ at: (i / parts) * 100, label: formatDuration(f * traceDurationUs) });
  }
  return out;
}
