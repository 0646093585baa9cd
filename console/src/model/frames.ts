// Turns Prometheus range results into the column layout charts draw: one shared time axis on the
// query_range step grid and one column per series, with null where a series has no sample.
import type { MatrixSeries } from '../api/prometheus.js';
import { parseSampleValue } from '../api/prometheus.js';
import { seriesName } from './legend.js';

export interface FrameSeries {
  readonly name: string;
  readonly metric: Readonly<Record<string, string>>;
  readonly refId: string;
  readonly values: (number | null)[];
}

export interface Frame {
  /** unix seconds, ascending */
  readonly times: number[];
  readonly series: FrameSeries[];
}

export interface QueryResultSet {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat: string;
  readonly result: readonly MatrixSeries[];
}

/** Aligns the series of several queries on the step grid [start, end] (ms). */
export function buildFrame(results: readonly QueryResultSet[], startMs: number, endMs: number, stepMs: number): Frame {
  const times: number[] = [];
  const index = new Map<number, number>();
  const stepS = stepMs / 1000;
  const startS = startMs / 1000;
  const count = Math.floor((endMs - startMs) / stepMs) + 1;
  for (let i = 0; i < count; i++) {
    const t = Math.round((startS + i * stepS) * 1000) / 1000;
    index.set(t, i);
    times.push(t);
  }
  const series: FrameSeries[] = [];
  for (const r of results) {
    for (const s of r.result) {
      const values: (number | null)[] = new Array<number | null>(times.length).fill(null);
      for (const [t, v] of s.values) {
        const i = index.get(Math.round(t * 1000) / 1000);
        const n = parseSampleValue(v);
        // Points off the grid (other steps) are placed at the nearest slot; infinities cannot be drawn.
        const slot = i ?? Math.round((t - startS) / stepS);
        if (slot >= 0 && slot < values.length) values[slot] = Number.isFinite(n) ? n : null;
      }
      series.push({ name: seriesName(s.metric, r.legendFormat, r.expr), metric: s.metric, refId: r.refId, values });
    }
  }
  return { times, series };
}

/** Cumulative sums for stacked charts, treating gaps as zero below a present value. */
export function stackValues(series: readonly FrameSeries[]): (number | null)[][] {
  const out: (number | null)[][] = [];
  let below: number[] | undefined;
  for (const s of series) {
    const col = s.values.map((v, i) => (v === null ? null : v + (below?.[i] ?? 0)));
    below = s.values.map((v, i) => (v ?? 0) + (below?.[i] ?? 0));
    out.push(col);
  }
  return out;
}

/** The last non-null value of a series, for stat panels. */
export function lastValue(values: readonly (number | null)[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i]!;
  return null;
}
