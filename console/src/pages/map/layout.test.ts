import { describe, expect, it } from 'vitest';
import { layoutServiceMap, searchHref } from './layout.js';

describe('service map layout', () => {
  it('puts callers left of callees at their longest depth, with call counts in and out', () => {
    const map = layoutServiceMap([
      { parent: 'frontend', child: 'cart', callCount: 5 },
      { parent: 'frontend', child: 'recommendation', callCount: 7 },
      { parent: 'recommendation', child: 'catalog', callCount: 7 },
      { parent: 'frontend', child: 'catalog', callCount: 3 },
      { parent: 'loadgenerator', child: 'frontend', callCount: 12 },
    ]);
    const at = Object.fromEntries(map.nodes.map((n) => [n.name, [n.column, n.row]]));
    expect(at).toEqual({
      loadgenerator: [0, 0],
      frontend: [1, 0],
      cart: [2, 0],
      recommendation: [2, 1],
      catalog: [3, 0],
    });
    expect(map.columns).toBe(4);
    expect(map.rows).toBe(2);
    const catalog = map.nodes.find((n) => n.name === 'catalog')!;
    expect(catalog.callsIn).toBe(10);
    expect(map.nodes.find((n) => n.name === 'frontend')!.callsOut).toBe(15);
  });

  it('survives cycles, self-calls and duplicate links', () => {
    const map = layoutServiceMap([
      { parent: 'a', child: 'b', callCount: 1 },
      { parent: 'b', child: 'a', callCount: 1 },
      { parent: 'b', child: 'b', callCount: 4 },
      { parent: 'a', child: 'b', callCount: 2 },
    ]);
    expect(map.nodes.map((n) => n.name)).toEqual(['a', 'b']);
    expect(map.edges).toEqual([
      { parent: 'a', child: 'b', callCount: 3 },
      { parent: 'b', child: 'a', callCount: 1 },
    ]);
    for (const n of map.nodes) expect(n.column).toBeLessThan(2);
  });

  it('links a service to its trace search, escaping the name', () => {
    expect(searchHref('cart service&x')).toBe('/search?service=cart+service%26x');
  });
});
