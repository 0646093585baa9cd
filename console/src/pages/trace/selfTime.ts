// Self time: the part of a span's duration that none of its children covers (overlapping children
// counted once, children clipped to the span).
import type { TraceTree } from './tree.js';

export function selfTimeUs(tree: TraceTree, index: number): number {
  const node = tree.nodes[index]!;
  const s0 = node.span.startTime;
  const s1 = s0 + node.span.duration;
  const iv = node.children
    .map((c) => {
      const k = tree.nodes[c]!.span;
      return [Math.max(s0, k.startTime), Math.min(s1, k.startTime + k.duration)] as const;
    })
    .filter(([a, b]) => b > a)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let curS = -Infinity;
  let curE = -Infinity;
  for (const [a, b] of iv) {
    if (a > curE) {
      if (curE > curS) covered += curE - curS;
      curS = a;
      curE = b;
    } else curE = Math.max(curE, b);
  }
  if (curE > curS) covered += curE - curS;
  return node.span.duration - covered;
}
