// Trace search benchmark: 1,000,000 demo-shaped spans (100k traces of 10 spans, 12 services,
// spread over one hour, exported per service in SDK-sized batches so that a trace's spans arrive
// in several batches), stored in the embedded TraceStore, then searched over HTTP through the
// Jaeger API: service+operation, service+tag and service+minDuration, limit 20.
//
//   npm run bench:search            (or: node --expose-gc dist/bench/search.js [traces])
//   npm run bench:search -- 1000000 --data-dir /tmp/empty-dir   (90 % of the segments on disk)
//   npm run bench:search -- --plain-segments Infinity   (no sealed segment kept compressed: the reference)
//
// Prints p50/p95 latency per kind, the store's own byte estimate per span and the heap growth per
// span measured after a full GC (the script re-executes itself with --expose-gc when needed).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ResourceSpans, Span, TracesData } from '../src/otlp/model.js';
import { HttpApp } from '../src/api/router.js';
import { registerJaegerApi } from '../src/api/jaeger/index.js';
import { TraceStore } from '../src/traces/store.js';
import { attrs } from '../src/traces/testdata.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  process.exit(r.status ?? 1);
}

const args = process.argv.slice(2);
const flagAt = args.indexOf('--data-dir');
/** with --data-dir DIR (an empty directory): the store keeps sealed segments there, 10 % of them in memory */
const DATA_DIR = flagAt >= 0 ? args.splice(flagAt, 2)[1] : undefined;
const plainAt = args.indexOf('--plain-segments');
/** with --plain-segments N: sealed segments kept uncompressed (default the store's; Infinity: none compressed, the reference) */
const PLAIN_SEGMENTS = plainAt >= 0 ? Number(args.splice(plainAt, 2)[1]) : undefined;
const TRACES = Number(args[0] ?? 100_000);
const HOUR_MS = 3600_000;
const SEARCHES_PER_KIND = 200;

// deterministic pseudo-random numbers
let seed = 42;
function rnd(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
}
function pick<T>(xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}
const HEX_CODES = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));
/** Random hex, as a flat string (like the IDs a decoder produces with Buffer#toString('hex')). */
function hex(n: number): string {
  const codes: number[] = [];
  for (let i = 0; i < n; i++) codes.push(HEX_CODES[Math.floor(rnd() * 16)]!);
  return String.fromCharCode(...codes);
}

const SERVICES = [
  'frontend-proxy',
  'frontend',
  'productcatalogservice',
  'recommendationservice',
  'cartservice',
  'currencyservice',
  'checkoutservice',
  'paymentservice',
  'shippingservice',
  'emailservice',
  'adservice',
  'quoteservice',
] as const;
type Service = (typeof SERVICES)[number];

const PRODUCTS = [
  'OLJCESPC7Z',
  '66VCHSJNUP',
  '1YMWWN1N4O',
  'L9ECAV7KIM',
  '2ZYFJ3GM2N',
  '0PUK6V6EV0',
  'LS4PSXUNUM',
  '9SIQT8TOJO',
  '6E92ZMYYFZ',
  'HQTGWGPNH4',
];
const CURRENCIES = ['USD', 'EUR', 'CAD', 'JPY', 'GBP', 'TRY'];

const resources = new Map<Service, ResourceSpans['resource']>();
for (const [i, s] of SERVICES.entries()) {
  resources.set(s, {
    attributes: attrs({
      'service.name': s,
      'service.namespace': 'opentelemetry-demo',
      'service.instance.id': `${s}-1`,
      'service.version': '1.4.0',
      'telemetry.sdk.name': 'opentelemetry',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.version': '2.12.0',
      'host.name': 'laptop',
      'process.pid': 4000 + i,
    }),
    droppedAttributesCount: 0,
  });
}

interface Step {
  service: Service;
  name: string;
  kind: Span['kind'];
  parent: number; // index of the parent step, -1 for the root
  attrs: (ctx: TraceCtx) => Record<string, string | number | boolean>;
}
interface TraceCtx {
  product: string;
  user: string;
  cacheHit: boolean;
  status: number;
}

