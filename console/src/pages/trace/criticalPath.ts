// The critical path: the chain of work that decided the trace's duration, as Jaeger draws it.
// From a span's end, walk back: the child that finished last (before the point reached) was on
// the path from its end; before that child started, the next last-finishing child; time no child
// covers belongs to the span itself. Children are clipped to their parent first (clock skew).
import type { TraceTree } from './tree.js';

/** [start, end] in µs since the epoch */
export type Section = readonly [number, number];

/** Per node index: the sections of that span on the critical path, earliest first. */
export function criticalPath(tree: TraceTree): Map<number, Section[]> {
  const out = new Map<number, Section[]>();
  const add = (node: number, s: number, e: number): void => {
    if (e <= s) return;
    let list = out.get(node);
    if (!list) out.set(node, (list = []));
    list.push([s, e]);
  };
  const nodes = tree.nodes;
  // the walk, with explicit work items: a span and the bounds it is clipped to
  const work: { node: number; start: number; end: number }[] = [];
  for (const r of tree.roots) {
    const s = nodes[r]!.span;
    work.push({ node: r, start: s.startTime, end: s.startTime + s.duration });
  }
  while (work.length > 0) {
    const { node, start, end } = work.pop()!;
    const kids = nodes[node]!.children.map((c) => {
      const s = nodes[c]!.span;
      return { c, s: Math.max(start, s.startTime), e: Math.min(end, s.startTime + s.duration) };
    })
      .filter((k) => k.e > k.s)
      .sort((a, b) => b.e - a.e);
    let cur = end;
    for (const k of kids) {
      if (k.e > cur) continue; // overlaps the child already on the path
      add(node, k.e, cur);
      work.push({ node: k.c, start: k.s, end: k.e });
      cur = k.s;
      if (cur <= start) break;
    }
    add(node, start, cur);
  }
  for (const list of out.values()) list.sort((a, b) => a[0] - b[0]);
  return out;
}
