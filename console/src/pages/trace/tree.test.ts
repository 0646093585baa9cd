import { describe, expect, it } from 'vitest';
import { errorTag, makeTrace, T0_US } from './testdata.js';
import { ancestors, buildTree, parentIds, visibleRows } from './tree.js';

const ops = (tree: ReturnType<typeof buildTree>, rows: number[] = tree.nodes.map((_, i) => i)): string[] =>
  rows.map((i) => `${'  '.repeat(tree.nodes[i]!.depth)}${tree.nodes[i]!.span.operationName}`);

describe('trace tree', () => {
  const trace = makeTrace([
    { id: 'c2', parent: 'b', service: 'rec', op: 'late child', start: 300, duration: 10 },
    { id: 'a', service: 'frontend', op: 'root', start: 0, duration: 1000 },
    { id: 'b', parent: 'a', service: 'rec', op: 'b', start: 100, duration: 500 },
    { id: 'c1', parent: 'b', service: 'rec', op: 'early child', start: 200, duration: 10, tags: [errorTag] },
    { id: 'x', parent: 'missing', service: 'cart', op: 'orphan', start: 50, duration: 5 },
    { id: 'd', parent: 'a', service: 'ads', op: 'skewed', start: -20, duration: 100 },
  ]);
  const tree = buildTree(trace);

  it('orders spans depth first, children by start, orphans after the true root', () => {
    expect(ops(tree)).toEqual(['root', '  skewed', '  b', '    early child', '    late child', 'orphan']);
    expect(tree.roots.map((r) => tree.nodes[r]!.span.spanID)).toEqual(['a', 'x']);
    expect(tree.nodes.find((n) => n.span.spanID === 'x')!.orphan).toBe(true);
    expect(tree.nodes.filter((n) => n.orphan)).toHaveLength(1);
  });

  it('marks clock skew without moving the span, and counts the header figures', () => {
    expect(tree.nodes.filter((n) => n.clockSkew).map((n) => n.span.spanID)).toEqual(['d']);
    expect(tree.startUs).toBe(T0_US - 20);
    expect(tree.durationUs).toBe(1020);
    expect(tree.depth).toBe(3);
    expect(tree.services).toEqual(['ads', 'cart', 'frontend', 'rec']);
    expect(tree.errorCount).toBe(1);
    expect(tree.nodes[0]!.offsetUs).toBe(20);
  });

  it('collapses a subtree or all, and finds the ancestors to expand', () => {
    expect(ops(tree, visibleRows(tree, new Set(['b'])))).toEqual(['root', '  skewed', '  b', 'orphan']);
    expect(ops(tree, visibleRows(tree, parentIds(tree)))).toEqual(['root', 'orphan']);
    const late = tree.nodes.findIndex((n) => n.span.spanID === 'c2');
    expect(ancestors(tree, late).map((i) => tree.nodes[i]!.span.spanID)).toEqual(['b', 'a']);
  });

  it('cuts a parent loop instead of hanging, and survives a 5,000-deep chain', () => {
    const loop = buildTree(
      makeTrace([
        { id: 'p', parent: 'q', service: 's', op: 'p', start: 0, duration: 1 },
        { id: 'q', parent: 'p', service: 's', op: 'q', start: 1, duration: 1 },
        { id: 'self', parent: 'self', service: 's', op: 'self', start: 2, duration: 1 },
      ]),
    );
    expect(loop.nodes).toHaveLength(3);
    expect(loop.roots.length).toBe(2);
    const chain = buildTree(
      makeTrace(
        Array.from({ length: 5000 }, (_, i) => ({
          id: `s${i}`,
          parent: i === 0 ? undefined : `s${i - 1}`,
          service: 's',
          op: `op${i}`,
          start: i,
          duration: 10_000 - i,
        })),
      ),
    );
    expect(chain.depth).toBe(5000);
    expect(chain.nodes[0]!.subtreeEnd).toBe(5000);
    expect(visibleRows(chain, new Set(['s2']))).toHaveLength(3);
  });

  it('an empty trace is an empty tree', () => {
    const empty = buildTree(makeTrace([]));
    expect(empty.nodes).toEqual([]);
    expect(empty.durationUs).toBe(0);
  });
});
