import { describe, expect, it } from 'vitest';
import { criticalPath } from './criticalPath.js';
import { flameLayout } from './flame.js';
import { findSpans } from './find.js';
import { selfTimeUs } from './selfTime.js';
import { sortStats, traceStats } from './stats.js';
import { makeTrace, T0_US } from './testdata.js';
import { buildTree } from './tree.js';

// root 0–100; A 10–40 and B 30–70 overlap; C 50–90 is B's child that outlives it (clipped to 70)
const tree = buildTree(
  makeTrace([
    { id: 'r', service: 'frontend', op: 'GET', start: 0, duration: 100 },
    {
      id: 'a',
      parent: 'r',
      service: 'rec',
      op: 'get_product_list',
      start: 10,
      duration: 30,
      tags: [
        { key: 'app.cache_hit', type: 'bool', value: false },
        { key: 'app.products.count', type: 'int64', value: 44530923 },
      ],
    },
    { id: 'b', parent: 'r', service: 'rec', op: 'get_product_list', start: 30, duration: 40 },
    {
      id: 'c',
      parent: 'b',
      service: 'catalog',
      op: 'ListProducts',
      start: 50,
      duration: 40,
      logs: [{ timestamp: T0_US + 55, fields: [{ key: 'event', type: 'string', value: 'cache miss' }] }],
    },
  ]),
);
const at = (id: string): number => tree.nodes.findIndex((n) => n.span.spanID === id);

describe('trace analysis', () => {
  it('self time: the span minus the union of its children (clipped to it)', () => {
    expect(selfTimeUs(tree, at('r'))).toBe(100 - 60); // children cover 10–70
    expect(selfTimeUs(tree, at('b'))).toBe(40 - 20); // c covers 50–70 of b
    expect(selfTimeUs(tree, at('c'))).toBe(40);
  });

  it('statistics per service and operation', () => {
    const stats = traceStats(tree);
    expect(stats.map((s) => `${s.service} ${s.operation}`)).toEqual([
      'frontend GET',
      'rec get_product_list',
      'catalog ListProducts',
    ]);
    expect(stats[1]).toEqual({
      service: 'rec',
      operation: 'get_product_list',
      count: 2,
      totalUs: 70,
      avgUs: 35,
      minUs: 30,
      maxUs: 40,
      selfTotalUs: 50,
      selfAvgUs: 25,
      selfMinUs: 20,
      selfMaxUs: 30,
      selfPercent: (50 / 70) * 100,
    });
    expect(sortStats(stats, 'count', true)[0]!.operation).toBe('get_product_list');
    expect(sortStats(stats, 'service', false).map((s) => s.service)).toEqual(['catalog', 'frontend', 'rec']);
  });

  it('critical path: back from the end through the last-finishing children', () => {
    const cp = criticalPath(tree);
    const rel = (id: string): number[][] => (cp.get(at(id)) ?? []).map(([s, e]) => [s - T0_US, e - T0_US]);
    expect(rel('r')).toEqual([
      [0, 30],
      [70, 100],
    ]);
    expect(rel('b')).toEqual([[30, 50]]);
    expect(rel('c')).toEqual([[50, 70]]);
    // a was still running when b started, which finished later: as in Jaeger, a is not on the path
    expect(rel('a')).toEqual([]);
    const total = [...cp.values()].flat().reduce((s, [a, b]) => s + (b - a), 0);
    expect(total).toBe(100);
  });

  it('flame graph: x and width as fractions of the trace, a level per depth', () => {
    const { rects, hidden } = flameLayout(tree, 0.35);
    expect(hidden).toBe(1); // a: 30 % of the trace
    expect(rects.map((r) => [tree.nodes[r.node]!.span.spanID, r.x, r.width, r.depth])).toEqual([
      ['r', 0, 1, 0],
      ['b', 0.3, 0.4, 1],
      ['c', 0.5, 0.4, 2],
    ]);
  });

  it.each([
    ['get_product_list', ['a', 'b']],
    ['CATALOG', ['c']],
    ['app.cache_hit=false', ['a']],
    ['app.cache_hit=true', []],
    ['44530923', ['a']],
    ['cache miss', ['a', 'c']], // "cache" is in a's tag key, "miss" in c's log
    ['host.name=frontend-host', ['r']],
    ['000b', ['b']],
    ['   ', []],
  ])('find "%s"', (query, ids) => {
    expect(findSpans(tree, query).map((i) => tree.nodes[i]!.span.spanID)).toEqual(ids);
  });
});
