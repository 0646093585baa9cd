import { describe, expect, it } from 'vitest';
import { makeTrace } from '../trace/testdata.js';
import { buildTree } from '../trace/tree.js';
import { diffRows, diffSummary, mergeTraces } from './merge.js';

describe('trace compare', () => {
  const a = buildTree(
    makeTrace([
      { id: 'r', service: 'frontend', op: 'GET', start: 0, duration: 100 },
      { id: 'x', parent: 'r', service: 'rec', op: 'get_product_list', start: 10, duration: 80 },
      { id: 'y', parent: 'x', service: 'catalog', op: 'List', start: 20, duration: 5 },
      { id: 'y2', parent: 'x', service: 'catalog', op: 'List', start: 30, duration: 5 },
      { id: 'z', parent: 'r', service: 'ads', op: 'ads', start: 5, duration: 5 },
    ]),
  );
  const b = buildTree(
    makeTrace([
      { id: 'r', service: 'frontend', op: 'GET', start: 0, duration: 30 },
      { id: 'x', parent: 'r', service: 'rec', op: 'get_product_list', start: 2, duration: 10 },
      { id: 'y', parent: 'x', service: 'catalog', op: 'List', start: 3, duration: 4 },
      { id: 'c', parent: 'x', service: 'cache', op: 'hit', start: 1, duration: 1 },
    ]),
  );

  it('merges by path of service and operation: only A, only B, both with the difference', () => {
    const rows = diffRows(mergeTraces(a, b));
    expect(
      rows.map((r) => [
        '  '.repeat(r.depth) + `${r.service} ${r.operation}`,
        r.state,
        r.a?.count ?? 0,
        r.b?.count ?? 0,
        r.diffUs,
      ]),
    ).toEqual([
      ['frontend GET', 'both', 1, 1, -70],
      ['  ads ads', 'a', 1, 0, 0],
      ['  rec get_product_list', 'both', 1, 1, -70],
      ['    catalog List', 'both', 2, 1, -6],
      ['    cache hit', 'b', 0, 1, 0],
    ]);
    expect(diffSummary(rows)).toEqual({ onlyA: 1, onlyB: 1, both: 3 });
  });

  it('a trace compared with itself differs nowhere', () => {
    const rows = diffRows(mergeTraces(a, a));
    expect(rows.every((r) => r.state === 'both' && r.diffUs === 0)).toBe(true);
  });
});
