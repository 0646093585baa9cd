// Multi-process: the whole shop but the load generator (12 processes) started from dist/ exactly as
// the supervisor starts them (`node --import dist/demo/telemetry/register.js <entry>`, topology env),
// exporting to the project's OTLP/HTTP receiver. One shop serves every test here: starting twelve
// Node processes is the expensive part on two cores. Needs `npx tsc -p tsconfig.json` first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyValue } from '../../src/otlp/model.js';
import { SpanKind, StatusCode } from '../../src/otlp/model.js';
import { LEAK, RECOMMENDATIONS_COUNTER } from '../../src/names/contract.js';
import { startShop, type CollectedLogRecord, type CollectedSpan, type RunningShop } from './testing/harness.js';

const SERVICES = [
  'featureflagservice',
  'productcatalogservice',
  'recommendationservice',
  'currencyservice',
  'quoteservice',
  'shippingservice',
  'paymentservice',
  'emailservice',
  'cartservice',
  'adservice',
  'checkoutservice',
  'frontend',
];
/** the four services of the product page's recommendation trace */
const RECOMMENDATION_PATH = ['featureflagservice', 'productcatalogservice', 'recommendationservice', 'frontend'];

const card = {
  creditCardNumber: '4432-8015-6152-0454',
  creditCardCvv: 672,
  creditCardExpirationYear: 2030,
  creditCardExpirationMonth: 1,
};
const address = {
  streetAddress: '1 Analytical Way',
  city: 'London',
  state: 'LDN',
  country: 'United Kingdom',
  zipCode: 'NW1 6XE',
};

function value(span: CollectedSpan | { attributes: CollectedSpan['attributes'] }, key: string): unknown {
  const v: AnyValue | undefined = span.attributes.find((a) => a.key === key)?.value;
  if (!v || v.kind === 'empty') return undefined;
  if (v.kind === 'array')
    return v.value.map((x) => (x.kind === 'empty' || x.kind === 'array' || x.kind === 'kvlist' ? undefined : x.value));
  return v.kind === 'kvlist' ? undefined : v.value;
}

let shop: RunningShop;
let base: string;

beforeAll(async () => {
  shop = await startShop({
    services: SERVICES,
    flags: {
      recommendationCache: true,
      productCatalogFailure: false,
      paymentServiceFailure: false,
      cartServiceFailure: false,
      adServiceFailure: false,
    },
    metricIntervalMs: 1000,
  });
  base = `http://${shop.addr('frontend')}`;
}, 300_000);
afterAll(async () => {
  await shop?.stop();
});

const post = (p: string, body: unknown): Promise<Response> =>
  fetch(base + p, { method: 'POST', body: JSON.stringify(body) });

