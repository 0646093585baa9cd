// Service dependencies for /api/dependencies, by a scan: every live trace with a span starting in
// the window is walked, each span's parent found by ID, and a call counted where the parent's
// service differs from the child's. forEachSpanLink is the per-trace walk that scan (or an
// index kept up to date as traces arrive) reads spans' ID links with.
import type { SegmentArena } from './arena.js';
import type { Catalogue } from './catalogue.js';
import { SpanCursor } from './codec.js';
import type { StringTable } from './intern.js';
import { SP_ID, SP_PARENT } from './layout.js';
import type { DependencyLink } from './storage.js';
import type { TraceTable } from './trace-table.js';

export interface DependencyScanSource {
  readonly table: TraceTable;
  readonly arena: SegmentArena;
  readonly catalogue: Catalogue;
  /** the table service names are interned in */
  readonly strs: StringTable;
}

/**
 * Calls fn for each span of live trace ord with its span ID and parent span ID as two 32-bit
 * words each (parentHi -1 for a root) and its service's id.
 */
export function forEachSpanLink(
  src: DependencyScanSource,
  ord: number,
  fn: (idHi: number, idLo: number, parentHi: number, parentLo: number, serviceId: number) => void,
  cur: SpanCursor = new SpanCursor(src.arena),
): void {
  const { table, catalogue } = src;
  cur.trace(table.lastRef[ord - table.base]!);
  while (cur.next()) {
    const { u32, p } = cur;
    const hasParent = cur.hasParent;
    fn(
      u32[p + SP_ID]!,
      u32[p + SP_ID + 1]!,
      hasParent ? u32[p + SP_PARENT]! : -1,
      hasParent ? u32[p + SP_PARENT + 1]! : -1,
      catalogue.origins[cur.originId]!.serviceId,
    );
  }
}

/** Parent → child service calls of traces with spans in [fromNs, toNs], sorted by parent, then child. */
export function scanDependencies(src: DependencyScanSource, fromNs: number, toNs: number): DependencyLink[] {
  const { table } = src;
  const cur = new SpanCursor(src.arena);
  const counts = new Map<string, number>();
  // per span of the trace: (hi, lo) span id and parent id (-1, -1 for a root), service id
  const ids: number[] = [];
  const services: number[] = [];
  const parents: number[] = [];
  const collect = (idHi: number, idLo: number, parentHi: number, parentLo: number, serviceId: number): void => {
    ids.push(idHi, idLo);
    parents.push(parentHi, parentLo);
    services.push(serviceId);
  };
  for (let ord = table.firstLive; ord < table.nextOrd; ord++) {
    const slot = ord - table.base;
    if (table.start[slot]! > toNs || table.maxSpanStart[slot]! < fromNs) continue;
    ids.length = 0;
    services.length = 0;
    parents.length = 0;
    forEachSpanLink(src, ord, collect, cur);
    const n = services.length;
    let byId: Map<string, number> | undefined;
    if (n > 32) {
      byId = new Map();
      for (let i = 0; i < n; i++) byId.set(`${ids[2 * i]}:${ids[2 * i + 1]}`, i);
    }
    for (let i = 0; i < n; i++) {
      const hi = parents[2 * i]!;
      if (hi < 0) continue;
      const lo = parents[2 * i + 1]!;
      let parent = -1;
      if (byId) parent = byId.get(`${hi}:${lo}`) ?? -1;
      else for (let j = 0; j < n; j++) if (ids[2 * j] === hi && ids[2 * j + 1] === lo) parent = j;
      if (parent < 0 || services[parent] === services[i]) continue;
      const key = `${services[parent]}\u0000${services[i]}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const out: DependencyLink[] = [];
  for (const [key, callCount] of counts) {
    const [p, c] = key.split('\u0000');
    out.push({ parent: src.strs.strings[Number(p)]!, child: src.strs.strings[Number(c)]!, callCount });
  }
  return out.sort((a, b) =>
    a.parent < b.parent ? -1 : a.parent > b.parent ? 1 : a.child < b.child ? -1 : a.child > b.child ? 1 : 0,
  );
}
