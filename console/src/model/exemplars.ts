// Exemplars on latency charts, as Grafana draws them: a small marker at (time, value) per exemplar
// of the panel's series (GET /api/v1/query_exemplars), hover names its trace, a click opens it.
// Many exemplars on a few pixels would be one blot: per cell of a few pixels only the slowest is
// kept, the one a user chasing latency wants.

export interface Exemplar {
  /** unix seconds */
  readonly timeS: number;
  readonly value: number;
  readonly traceId: string;
  readonly spanId: string | undefined;
  readonly seriesLabels: Readonly<Record<string, string>>;
}

const TRACE_ID = /^[0-9a-f]{1,32}$/i;

function labelsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v !== 'object' || v === null) return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/**
 * The exemplars of a query_exemplars answer's `data` that carry a trace ID (trace_id, or traceID
 * as some SDKs write it); anything malformed is skipped, since the answer comes from the network.
 */
export function readExemplars(data: unknown): Exemplar[] {
  if (!Array.isArray(data)) return [];
  const out: Exemplar[] = [];
  for (const group of data as unknown[]) {
    if (typeof group !== 'object' || group === null) continue;
    const { seriesLabels, exemplars } = group as { seriesLabels?: unknown; exemplars?: unknown };
    if (!Array.isArray(exemplars)) continue;
    const series = labelsOf(seriesLabels);
    for (const e of exemplars as unknown[]) {
      if (typeof e !== 'object' || e === null) continue;
      const { labels, value, timestamp } = e as { labels?: unknown; value?: unknown; timestamp?: unknown };
      const l = labelsOf(labels);
      const traceId = l['trace_id'] ?? l['traceID'] ?? l['traceId'];
      const v = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : NaN;
      const t = typeof timestamp === 'number' ? timestamp : typeof timestamp === 'string' ? Number(timestamp) : NaN;
      if (traceId === undefined || !TRACE_ID.test(traceId) || !Number.isFinite(v) || !Number.isFinite(t)) continue;
      out.push({ timeS: t, value: v, traceId: traceId.toLowerCase(), spanId: l['span_id'], seriesLabels: series });
    }
  }
  return out;
}

/** The same exemplar reported for several queries of a panel, once. */
export function uniqueExemplars(lists: readonly (readonly Exemplar[])[]): Exemplar[] {
  const seen = new Set<string>();
  const out: Exemplar[] = [];
  for (const list of lists)
    for (const e of list) {
      const key = `${e.traceId}/${e.spanId ?? ''}/${e.timeS}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(e);
    }
  return out;
}

export interface PlacedExemplar {
  readonly exemplar: Exemplar;
  /** pixels */
  readonly x: number;
  readonly y: number;
}

/** Exemplars placed on the chart, at most one per `cellPx` square (the slowest of each). */
export function placeExemplars(
  exemplars: readonly Exemplar[],
  toX: (timeS: number) => number,
  toY: (value: number) => number,
  cellPx: number,
): PlacedExemplar[] {
  const cells = new Map<string, PlacedExemplar>();
  for (const exemplar of exemplars) {
    const x = toX(exemplar.timeS);
    const y = toY(exemplar.value);
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const key = `${Math.floor(x / cellPx)}:${Math.floor(y / cellPx)}`;
    const held = cells.get(key);
    if (!held || exemplar.value > held.exemplar.value) cells.set(key, { exemplar, x, y });
  }
  return [...cells.values()];
}

/** The placed exemplar within `radiusPx` of (x, y), nearest first; undefined when none is. */
export function exemplarAt(
  placed: readonly PlacedExemplar[],
  x: number,
  y: number,
  radiusPx: number,
): PlacedExemplar | undefined {
  let best: PlacedExemplar | undefined;
  let bestD = radiusPx * radiusPx;
  for (const p of placed) {
    const d = (p.x - x) ** 2 + (p.y - y) ** 2;
    if (d <= bestD) {
      best = p;
      bestD = d;
    }
  }
  return best;
}

/** The trace page of an exemplar. */
export function exemplarHref(e: Exemplar): string {
  return `/trace/${encodeURIComponent(e.traceId)}`;
}

/** The largest exemplar value, so the y axis can make room for it (Grafana does the same). */
export function exemplarMax(exemplars: readonly Exemplar[]): number | undefined {
  let max: number | undefined;
  for (const e of exemplars) if (max === undefined || e.value > max) max = e.value;
  return max;
}
