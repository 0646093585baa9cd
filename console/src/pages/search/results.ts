// The results list of a search: one summary row per trace (Jaeger's search result item) and the
// five sorts Jaeger offers.
import type { JaegerSpan, JaegerTrace } from '../../api/traces.js';
import { serviceColor } from '../../model/serviceColor.js';

export interface ServiceChip {
  readonly name: string;
  readonly spans: number;
  readonly color: string;
}

export interface TraceSummary {
  readonly traceID: string;
  /** the first 7 digits, as Jaeger shows them */
  readonly shortID: string;
  readonly rootService: string;
  readonly rootOperation: string;
  /** µs since the epoch */
  readonly startUs: number;
  readonly durationUs: number;
  readonly spanCount: number;
  readonly errorCount: number;
  /** by name */
  readonly services: readonly ServiceChip[];
}

export function isErrorSpan(span: JaegerSpan): boolean {
  return span.tags.some((t) => t.key === 'error' && (t.value === true || t.value === 'true'));
}

/** The span a trace is named after: a span without a parent in the trace, the earliest such. */
export function rootSpan(trace: JaegerTrace): JaegerSpan | undefined {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  let root: JaegerSpan | undefined;
  for (const s of trace.spans) {
    const parent = s.references.find((r) => r.refType === 'CHILD_OF');
    if (parent && ids.has(parent.spanID)) continue;
    if (!root || s.startTime < root.startTime) root = s;
  }
  return root ?? trace.spans[0];
}

export function serviceOf(trace: JaegerTrace, span: JaegerSpan): string {
  return trace.processes[span.processID]?.serviceName ?? 'unknown service';
}

export function summarize(trace: JaegerTrace): TraceSummary {
  let start = Infinity;
  let end = -Infinity;
  let errors = 0;
  const perService = new Map<string, number>();
  for (const s of trace.spans) {
    start = Math.min(start, s.startTime);
    end = Math.max(end, s.startTime + s.duration);
    if (isErrorSpan(s)) errors++;
    const svc = serviceOf(trace, s);
    perService.set(svc, (perService.get(svc) ?? 0) + 1);
  }
  const root = rootSpan(trace);
  return {
    traceID: trace.traceID,
    shortID: trace.traceID.slice(0, 7),
    rootService: root ? serviceOf(trace, root) : '',
    rootOperation: root?.operationName ?? '',
    startUs: Number.isFinite(start) ? start : 0,
    durationUs: Number.isFinite(end) ? end - start : 0,
    spanCount: trace.spans.length,
    errorCount: errors,
    services: [...perService]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, spans]) => ({ name, spans, color: serviceColor(name) })),
  };
}

export const SORTS = [
  { value: 'recent', label: 'Most Recent' },
  { value: 'longest', label: 'Longest First' },
  { value: 'shortest', label: 'Shortest First' },
  { value: 'most', label: 'Most Spans' },
  { value: 'least', label: 'Least Spans' },
] as const;

export type SortOrder = (typeof SORTS)[number]['value'];

export function isSortOrder(s: string): s is SortOrder {
  return SORTS.some((o) => o.value === s);
}

/** A sorted copy; ties keep the newest first, then the trace ID, so the order is stable. */
export function sortTraces(list: readonly TraceSummary[], order: SortOrder): TraceSummary[] {
  const key = (t: TraceSummary): number => {
    switch (order) {
      case 'recent':
        return -t.startUs;
      case 'longest':
        return -t.durationUs;
      case 'shortest':
        return t.durationUs;
      case 'most':
        return -t.spanCount;
      case 'least':
        return t.spanCount;
    }
  };
  return [...list].sort(
    (a, b) => key(a) - key(b) || b.startUs - a.startUs || (a.traceID < b.traceID ? -1 : a.traceID > b.traceID ? 1 : 0),
  );
}

/** "a few seconds ago", "5 minutes ago", "2 hours ago", "3 days ago" (Jaeger's relative dates). */
export function timeAgo(thenMs: number, nowMs: number): string {
  const s = Math.max(0, (nowMs - thenMs) / 1000);
  if (s < 45) return 'a few seconds ago';
  const units: [number, string][] = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    if (s >= size * 0.75 || name === 'minute') {
      const n = Math.max(1, Math.round(s / size));
      return n === 1 ? `a${name === 'hour' ? 'n' : ''} ${name} ago` : `${n} ${name}s ago`;
    }
  }
  return '';
}
