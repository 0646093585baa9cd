// From a chart's point to its traces: a click on a point of a latency panel opens the trace search
// for that series' service (and span name where it has one) in the window the point was computed
// over, above the point's latency; on an error panel, the error traces of that window. The service
// and span name come from the series' labels, or from the query's matchers when the query
// aggregates them away (`sum by (le) (…{service_name="cart"})`).
import type { PointLinkKind, Unit } from './dashboard.js';
import { longestRangeMs, pinnedValue } from './matchers.js';
import { parseDurationMs } from './time.js';

export const SERVICE_LABEL = 'service_name';
export const OPERATION_LABEL = 'span_name';

export interface ChartPoint {
  /** the query of the series, variables substituted */
  readonly expr: string;
  readonly metric: Readonly<Record<string, string>>;
  /** unix seconds of the point */
  readonly timeS: number;
  readonly value: number;
  /** the query's step in ms */
  readonly stepMs: number;
}

export interface PointTraces {
  readonly service: string;
  readonly operation: string | undefined;
  /** ms */
  readonly startMs: number;
  readonly endMs: number;
  /** latency panels: the point's value as the search's Min Duration text */
  readonly minDuration: string | undefined;
  /** error panels: the Tags filter */
  readonly tags: string | undefined;
}

/**
 * The span-metrics connector's histogram bounds in ms (contracts.md; pointLinks.test.ts checks
 * them against src/names/contract.ts). A quantile from histogram_quantile is interpolated inside
 * one bucket, so no span need lie above it: the search starts at that bucket's lower bound.
 */
export const SPAN_METRICS_BUCKETS_MS: readonly number[] = [
  2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000, 10000, 15000,
];

/** Min Duration text of a latency: the lower bound of the span-metrics bucket it lies in, in µs. */
export function minDurationText(value: number, unit: Unit): string | undefined {
  const ms = unit === 's' ? value * 1000 : unit === 'ms' ? value : undefined;
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return undefined;
  let lower = 0;
  for (const b of SPAN_METRICS_BUCKETS_MS) if (b < ms) lower = b;
  return `${Math.floor(lower * 1000)}us`;
}

/**
 * What the traces of a point are, or undefined when the panel has no point links or the series
 * names no single service. The window ends at the point and reaches back one step, or the query's
 * rate window when that is longer, since the point's value describes the spans of that window.
 */
export function pointTraces(kind: PointLinkKind, unit: Unit, p: ChartPoint): PointTraces | undefined {
  if (kind === 'none' || !Number.isFinite(p.value)) return undefined;
  const service = p.metric[SERVICE_LABEL] ?? pinnedValue(p.expr, SERVICE_LABEL);
  if (service === undefined || service === '') return undefined;
  const operation = p.metric[OPERATION_LABEL] ?? pinnedValue(p.expr, OPERATION_LABEL);
  const windowMs = Math.max(p.stepMs, longestRangeMs(p.expr, parseDurationMs));
  const endMs = Math.round(p.timeS * 1000);
  const minDuration = kind === 'latency' ? minDurationText(p.value, unit) : undefined;
  if (kind === 'latency' && minDuration === undefined) return undefined;
  return {
    service,
    operation: operation === '' ? undefined : operation,
    startMs: endMs - windowMs,
    endMs,
    minDuration,
    tags: kind === 'errors' ? 'error=true' : undefined,
  };
}

/** The /search address of a point's traces (the search form reads these parameters). */
export function pointTracesHref(t: PointTraces): string {
  const q = new URLSearchParams({ service: t.service });
  if (t.operation !== undefined) q.set('operation', t.operation);
  if (t.tags !== undefined) q.set('tags', t.tags);
  if (t.minDuration !== undefined) q.set('minDuration', t.minDuration);
  q.set('lookback', 'custom');
  q.set('start', String(t.startMs * 1000));
  q.set('end', String(t.endMs * 1000));
  return `/search?${q.toString()}`;
}

/** The series whose drawn point lies nearest the cursor's height (pixels); -1 when none is drawn. */
export function nearestSeries(ys: readonly (number | null)[], cursorY: number): number {
  let best = -1;
  let bestDistance = Infinity;
  ys.forEach((y, i) => {
    if (y === null || !Number.isFinite(y)) return;
    const d = Math.abs(y - cursorY);
    if (d < bestDistance) {
      best = i;
      bestDistance = d;
    }
  });
  return best;
}