function rpc(
  service: string,
  method: string,
  peer: string,
  port: number,
): (c: TraceCtx) => Record<string, string | number | boolean> {
  return (c) => ({
    'rpc.system': 'grpc',
    'rpc.service': `hipstershop.${service}`,
    'rpc.method': method,
    'rpc.grpc.status_code': 0,
    'net.peer.name': peer,
    'net.peer.port': port,
    'app.product.id': c.product,
    'app.user.id': c.user,
  });
}
function http(method: string, route: string): (c: TraceCtx) => Record<string, string | number | boolean> {
  return (c) => ({
    'http.method': method,
    'http.route': route,
    'http.target': route.replace(':id', c.product),
    'http.url': `http://frontend:8080${route.replace(':id', c.product)}`,
    'http.status_code': c.status,
    'http.scheme': 'http',
    'http.flavor': '1.1',
    'net.host.name': 'frontend',
    'net.host.port': 8080,
    'app.session.id': c.user,
  });
}

// three trace shapes of ten spans each
const SHAPES: Step[][] = [
  [
    { service: 'frontend-proxy', name: 'ingress', kind: 2, parent: -1, attrs: http('GET', '/api/recommendations') },
    {
      service: 'frontend',
      name: 'GET /api/recommendations',
      kind: 2,
      parent: 0,
      attrs: http('GET', '/api/recommendations'),
    },
    {
      service: 'frontend',
      name: 'grpc.hipstershop.RecommendationService/ListRecommendations',
      kind: 3,
      parent: 1,
      attrs: rpc('RecommendationService', 'ListRecommendations', 'recommendationservice', 8080),
    },
    {
      service: 'recommendationservice',
      name: 'grpc.hipstershop.RecommendationService/ListRecommendations',
      kind: 2,
      parent: 2,
      attrs: (c) => ({
        ...rpc('RecommendationService', 'ListRecommendations', 'frontend', 8080)(c),
        'app.cache_hit': c.cacheHit,
        'app.recommendation.count': 5,
      }),
    },
    {
      service: 'recommendationservice',
      name: 'get_product_list',
      kind: 1,
      parent: 3,
      attrs: (c) => ({
        'app.cache_hit': c.cacheHit,
        'app.products.count': 10,
        'app.filtered_products.count': 5,
        'app.product.id': c.product,
        'code.function': 'get_product_list',
        'code.namespace': 'recommendation',
        'thread.id': 1,
        'thread.name': 'main',
      }),
    },
    {
      service: 'recommendationservice',
      name: 'grpc.hipstershop.ProductCatalogService/ListProducts',
      kind: 3,
      parent: 4,
      attrs: rpc('ProductCatalogService', 'ListProducts', 'productcatalogservice', 3550),
    },
    {
      service: 'productcatalogservice',
      name: 'grpc.hipstershop.ProductCatalogService/ListProducts',
      kind: 2,
      parent: 5,
      attrs: (c) => ({
        ...rpc('ProductCatalogService', 'ListProducts', 'recommendationservice', 3550)(c),
        'app.products.count': 10,
      }),
    },
    {
      service: 'frontend',
      name: 'grpc.hipstershop.ProductCatalogService/GetProduct',
      kind: 3,
      parent: 1,
      attrs: rpc('ProductCatalogService', 'GetProduct', 'productcatalogservice', 3550),
    },
    {
      service: 'productcatalogservice',
      name: 'grpc.hipstershop.ProductCatalogService/GetProduct',
      kind: 2,
      parent: 7,
      attrs: (c) => ({
        ...rpc('ProductCatalogService', 'GetProduct', 'frontend', 3550)(c),
        'app.product.name': `Product ${c.product}`,
      }),
    },
    {
      service: 'adservice',
      name: 'grpc.hipstershop.AdService/GetAds',
      kind: 2,
      parent: 1,
      attrs: (c) => ({
        ...rpc('AdService', 'GetAds', 'frontend', 9555)(c),
        'app.ads.contextKeys': 'telescopes',
        'app.ads.count': 1,
      }),
    },
  ],
  [
    { service: 'frontend-proxy', name: 'ingress', kind: 2, parent: -1, attrs: http('GET', '/api/products/:id') },
    { service: 'frontend', name: 'GET /api/products/:id', kind: 2, parent: 0, attrs: http('GET', '/api/products/:id') },
    {
      service: 'frontend',
      name: 'grpc.hipstershop.ProductCatalogService/GetProduct',
      kind: 3,
      parent: 1,
      attrs: rpc('ProductCatalogService', 'GetProduct', 'productcatalogservice', 3550),
    },
    {
      service: 'productcatalogservice',
      name: 'grpc.hipstershop.ProductCatalogService/GetProduct',
      kind: 2,
      parent: 2,
      attrs: (c) => ({
        ...rpc('ProductCatalogService', 'GetProduct', 'frontend', 3550)(c),
        'app.product.name': `Product ${c.product}`,
      }),
    },
    {
      service: 'frontend',
      name: 'grpc.hipstershop.CurrencyService/Convert',
      kind: 3,
      parent: 1,
      attrs: rpc('CurrencyService', 'Convert', 'currencyservice', 7000),
    },
    {
      service: 'currencyservice',
      name: 'grpc.hipstershop.CurrencyService/Convert',
      kind: 2,
      parent: 4,
      attrs: (c) => ({
        ...rpc('CurrencyService', 'Convert', 'frontend', 7000)(c),
        'app.currency.conversion.from': 'USD',
        'app.currency.conversion.to': pick(CURRENCIES),
      }),
    },
    {
      service: 'frontend',
      name: 'grpc.hipstershop.CartService/GetCart',
      kind: 3,
      parent: 1,
      attrs: rpc('CartService', 'GetCart', 'cartservice', 7070),
    },
    {
      service: 'cartservice',
      name: 'grpc.hipstershop.CartService/GetCart',
      kind: 2,
      parent: 6,
      attrs: (c) => ({ ...rpc('CartService', 'GetCart', 'frontend', 7070)(c), 'app.cart.items.count': 2 }),
    },
    {
      service: 'cartservice',
      name: 'HGET',
      kind: 3,
      parent: 7,
      attrs: (c) => ({
        'db.system': 'redis',
        'db.operation': 'HGET',
        'db.statement': `HGET ${c.user}`,
        'net.peer.name': 'redis-cart',
        'net.peer.port': 6379,
        'db.redis.database_index': 0,
        'app.user.id': c.user,
        'app.cache_hit': c.cacheHit,
      }),
    },
    {
      service: 'adservice',
      name: 'grpc.hipstershop.AdService/GetAds',
      kind: 2,
      parent: 1,
      attrs: (c) => ({
        ...rpc('AdService', 'GetAds', 'frontend', 9555)(c),
        'app.ads.contextKeys': 'binoculars',
        'app.ads.count': 2,
      }),
    },
  ],
  [
    { service: 'frontend-proxy', name: 'ingress', kind: 2, parent: -1, attrs: http('POST', '/api/checkout') },
    { service: 'frontend', name: 'POST /api/checkout', kind: 2, parent: 0, attrs: http('POST', '/api/checkout') },
    {
      service: 'frontend',
      name: 'grpc.hipstershop.CheckoutService/PlaceOrder',
      kind: 3,
      parent: 1,
      attrs: rpc('CheckoutService', 'PlaceOrder', 'checkoutservice', 5050),
    },
    {
      service: 'checkoutservice',
      name: 'grpc.hipstershop.CheckoutService/PlaceOrder',
      kind: 2,
      parent: 2,
      attrs: (c) => ({
        ...rpc('CheckoutService', 'PlaceOrder', 'frontend', 5050)(c),
        'app.order.id': hex(8),
        'app.order.items.count': 3,
      }),
    },
    {
      service: 'checkoutservice',
      name: 'grpc.hipstershop.PaymentService/Charge',
      kind: 3,
      parent: 3,
      attrs: rpc('PaymentService', 'Charge', 'paymentservice', 50051),
    },
    {
      service: 'paymentservice',
      name: 'grpc.hipstershop.PaymentService/Charge',
      kind: 2,
      parent: 4,
      attrs: (c) => ({
        ...rpc('PaymentService', 'Charge', 'checkoutservice', 50051)(c),
        'app.payment.card_type': 'visa',
        'app.payment.card_valid': true,
        'app.payment.amount': 123.45,
      }),
    },
    {
      service: 'checkoutservice',
      name: 'grpc.hipstershop.ShippingService/ShipOrder',
      kind: 3,
      parent: 3,
      attrs: rpc('ShippingService', 'ShipOrder', 'shippingservice', 50052),
    },
    {
      service: 'shippingservice',
      name: 'grpc.hipstershop.ShippingService/ShipOrder',
      kind: 2,
      parent: 6,
      attrs: (c) => ({
        ...rpc('ShippingService', 'ShipOrder', 'checkoutservice', 50052)(c),
        'app.shipping.tracking.id': hex(12),
      }),
    },
    {
      service: 'shippingservice',
      name: 'POST /getquote',
      kind: 3,
      parent: 7,
      attrs: () => ({
        'http.method': 'POST',
        'http.url': 'http://quoteservice:8090/getquote',
        'http.status_code': 200,
        'net.peer.name': 'quoteservice',
        'net.peer.port': 8090,
        'app.shipping.items.count': 3,
        'http.flavor': '1.1',
        'user_agent.original': 'shipping/1.0',
      }),
    },
    {
      service: 'emailservice',
      name: 'POST /send_order_confirmation',
      kind: 2,
      parent: 3,
      attrs: (c) => ({
        'http.method': 'POST',
        'http.route': '/send_order_confirmation',
        'http.status_code': c.status,
        'app.email.recipient': `${c.user}@example.com`,
        'net.host.name': 'emailservice',
        'net.host.port': 6060,
        'http.scheme': 'http',
        'http.flavor': '1.1',
      }),
    },
  ],
];

