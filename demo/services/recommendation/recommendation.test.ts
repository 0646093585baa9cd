// Multi-process: flag service, product catalogue, recommendation service and frontend started
// from dist/ with the telemetry hook, exporting to the project's OTLP/HTTP receiver. Checks the
// product page's recommendation trace (the seed's waterfall) and the frontend's answers to bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyValue } from '../../../src/otlp/model.js';
import { SpanKind, StatusCode } from '../../../src/otlp/model.js';
import { LEAK, RECOMMENDATIONS_COUNTER } from '../../../src/names/contract.js';
import { startShop, type CollectedSpan, type RunningShop } from '../testing/harness.js';

const SERVICES = ['featureflagservice', 'productcatalogservice', 'recommendationservice', 'frontend'];

function value(span: CollectedSpan | { attributes: CollectedSpan['attributes'] }, key: string): unknown {
  const v: AnyValue | undefined = span.attributes.find((a) => a.key === key)?.value;
  if (!v || v.kind === 'empty') return undefined;
  if (v.kind === 'array') return v.value.map((x) => (x.kind === 'empty' || x.kind === 'array' || x.kind === 'kvlist' ? undefined : x.value));
  return v.kind === 'kvlist' ? undefined : v.value;
}

describe('recommendation trace across processes', () => {
  let shop: RunningShop;

  beforeAll(async () => {
    shop = await startShop({ services: SERVICES, flags: { recommendationCache: true, productCatalogFailure: false }, metricIntervalMs: 1000 });
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('GET /api/recommendations makes one trace over four services with parent links', async () => {
    const res = await fetch(`http://${shop.addr('frontend')}/api/recommendations?productIds=0PUK6V6EV0&sessionId=test-session`);
    expect(res.status).toBe(200);
    const products = (await res.json()) as { id: string; name: string }[];
    expect(products).toHaveLength(4);
    expect(products.map((p) => p.id)).not.toContain('0PUK6V6EV0');

    const root = await shop.waitFor('the frontend server span', () =>
      shop.spans.find((s) => s.service === 'frontend' && s.kind === SpanKind.SERVER && s.name === 'GET /api/recommendations'),
    );
    expect(root.parentSpanId).toBe('');
    // 1 root + 2 ListRecommendations + get_product_list + 2 flag + 2 ListProducts + 8 GetProduct = 16
    const spans = await shop.waitFor('the whole trace', () => {
      const t = shop.trace(root.traceId);
      return t.length >= 16 ? t : undefined;
    });
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const find = (service: string, name: string | RegExp, kind: SpanKind): CollectedSpan[] =>
      spans.filter((s) => s.service === service && s.kind === kind && (typeof name === 'string' ? s.name === name : name.test(s.name)));
    const one = (service: string, name: string | RegExp, kind: SpanKind): CollectedSpan => {
      const found = find(service, name, kind);
      expect(found, `${service} ${String(name)}`).toHaveLength(1);
      return found[0]!;
    };

    // every span but the root has its parent in the trace
    for (const s of spans) if (s !== root) expect(byId.has(s.parentSpanId), `parent of ${s.service} ${s.name}`).toBe(true);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(SERVICES));

    const listRecsClient = one('frontend', 'grpc.hipstershop.RecommendationService/ListRecommendations', SpanKind.CLIENT);
    const listRecsServer = one('recommendationservice', 'grpc.hipstershop.RecommendationService/ListRecommendations', SpanKind.SERVER);
    expect(listRecsClient.parentSpanId).toBe(root.spanId);
    expect(listRecsServer.parentSpanId).toBe(listRecsClient.spanId);
    expect(value(listRecsServer, LEAK.recommendedCount)).toBe(5);

    const getProductList = one('recommendationservice', LEAK.spanName, SpanKind.INTERNAL);
    expect(getProductList.parentSpanId).toBe(listRecsServer.spanId);
    expect(value(getProductList, LEAK.cacheEnabled)).toBe(true);
    expect(value(getProductList, LEAK.cacheHit)).toBe(false); // the first flagged request is a miss
    expect(value(getProductList, LEAK.productsCount)).toBe(12);
    expect(value(getProductList, LEAK.filteredCount)).toBe(9);
    expect(value(getProductList, LEAK.filteredList)).toHaveLength(5);

    // the flag evaluation: fetch (undici) client span → flag service server span
    const flagClient = one('recommendationservice', /^POST/, SpanKind.CLIENT);
    expect(flagClient.parentSpanId).toBe(getProductList.spanId);
    expect(String(value(flagClient, 'url.full'))).toContain('/ofrep/v1/evaluate/flags/recommendationCache');
    // (GetProduct of the product that productCatalogFailure targets asks the flag service too)
    const flagServers = find('featureflagservice', /^POST/, SpanKind.SERVER);
    expect(flagServers.filter((s) => s.parentSpanId === flagClient.spanId)).toHaveLength(1);

    const listProductsClient = one('recommendationservice', 'grpc.hipstershop.ProductCatalogService/ListProducts', SpanKind.CLIENT);
    const listProductsServer = one('productcatalogservice', 'grpc.hipstershop.ProductCatalogService/ListProducts', SpanKind.SERVER);
    expect(listProductsClient.parentSpanId).toBe(getProductList.spanId);
    expect(listProductsServer.parentSpanId).toBe(listProductsClient.spanId);

    const getProductClients = find('frontend', 'grpc.hipstershop.ProductCatalogService/GetProduct', SpanKind.CLIENT);
    const getProductServers = find('productcatalogservice', 'grpc.hipstershop.ProductCatalogService/GetProduct', SpanKind.SERVER);
    expect(getProductClients).toHaveLength(4);
    expect(getProductServers).toHaveLength(4);
    for (const c of getProductClients) expect(c.parentSpanId).toBe(root.spanId);
    expect(new Set(getProductServers.map((s) => s.parentSpanId))).toEqual(new Set(getProductClients.map((c) => c.spanId)));

    // depth: root → client → server → get_product_list → client → server = 6 levels
    const depth = (s: CollectedSpan): number => (s.parentSpanId === '' ? 1 : 1 + depth(byId.get(s.parentSpanId)!));
    expect(Math.max(...spans.map(depth))).toBeGreaterThanOrEqual(5);
    expect(spans.every((s) => s.status.code !== StatusCode.ERROR)).toBe(true);

    // the resource of every process
    const res0 = listRecsServer.resource;
    const rattr = (k: string): unknown => value({ attributes: res0 }, k);
    expect(rattr('service.namespace')).toBe('opentelemetry-demo');
    expect(rattr('service.instance.id')).toBe('recommendationservice-1');
    expect(rattr('telemetry.sdk.language')).toBe('nodejs');
  });

  it('a second flagged request is a hit or a miss, never both, and the list only grows', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`http://${shop.addr('frontend')}/api/recommendations?productIds=1YMWWN1N4O&sessionId=s${i}`);
      expect(res.status).toBe(200);
    }
    const lists = await shop.waitFor('five get_product_list spans', () => {
      const found = shop.spans.filter((s) => s.name === LEAK.spanName);
      return found.length >= 5 ? found : undefined;
    });
    let last = 0;
    for (const s of [...lists].sort((a, b) => a.startTimeUnixNano - b.startTimeUnixNano)) {
      const count = value(s, LEAK.productsCount) as number;
      expect(count).toBeGreaterThanOrEqual(last);
      const hit = value(s, LEAK.cacheHit);
      expect(typeof hit).toBe('boolean');
      // a miss lists the catalogue inside get_product_list, a hit does not
      const listed = shop.spans.some((c) => c.parentSpanId === s.spanId && c.name.endsWith('/ListProducts'));
      expect(listed).toBe(hit === false);
      if (hit === true) expect(count).toBe(last);
      last = count;
    }
  });

  it('exports runtime metrics and the recommendations counter', async () => {
    const names = await shop.waitFor('metrics from the recommendation service', () => {
      const found = new Set<string>();
      for (const batch of shop.metrics)
        for (const rm of batch.resourceMetrics) {
          if (value({ attributes: rm.resource.attributes }, 'service.name') !== 'recommendationservice') continue;
          for (const sm of rm.scopeMetrics) for (const m of sm.metrics) found.add(m.name);
        }
      return found.has(RECOMMENDATIONS_COUNTER.otelName) && found.has('nodejs.eventloop.delay.p99') ? found : undefined;
    });
    for (const n of ['process.cpu.time', 'process.memory.usage', 'v8js.memory.heap.used', 'v8js.gc.duration']) expect(names).toContain(n);
    expect([...names].some((n) => n.startsWith('system.network'))).toBe(false);
  });

  it('answers bad input with 4xx and an error span, and stays up', async () => {
    const base = `http://${shop.addr('frontend')}`;
    const cases: [string, RequestInit, number, string][] = [
      ['/api/products/NOSUCHPROD', {}, 404, 'GET /api/products/:id'],
      ['/api/products/bad!id', {}, 400, 'GET /api/products/:id'],
      ['/api/recommendations?productIds=%3Cscript%3E', {}, 400, 'GET /api/recommendations'],
      ['/api/cart', { method: 'POST', body: '{not json' }, 400, 'POST /api/cart'],
      ['/api/cart', { method: 'POST', body: JSON.stringify({ userId: 'u', item: { productId: '66VCHSJNUP', quantity: -3 } }) }, 400, 'POST /api/cart'],
      ['/api/checkout', { method: 'POST', body: JSON.stringify({ userId: 'u' }) }, 400, 'POST /api/checkout'],
      ['/api/cart', { method: 'GET' }, 400, 'GET /api/cart'],
      ['/no/such/route', {}, 404, 'GET'],
      ['/api/products', { method: 'PUT' }, 405, 'PUT'],
    ];
    const before = shop.spans.length;
    for (const [p, init, status] of cases) {
      const res = await fetch(base + p, init);
      expect(res.status, p).toBe(status);
      expect(((await res.json()) as { error?: string }).error, p).toBeTruthy();
    }
    const errors = await shop.waitFor('error spans for the bad requests', () => {
      const found = shop.spans
        .slice(before)
        .filter((s) => s.service === 'frontend' && s.kind === SpanKind.SERVER && s.status.code === StatusCode.ERROR);
      return found.length >= cases.length ? found : undefined;
    });
    for (const [, , , name] of cases) expect(errors.map((s) => s.name)).toContain(name);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(shop.processes.get('frontend')!.exitCode).toBeNull();
  });
});
