// The service map's layout: services in columns by their depth in the call graph (callers left
// of callees, Jaeger's DAG view), each column sorted by name, edges carrying their call counts.
import type { DependencyLink } from '../../api/dependencies.js';

export interface MapNode {
  readonly name: string;
  readonly column: number;
  readonly row: number;
  /** calls this service received / made */
  readonly callsIn: number;
  readonly callsOut: number;
}

export interface MapEdge {
  readonly parent: string;
  readonly child: string;
  readonly callCount: number;
}

export interface ServiceMap {
  readonly nodes: readonly MapNode[];
  readonly edges: readonly MapEdge[];
  readonly columns: number;
  readonly rows: number;
}

/** Sums duplicate links and drops self-calls from the edges (a self-call keeps its node). */
function mergeLinks(links: readonly DependencyLink[]): MapEdge[] {
  const byPair = new Map<string, MapEdge>();
  for (const l of links) {
    if (l.parent === l.child) continue;
    const key = JSON.stringify([l.parent, l.child]);
    const prev = byPair.get(key);
    byPair.set(key, { parent: l.parent, child: l.child, callCount: (prev?.callCount ?? 0) + l.callCount });
  }
  return [...byPair.values()];
}

export function layoutServiceMap(links: readonly DependencyLink[]): ServiceMap {
  const edges = mergeLinks(links);
  const names = [...new Set(links.flatMap((l) => [l.parent, l.child]))].sort();
  // Longest-path depth from the callers; a cycle stops growing after as many rounds as nodes.
  const depth = new Map(names.map((n) => [n, 0]));
  for (let round = 0; round < names.length; round++) {
    let changed = false;
    for (const e of edges) {
      const d = depth.get(e.parent)! + 1;
      if (d > depth.get(e.child)! && d < names.length) {
        depth.set(e.child, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const callsIn = new Map<string, number>();
  const callsOut = new Map<string, number>();
  for (const e of edges) {
    callsIn.set(e.child, (callsIn.get(e.child) ?? 0) + e.callCount);
    callsOut.set(e.parent, (callsOut.get(e.parent) ?? 0) + e.callCount);
  }
  const rowsUsed = new Map<number, number>();
  const nodes = names.map((name): MapNode => {
    const column = depth.get(name)!;
    const row = rowsUsed.get(column) ?? 0;
    rowsUsed.set(column, row + 1);
    return { name, column, row, callsIn: callsIn.get(name) ?? 0, callsOut: callsOut.get(name) ?? 0 };
  });
  return {
    nodes,
    edges,
    columns: nodes.length === 0 ? 0 : Math.max(...nodes.map((n) => n.column)) + 1,
    rows: Math.max(0, ...rowsUsed.values()),
  };
}

/** Where a click on a service leads: the trace search for it. */
export function searchHref(service: string): string {
  return `/search?${new URLSearchParams({ service }).toString()}`;
}