/** Generates the traces in start order and emits per-service batches of up to 512 spans, as BatchSpanProcessors do. */
function* generate(nowMs: number): Generator<TracesData> {
  const pending = new Map<Service, Span[]>();
  for (const s of SERVICES) pending.set(s, []);
  const scope = { name: '@opentelemetry/instrumentation-grpc', version: '0.223.0', attributes: [] };
  const flush = (s: Service): TracesData => {
    const spans = pending.get(s)!;
    pending.set(s, []);
    return {
      resourceSpans: [{ resource: resources.get(s)!, scopeSpans: [{ scope, spans, schemaUrl: '' }], schemaUrl: '' }],
    };
  };
  const t0 = nowMs - HOUR_MS;
  for (let t = 0; t < TRACES; t++) {
    const shape = SHAPES[t % SHAPES.length]!;
    const traceId = hex(32);
    const ctx: TraceCtx = {
      product: pick(PRODUCTS),
      user: `user-${Math.floor(rnd() * 5000)}`,
      cacheHit: rnd() < 0.5,
      status: rnd() < 0.02 ? 500 : 200,
    };
    const start = (t0 + (t / TRACES) * HOUR_MS + rnd() * 50) * 1e6;
    // log-normal-ish root duration: median ~40 ms, a tail past a second
    const rootMs = Math.exp(Math.log(40) + 1.1 * (rnd() + rnd() + rnd() - 1.5) * 2);
    const ids: string[] = [];
    for (const [i, step] of shape.entries()) {
      const spanId = hex(16);
      ids.push(spanId);
      const depthShare = step.parent < 0 ? 1 : 0.3 + rnd() * 0.6;
      const offset = step.parent < 0 ? 0 : rnd() * rootMs * 0.1 * 1e6;
      const durNs = rootMs * depthShare * 1e6 * (step.parent < 0 ? 1 : 0.9);
      const error = ctx.status === 500 && i <= 3;
      const span: Span = {
        traceId,
        spanId,
        traceState: '',
        parentSpanId: step.parent < 0 ? '' : ids[step.parent]!,
        flags: 1,
        name: step.name,
        kind: step.kind,
        startTimeUnixNano: start + offset,
        endTimeUnixNano: start + offset + durNs,
        attributes: attrs(step.attrs(ctx)),
        droppedAttributesCount: 0,
        events: error
          ? [
              {
                timeUnixNano: start + offset,
                name: 'exception',
                attributes: attrs({ 'exception.type': 'Error', 'exception.message': 'internal error' }),
                droppedAttributesCount: 0,
              },
            ]
          : [],
        droppedEventsCount: 0,
        links: [],
        droppedLinksCount: 0,
        status: { code: error ? 2 : 0, message: error ? 'internal error' : '' },
      };
      const list = pending.get(step.service)!;
      list.push(span);
      if (list.length >= 512) yield flush(step.service);
    }
  }
  for (const s of SERVICES) if (pending.get(s)!.length > 0) yield flush(s);
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function main(): Promise<void> {
  const nowMs = Date.now();
  gc!();
  const memBefore = process.memoryUsage();
  const heapBefore = memBefore.heapUsed + memBefore.arrayBuffers;
  // on disk: the memory window is a tenth of the segments (at ~150 stored bytes a span)
  const memorySegments = Math.ceil((0.1 * TRACES * 10 * 150) / 2 ** 20);
  const store = new TraceStore({
    budgetBytes: 4 * 1024 ** 3,
    retentionMs: 24 * HOUR_MS,
    ...(DATA_DIR !== undefined ? { dataDir: DATA_DIR, memorySegments } : {}),
    ...(PLAIN_SEGMENTS !== undefined ? { plainSegments: PLAIN_SEGMENTS } : {}),
  });
  store.start();
  const ingestStart = performance.now();
  let spans = 0;
  let ingestCpuUs = 0;
  for (const b of generate(nowMs)) {
    const c0 = process.cpuUsage();
    store.consumeTraces(b);
    const c = process.cpuUsage(c0);
    ingestCpuUs += c.user + c.system;
    for (const rs of b.resourceSpans) for (const ss of rs.scopeSpans) spans += ss.spans.length;
  }
  const ingestMs = performance.now() - ingestStart;
  gc!();
  gc!();
  const memAfter = process.memoryUsage();
  const heapAfter = memAfter.heapUsed + memAfter.arrayBuffers;
  const st = store.stats();
  const mem = store.memory();
  console.log(
    `stored ${st.spans.toLocaleString()} spans in ${st.traces.toLocaleString()} traces (generated ${spans.toLocaleString()}), dropped ${st.droppedTraces}`,
  );
  console.log(
    `ingest: ${(ingestMs / 1000).toFixed(1)} s including generation (${Math.round(spans / (ingestMs / 1000)).toLocaleString()} spans/s); store.consumeTraces CPU ${(ingestCpuUs / 1e6).toFixed(1)} s = ${(ingestCpuUs / spans).toFixed(1)} µs/span`,
  );
  console.log(
    `store estimate: ${(st.bytes / 1024 ** 2).toFixed(1)} MiB = ${(st.bytes / st.spans).toFixed(0)} bytes/span`,
  );
  const per = (b: number): string => `${(b / st.spans).toFixed(0)} B/span`;
  console.log(
    `  segments ${per(mem.segments)} (${per(mem.segmentWordsUsed * 4)} used), trace table ${per(mem.traceTable)}, index ${per(mem.index)} (${mem.indexEntries.toLocaleString()} entries, ${mem.indexTerms.toLocaleString()} terms), strings ${per(mem.strings)}`,
  );
  console.log(
    `heap + array buffers delta after GC: ${((heapAfter - heapBefore) / 1024 ** 2).toFixed(1)} MiB = ${((heapAfter - heapBefore) / st.spans).toFixed(0)} bytes/span (heap ${((memAfter.heapUsed - memBefore.heapUsed) / st.spans).toFixed(0)}, array buffers ${((memAfter.arrayBuffers - memBefore.arrayBuffers) / st.spans).toFixed(0)}; rss ${(memAfter.rss / 1024 ** 2).toFixed(0)} MiB)`,
  );

  if (DATA_DIR !== undefined) {
    const u = store.segmentUsage();
    console.log(
      `on disk only: ${u.segments - u.resident - u.packed} of ${u.segments} segments (${(((u.segments - u.resident - u.packed) / u.segments) * 100).toFixed(0)} %; ${u.packed} compressed and ${u.resident} plain in memory), ${u.files} files, ${(u.diskBytes / 1024 ** 2).toFixed(1)} MiB = ${(u.diskBytes / st.spans).toFixed(0)} bytes/span on disk (the open segment is in the log only)`,
    );
  }
  const readsBefore = store.segmentUsage().diskReads;

  const app = new HttpApp();
  registerJaegerApi(app, store);
  const { server, port } = await app.listen('127.0.0.1', 0);
  const base = `http://127.0.0.1:${port}`;
  const startUs = (nowMs - HOUR_MS - 60_000) * 1000;
  const endUs = (nowMs + 60_000) * 1000;
  const window = `start=${startUs}&end=${endUs}&limit=20`;

  const kinds: { name: string; make: () => string }[] = [
    {
      name: 'service+operation',
      make: () => {
        const shape = pick(SHAPES);
        const step = pick(shape);
        return `service=${encodeURIComponent(step.service)}&operation=${encodeURIComponent(step.name)}`;
      },
    },
    {
      name: 'service+tag',
      make: () => {
        const [service, tags] = pick<[string, Record<string, string>]>([
          ['recommendationservice', { 'app.cache_hit': 'true' }],
          ['recommendationservice', { 'app.cache_hit': 'false' }],
          ['frontend', { 'http.status_code': '500' }],
          ['frontend', { error: 'true' }],
          ['productcatalogservice', { 'app.product.id': pick(PRODUCTS) }],
          ['cartservice', { 'app.user.id': `user-${Math.floor(rnd() * 5000)}` }],
          ['checkoutservice', { 'rpc.grpc.status_code': '0', 'span.kind': 'server' }],
          ['frontend', { 'service.version': '1.4.0' }],
        ]);
        return `service=${service}&tags=${encodeURIComponent(JSON.stringify(tags))}`;
      },
    },
    {
      name: 'service+minDuration',
      make: () => `service=${pick(SERVICES)}&minDuration=${pick(['50ms', '100ms', '250ms', '500ms', '1s', '2s'])}`,
    },
  ];

  // warm up the JIT on every path
  for (const k of kinds)
    for (let i = 0; i < 20; i++) await (await fetch(`${base}/api/traces?${k.make()}&${window}`)).arrayBuffer();

  console.log(`\n${SEARCHES_PER_KIND} searches per kind over HTTP (limit 20, window covering all data):`);
  for (const k of kinds) {
    const lat: number[] = [];
    const cpu: number[] = [];
    let found = 0;
    let bytes = 0;
    for (let i = 0; i < SEARCHES_PER_KIND; i++) {
      const url = `${base}/api/traces?${k.make()}&${window}`;
      const t = performance.now();
      const c0 = process.cpuUsage();
      const res = await fetch(url);
      const body = await res.text();
      lat.push(performance.now() - t);
      // CPU of client and server together (one process): robust when other work shares the cores
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body}`);
      found += (JSON.parse(body) as { total: number }).total;
      bytes += body.length;
    }
    console.log(
      `  ${k.name.padEnd(20)} p50 ${percentile(lat, 50).toFixed(1).padStart(6)} ms   p95 ${percentile(lat, 95).toFixed(1).padStart(6)} ms   (cpu p50 ${percentile(cpu, 50).toFixed(1)} ms)   avg traces ${(found / SEARCHES_PER_KIND).toFixed(1)}   avg body ${(bytes / SEARCHES_PER_KIND / 1024).toFixed(0)} KiB`,
    );
  }

  if (DATA_DIR !== undefined)
    console.log(
      `  segment files read back during the searches (cache misses): ${store.segmentUsage().diskReads - readsBefore}`,
    );
  // the store alone (no JSON, no HTTP), for comparison
  const inflatedBefore = store.segmentUsage().blocksInflated;
  const direct: number[] = [];
  for (let i = 0; i < SEARCHES_PER_KIND; i++) {
    const t = performance.now();
    store.findTraces({ service: pick(SERVICES), tags: {}, durationMinUs: 500_000, limit: 20 });
    direct.push(performance.now() - t);
  }
  console.log(
    `  store.findTraces (service+minDuration 500ms, in process): p50 ${percentile(direct, 50).toFixed(2)} ms, p95 ${percentile(direct, 95).toFixed(2)} ms; compressed blocks inflated ${((store.segmentUsage().blocksInflated - inflatedBefore) / SEARCHES_PER_KIND).toFixed(1)} per search`,
  );
  // dependencies come from an index kept per trace and time bucket: the first query also
  // processes the traces ingested since the index last caught up, later ones add bucket totals
  const timeDeps = (): { links: number; ms: number } => {
    const t = performance.now();
    const links = store.getDependencies(Date.now(), HOUR_MS * 2).length;
    return { links, ms: performance.now() - t };
  };
  const first = timeDeps();
  const again: number[] = [];
  for (let i = 0; i < 20; i++) again.push(timeDeps().ms);
  console.log(
    `  dependencies over all traces: ${first.links} links; first query ${first.ms.toFixed(1)} ms, then p50 ${percentile(again, 50).toFixed(2)} ms (was 145 ms per query by a scan of every trace)`,
  );
  server.close();
}

await main();
