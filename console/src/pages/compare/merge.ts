// Trace compare: two traces as one merged tree, as Jaeger's trace diff builds it. Spans are matched
// by their path of service and operation from the root; siblings with the same service and
// operation are one node with a count. Each node says whether it is only in A, only in B or in
// both, and by how much its total duration differs.
import type { TraceTree } from '../trace/tree.js';

export interface Side {
  readonly count: number;
  readonly totalUs: number;
}

export interface DiffNode {
  readonly service: string;
  readonly operation: string;
  readonly depth: number;
  readonly a?: Side;
  readonly b?: Side;
  readonly state: 'a' | 'b' | 'both';
  /** total in B minus total in A, µs (only for 'both') */
  readonly diffUs: number;
  readonly children: readonly DiffNode[];
}

const keyOf = (tree: TraceTree, i: number): string =>
  `${tree.nodes[i]!.service}\u0000${tree.nodes[i]!.span.operationName}`;

/** The given nodes grouped by service and operation, groups in order of first start. */
function group(tree: TraceTree, indices: readonly number[]): Map<string, number[]> {
  const sorted = [...indices].sort((x, y) => tree.nodes[x]!.span.startTime - tree.nodes[y]!.span.startTime);
  const out = new Map<string, number[]>();
  for (const i of sorted) {
    const k = keyOf(tree, i);
    const list = out.get(k);
    if (list) list.push(i);
    else out.set(k, [i]);
  }
  return out;
}

function side(tree: TraceTree, indices: readonly number[]): Side | undefined {
  if (indices.length === 0) return undefined;
  return { count: indices.length, totalUs: indices.reduce((s, i) => s + tree.nodes[i]!.span.duration, 0) };
}

function mergeLevel(
  ta: TraceTree,
  tb: TraceTree,
  aIdx: readonly number[],
  bIdx: readonly number[],
  depth: number,
): DiffNode[] {
  const ga = group(ta, aIdx);
  const gb = group(tb, bIdx);
  const keys = [...new Set([...ga.keys(), ...gb.keys()])];
  return keys.map((k): DiffNode => {
    const an = ga.get(k) ?? [];
    const bn = gb.get(k) ?? [];
    const [service, operation] = k.split('\u0000') as [string, string];
    const a = side(ta, an);
    const b = side(tb, bn);
    return {
      service,
      operation,
      depth,
      a,
      b,
      state: a && b ? 'both' : a ? 'a' : 'b',
      diffUs: a && b ? b.totalUs - a.totalUs : 0,
      children: mergeLevel(
        ta,
        tb,
        an.flatMap((i) => ta.nodes[i]!.children),
        bn.flatMap((i) => tb.nodes[i]!.children),
        depth + 1,
      ),
    };
  });
}

export function mergeTraces(a: TraceTree, b: TraceTree): DiffNode[] {
  return mergeLevel(a, b, a.roots, b.roots, 0);
}

/** The merged tree as rows, depth first. */
export function diffRows(nodes: readonly DiffNode[]): DiffNode[] {
  const out: DiffNode[] = [];
  const stack = [...nodes].reverse();
  while (stack.length > 0) {
    const n = stack.pop()!;
    out.push(n);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return out;
}

export function diffSummary(rows: readonly DiffNode[]): { onlyA: number; onlyB: number; both: number } {
  let onlyA = 0;
  let onlyB = 0;
  let both = 0;
  for (const r of rows) {
    if (r.state === 'a') onlyA++;
    else if (r.state === 'b') onlyB++;
    else both++;
  }
  return { onlyA, onlyB, both };
}
