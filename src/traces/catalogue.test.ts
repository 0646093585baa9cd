import { describe, expect, it } from 'vitest';
import { Catalogue } from './catalogue.js';
import { StringTable } from './intern.js';
import { batch } from './testdata.js';

function origins(data: ReturnType<typeof batch>, catalogue: Catalogue) {
  return data.resourceSpans.map((rs) => catalogue.originOf(rs, rs.scopeSpans[0]!));
}

describe('Catalogue', () => {
  it('keeps one origin per resource + scope content, sharing the resource between scopes', () => {
    const strs = new StringTable();
    const catalogue = new Catalogue(strs);
    const [a, b, c] = origins(
      batch(
        { service: 'shop', spans: [] },
        { service: 'shop', scope: { name: 'grpc' }, spans: [] },
        { service: 'shop', spans: [] },
      ),
      catalogue,
    );
    expect(c).toBe(a);
    expect(b).not.toBe(a);
    expect(b!.resource).toBe(a!.resource);
    expect(b!.resourceId).toBe(a!.resourceId);
    expect(a!.serviceName).toBe('shop');
    expect(strs.strings[a!.serviceId]).toBe('shop');
    expect(catalogue.origins).toHaveLength(2);
    expect(catalogue.bytes).toBeGreaterThan(0);
  });

  it('names a resource without service.name unknown_service', () => {
    const catalogue = new Catalogue(new StringTable());
    const data = batch({ service: 'x', spans: [] });
    const rs = { ...data.resourceSpans[0]!, resource: { attributes: [], droppedAttributesCount: 0 } };
    expect(catalogue.originOf(rs, rs.scopeSpans[0]!).serviceName).toBe('unknown_service');
  });

  it('lists services that have operations, and operations by kind, sorted', () => {
    const strs = new StringTable();
    const catalogue = new Catalogue(strs);
    origins(batch({ service: 'idle', spans: [] }), catalogue);
    const shop = strs.intern('shop');
    catalogue.addOperations([
      shop,
      strs.intern('b') * 8 + 2,
      shop,
      strs.intern('a') * 8 + 3,
      shop,
      strs.intern('a') * 8 + 2,
    ]);
    catalogue.addOperations([strs.intern('cart'), strs.intern('get') * 8]);
    expect(catalogue.services()).toEqual(['cart', 'shop']);
    expect(catalogue.hasService(strs.get('idle')!)).toBe(false);
    expect(catalogue.operationsOf({ service: 'shop' })).toEqual([
      { name: 'a', spanKind: 'client' },
      { name: 'a', spanKind: 'server' },
      { name: 'b', spanKind: 'server' },
    ]);
    expect(catalogue.operationsOf({ service: 'shop', spanKind: 'client' })).toEqual([
      { name: 'a', spanKind: 'client' },
    ]);
    expect(catalogue.operationsOf({ service: 'cart' })).toEqual([{ name: 'get', spanKind: '' }]);
    expect(catalogue.operationsOf({ service: 'idle' })).toEqual([]);
  });
});