describe('recommendation trace across processes', () => {
  it('GET /api/recommendations makes one trace over four services with parent links', async () => {
    const res = await fetch(`${base}/api/recommendations?productIds=0PUK6V6EV0&sessionId=test-session`);
    expect(res.status).toBe(200);
    const products = (await res.json()) as { id: string; name: string }[];
    expect(products).toHaveLength(4);
    expect(products.map((p) => p.id)).not.toContain('0PUK6V6EV0');

    const root = await shop.waitFor('the frontend server span', () =>
      shop.spans.find(
        (s) => s.service === 'frontend' && s.kind === SpanKind.SERVER && s.name === 'GET /api/recommendations',
      ),
    );
    expect(root.parentSpanId).toBe('');
    // 1 root + 2 ListRecommendations + get_product_list + 2 flag + 2 ListProducts + 8 GetProduct = 16
    // The processes export on their own schedules: a child's span can arrive before its parent's.
    // The trace is whole once it has 16 spans and no span's parent is still to come.
    const spans = await shop.waitFor('the whole trace, every parent arrived', () => {
      const t = shop.trace(root.traceId);
      const ids = new Set(t.map((s) => s.spanId));
      return t.length >= 16 && t.every((s) => s.spanId === root.spanId || ids.has(s.parentSpanId)) ? t : undefined;
    });
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const find = (service: string, name: string | RegExp, kind: SpanKind): CollectedSpan[] =>
      spans.filter(
        (s) =>
          s.service === service && s.kind === kind && (typeof name === 'string' ? s.name === name : name.test(s.name)),
      );
    const one = (service: string, name: string | RegExp, kind: SpanKind): CollectedSpan => {
      const found = find(service, name, kind);
      expect(found, `${service} ${String(name)}`).toHaveLength(1);
      return found[0]!;
    };

    // every span but the root has its parent in the trace
    for (const s of spans)
      if (s !== root) expect(byId.has(s.parentSpanId), `parent of ${s.service} ${s.name}`).toBe(true);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(RECOMMENDATION_PATH));

    const listRecsClient = one(
      'frontend',
      'grpc.hipstershop.RecommendationService/ListRecommendations',
      SpanKind.CLIENT,
    );
    const listRecsServer = one(
      'recommendationservice',
      'grpc.hipstershop.RecommendationService/ListRecommendations',
      SpanKind.SERVER,
    );
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

    const listProductsClient = one(
      'recommendationservice',
      'grpc.hipstershop.ProductCatalogService/ListProducts',
      SpanKind.CLIENT,
    );
    const listProductsServer = one(
      'productcatalogservice',
      'grpc.hipstershop.ProductCatalogService/ListProducts',
      SpanKind.SERVER,
    );
    expect(listProductsClient.parentSpanId).toBe(getProductList.spanId);
    expect(listProductsServer.parentSpanId).toBe(listProductsClient.spanId);

    const getProductClients = find('frontend', 'grpc.hipstershop.ProductCatalogService/GetProduct', SpanKind.CLIENT);
    const getProductServers = find(
      'productcatalogservice',
      'grpc.hipstershop.ProductCatalogService/GetProduct',
      SpanKind.SERVER,
    );
    expect(getProductClients).toHaveLength(4);
    expect(getProductServers).toHaveLength(4);
    for (const c of getProductClients) expect(c.parentSpanId).toBe(root.spanId);
    expect(new Set(getProductServers.map((s) => s.parentSpanId))).toEqual(
      new Set(getProductClients.map((c) => c.spanId)),
    );

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
      const res = await fetch(`${base}/api/recommendations?productIds=1YMWWN1N4O&sessionId=s${i}`);
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
    for (const n of ['process.cpu.time', 'process.memory.usage', 'v8js.memory.heap.used', 'v8js.gc.duration'])
      expect(names).toContain(n);
    expect([...names].some((n) => n.startsWith('system.network'))).toBe(false);
  });

  it('answers bad input with 4xx and an error span, and stays up', async () => {
    const cases: [string, RequestInit, number, string][] = [
      ['/api/products/NOSUCHPROD', {}, 404, 'GET /api/products/:id'],
      ['/api/products/bad!id', {}, 400, 'GET /api/products/:id'],
      ['/api/recommendations?productIds=%3Cscript%3E', {}, 400, 'GET /api/recommendations'],
      ['/api/cart', { method: 'POST', body: '{not json' }, 400, 'POST /api/cart'],
      [
        '/api/cart',
        { method: 'POST', body: JSON.stringify({ userId: 'u', item: { productId: '66VCHSJNUP', quantity: -3 } }) },
        400,
        'POST /api/cart',
      ],
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

describe('checkout across processes', () => {
  it('adds to a cart, checks out in another currency, and empties the cart', async () => {
    const startedNs = Date.now() * 1e6;
    expect((await post('/api/cart', { userId: 'buyer', item: { productId: '66VCHSJNUP', quantity: 2 } })).status).toBe(
      200,
    );
    expect((await post('/api/cart', { userId: 'buyer', item: { productId: '6E92ZMYYFZ', quantity: 1 } })).status).toBe(
      200,
    );
    const cart = (await (await fetch(`${base}/api/cart?sessionId=buyer`)).json()) as {
      items: { productId: string; quantity: number }[];
    };
    expect(cart.items).toEqual([
      expect.objectContaining({ productId: '66VCHSJNUP', quantity: 2 }),
      expect.objectContaining({ productId: '6E92ZMYYFZ', quantity: 1 }),
    ]);

    const res = await post('/api/checkout', {
      userId: 'buyer',
      email: 'ada@example.com',
      address,
      userCurrency: 'EUR',
      creditCard: card,
    });
    expect(res.status).toBe(200);
    const order = (await res.json()) as {
      orderId: string;
      shippingTrackingId: string;
      total: { currencyCode: string; units: number };
      items: unknown[];
    };
    expect(order.orderId).toMatch(/^[0-9a-f-]{36}$/);
    expect(order.shippingTrackingId).toMatch(/^[A-Z]{2}-\d{5}-\d{5}$/);
    expect(order.total.currencyCode).toBe('EUR');
    expect(order.total.units).toBeGreaterThan(400);
    expect(order.items).toHaveLength(2);

    const after = (await (await fetch(`${base}/api/cart?sessionId=buyer`)).json()) as { items: unknown[] };
    expect(after.items).toEqual([]);

    // (the bad-input test also posts to /api/checkout: pick this test's successful one)
    const root = await shop.waitFor('the checkout server span', () =>
      shop.spans.find(
        (s) =>
          s.service === 'frontend' &&
          s.name === 'POST /api/checkout' &&
          s.startTimeUnixNano >= startedNs &&
          s.status.code !== StatusCode.ERROR,
      ),
    );
    const want = [
      'frontend',
      'checkoutservice',
      'cartservice',
      'productcatalogservice',
      'currencyservice',
      'shippingservice',
      'quoteservice',
      'paymentservice',
      'emailservice',
      'featureflagservice',
    ];
    const seen = (): string[] => [...new Set(shop.trace(root.traceId).map((s) => s.service))].sort();
    await shop
      .waitFor(
        'spans of every service on the checkout path',
        () => (seen().length >= want.length ? true : undefined),
        30_000,
      )
      .catch(() => undefined);
    expect(seen()).toEqual([...want].sort());
    const spans = shop.trace(root.traceId);
    const ids = new Set(spans.map((s) => s.spanId));
    for (const s of spans) if (s !== root) expect(ids.has(s.parentSpanId), `${s.service} ${s.name}`).toBe(true);
    // HTTP between services: shipping → quote and checkout → email are fetch (undici) client spans
    expect(
      spans.some((s) => s.service === 'quoteservice' && s.kind === SpanKind.SERVER && s.name === 'POST /getquote'),
    ).toBe(true);
    expect(
      spans.some(
        (s) => s.service === 'emailservice' && s.kind === SpanKind.SERVER && s.name === 'POST /send_order_confirmation',
      ),
    ).toBe(true);
  });

  it('refuses a bad card with 400, and an empty cart with 400', async () => {
    await post('/api/cart', { userId: 'bad-card', item: { productId: '1YMWWN1N4O', quantity: 1 } });
    const bad = await post('/api/checkout', {
      userId: 'bad-card',
      email: 'a@example.com',
      address,
      userCurrency: 'USD',
      creditCard: { ...card, creditCardNumber: '1234-5678-9012-3456' },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/credit card/);
    const empty = await post('/api/checkout', {
      userId: 'nobody',
      email: 'a@example.com',
      address,
      userCurrency: 'USD',
      creditCard: card,
    });
    expect(empty.status).toBe(400);
    const paymentErrors = await shop.waitFor('the payment error span', () => {
      const found = shop.spans.filter((s) => s.service === 'paymentservice' && s.status.code === StatusCode.ERROR);
      return found.length > 0 ? found : undefined;
    });
    expect(paymentErrors[0]!.name).toBe('grpc.hipstershop.PaymentService/Charge');
  });

  it('serves ads by context key and the index page, and empties carts', async () => {
    await post('/api/cart', { userId: 'to-empty', item: { productId: 'L9ECAV7KIM', quantity: 1 } });
    expect((await fetch(`${base}/api/cart?sessionId=to-empty`, { method: 'DELETE' })).status).toBe(204);
    const emptied = (await (await fetch(`${base}/api/cart?sessionId=to-empty`)).json()) as { items: unknown[] };
    expect(emptied.items).toEqual([]);
    expect((await fetch(`${base}/api/cart`, { method: 'DELETE' })).status).toBe(400);

    const ads = (await (await fetch(`${base}/api/data?contextKeys=telescopes`)).json()) as {
      text: string;
      redirectUrl: string;
    }[];
    expect(ads.length).toBeGreaterThan(0);
    expect(ads[0]!.redirectUrl).toMatch(/^\/product\//);
    const noKey = await fetch(`${base}/api/data`);
    expect(noKey.status).toBe(200);
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('Astronomy Shop');
    const products = (await (await fetch(`${base}/api/products?currencyCode=JPY`)).json()) as {
      priceUsd: { currencyCode: string };
    }[];
    expect(products).toHaveLength(10);
    expect(products.every((p) => p.priceUsd.currencyCode === 'JPY')).toBe(true);
  });
});

describe('logs across processes', () => {
  const attrOf = (r: CollectedLogRecord, key: string): unknown => value(r, key);
  const body = (r: CollectedLogRecord): string => (r.body.kind === 'string' ? r.body.value : '');

  it('a recommendation request logs, in its own trace: request handled, the flag variant and the cache lookup', async () => {
    const res = await fetch(`${base}/api/recommendations?productIds=L9ECAV7KIM&sessionId=logs`);
    expect(res.status).toBe(200);
    const root = await shop.waitFor('the frontend server span', () =>
      shop.spans.find(
        (s) =>
          s.service === 'frontend' &&
          s.kind === SpanKind.SERVER &&
          s.name === 'GET /api/recommendations' &&
          shop.trace(s.traceId).some((c) => c.name === LEAK.spanName) &&
          shop.logs.some((r) => r.traceId === s.traceId && r.service === 'frontend'),
      ),
    );
    const lookup = shop.trace(root.traceId).find((s) => s.name === LEAK.spanName)!;
    const records = await shop.waitFor('the records of that trace', () => {
      const found = shop.logs.filter((r) => r.traceId === root.traceId);
      return found.some((r) => r.service === 'recommendationservice' && /^cache (hit|miss)/.test(body(r)))
        ? found
        : undefined;
    });

    // request handled, on the frontend's server span
    const handled = records.find(
      (r) => r.service === 'frontend' && body(r) === 'GET /api/recommendations handled: 200',
    );
    expect(handled?.spanId).toBe(root.spanId);
    expect(handled?.severityText).toBe('INFO');
    expect(handled?.severityNumber).toBe(9);
    expect(attrOf(handled!, 'http.response.status_code')).toBe(200);
    expect(attrOf(handled!, 'http.route')).toBe('/api/recommendations');

    // the cache lookup, on get_product_list, with the span's own count
    const cache = records.find((r) => r.service === 'recommendationservice' && /^cache (hit|miss)/.test(body(r)))!;
    expect(cache.spanId).toBe(lookup.spanId);
    expect(attrOf(cache, LEAK.cacheHit)).toBe(value(lookup, LEAK.cacheHit));
    expect(attrOf(cache, LEAK.productsCount)).toBe(value(lookup, LEAK.productsCount));
    expect(cache.scope).toBe('recommendationservice');

    // the flag evaluation's variant, also inside get_product_list
    const flag = records.find(
      (r) => r.service === 'recommendationservice' && attrOf(r, 'feature_flag.key') === 'recommendationCache',
    );
    expect(flag?.spanId).toBe(lookup.spanId);
    expect(attrOf(flag!, 'feature_flag.result.variant')).toBe('on');
    expect(body(flag!)).toBe('flag recommendationCache evaluated: variant on, on');

    // and the gRPC server of recommendationservice: request handled, on its server span
    const server = shop.trace(root.traceId).find((s) => s.spanId === lookup.parentSpanId)!;
    const grpcHandled = records.find(
      (r) =>
        r.service === 'recommendationservice' && body(r) === 'RecommendationService/ListRecommendations handled: OK',
    );
    expect(grpcHandled?.spanId).toBe(server.spanId);
    expect(attrOf(grpcHandled!, 'rpc.grpc.status_code')).toBe(0);
  });

  it('a refused request logs a warning with its status, on both sides of the call, in one trace', async () => {
    const before = shop.logs.length;
    expect((await fetch(`${base}/api/products/NOSUCHPROD`)).status).toBe(404);
    const warn = await shop.waitFor('the 404 record', () =>
      shop.logs.slice(before).find((r) => r.service === 'frontend' && body(r) === 'GET /api/products/:id handled: 404'),
    );
    expect(warn.severityText).toBe('WARN');
    expect(warn.traceId).toMatch(/^[0-9a-f]{32}$/);
    // productcatalogservice answers NOT_FOUND: its record says so, at WARN
    const grpcWarn = await shop.waitFor('the NOT_FOUND record', () =>
      shop.logs
        .slice(before)
        .find((r) => r.service === 'productcatalogservice' && body(r).endsWith('GetProduct handled: NOT_FOUND')),
    );
    expect(grpcWarn.traceId).toBe(warn.traceId);
    expect(attrOf(grpcWarn, 'rpc.grpc.status_code')).toBe(5);
  });
});
