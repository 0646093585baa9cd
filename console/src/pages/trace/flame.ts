// The flame graph: one rectangle per span, x and width as fractions of the trace's duration, one
// level per depth; spans too narrow to see are left out (their count is reported).
import type { TraceTree } from './tree.js';

export interface FlameRect {
  readonly node: number;
  readonly x: number;
  readonly width: number;
  readonly depth: number;
}

export function flameLayout(tree: TraceTree, minWidth = 0): { rects: FlameRect[]; hidden: number } {
  const d = tree.durationUs > 0 ? tree.durationUs : 1;
  const rects: FlameRect[] = [];
  let hidden = 0;
  for (const node of tree.nodes) {
    const width = node.span.duration / d;
    if (width < minWidth) {
      hidden++;
      continue;
    }
    rects.push({ node: node.index, x: (node.span.startTime - tree.startUs) / d, width, depth: node.depth });
  }
  return { rects, hidden };
}
