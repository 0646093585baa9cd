// Annotation markers on a chart: events closer than a few pixels are drawn as one marker with a
// count, so a crash loop's hundred restarts stay one readable mark instead of a solid block.
import { markerKind, type MarkerKind } from './palette.js';

export interface MarkerEvent {
  readonly time: number;
  readonly tags: readonly string[];
  readonly text: string;
}

export interface MarkerGroup {
  readonly kind: MarkerKind;
  /** pixel position of the group (its first event) */
  readonly x: number;
  readonly events: readonly MarkerEvent[];
}

/** Groups events per kind whose positions lie within `minGapPx` of the group's first one. */
export function groupMarkers(
  events: readonly MarkerEvent[],
  toX: (timeMs: number) => number,
  minGapPx = 6,
): MarkerGroup[] {
  const groups: MarkerGroup[] = [];
  const open = new Map<MarkerKind, { kind: MarkerKind; x: number; events: MarkerEvent[] }>();
  for (const e of [...events].sort((a, b) => a.time - b.time)) {
    const kind = markerKind(e.tags);
    const x = toX(e.time);
    const current = open.get(kind);
    if (current && x - current.x < minGapPx) {
      current.events.push(e);
      continue;
    }
    const g = { kind, x, events: [e] };
    open.set(kind, g);
    groups.push(g);
  }
  return groups;
}

/** How many events of each kind a chart shows, for its marker legend. */
export function countKinds(events: readonly MarkerEvent[]): Map<MarkerKind, number> {
  const counts = new Map<MarkerKind, number>();
  for (const e of events) counts.set(markerKind(e.tags), (counts.get(markerKind(e.tags)) ?? 0) + 1);
  return counts;
}
