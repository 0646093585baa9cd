// Demo-like SDK spans (ReadableSpan objects, as an SDK's span processor hands them to an exporter)
// for tests and bench/decode.ts: hipstershop services and span names, ~10 attributes a span.
import { SpanKind, SpanStatusCode, type HrTime } from '@opentelemetry/api';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

const SERVICES: readonly { name: string; spans: readonly string[] }[] = [
  {
    name: 'frontend',
    spans: [
      'GET /api/products/{productId}',
      'GET /api/recommendations',
      'POST /api/cart',
      'grpc.hipstershop.ProductCatalogService/GetProduct',
    ],
  },
  {
    name: 'recommendationservice',
    spans: [
      'grpc.hipstershop.RecommendationService/ListRecommendations',
      'get_product_list',
      'grpc.hipstershop.ProductCatalogService/ListProducts',
    ],
  },
  {
    name: 'productcatalogservice',
    spans: ['grpc.hipstershop.ProductCatalogService/ListProducts', 'grpc.hipstershop.ProductCatalogService/GetProduct'],
  },
  {
    name: 'cartservice',
    spans: ['grpc.hipstershop.CartService/GetCart', 'HGET', 'grpc.hipstershop.CartService/AddItem'],
  },
];
const PRODUCTS = ['OLJCESPC7Z', '66VCHSJNUP', '1YMWWN1N4O', 'L9ECAV7KIM', '2ZYFJ3GM2N', '0PUK6V6EV0'];

function hex(n: number, bytes: number, salt: number): string {
  let s = '';
  let x = (n * 2654435761 + salt * 40503) >>> 0;
  for (let i = 0; i < bytes; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += ((x >>> 16) & 0xff).toString(16).padStart(2, '0');
  }
  return s;
}

function hr(nanos: number): HrTime {
  return [Math.floor(nanos / 1e9), nanos % 1e9];
}

/** `count` spans over four services, in traces of eight spans with parent links. */
export function demoSpans(count: number, startMs = Date.UTC(2026, 10, 24, 12)): ReadableSpan[] {
  const resources: Resource[] = SERVICES.map((s, i) =>
    resourceFromAttributes({
      'service.name': s.name,
      'service.namespace': 'opentelemetry-demo',
      'service.instance.id': `${s.name}-1`,
      'service.version': '1.12.0',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.name': 'opentelemetry',
      'telemetry.sdk.version': '2.12.0',
      'host.name': `orrery-${i}`,
      'process.pid': 4000 + i,
    }),
  );
  const scopes = SERVICES.map(() => ({ name: '@opentelemetry/instrumentation-grpc', version: '0.223.0' }));
  const spans: ReadableSpan[] = [];
  for (let i = 0; i < count; i++) {
    const trace = Math.floor(i / 8);
    const svc = i % SERVICES.length;
    const service = SERVICES[svc]!;
    const traceId = hex(trace, 16, 1);
    const spanId = hex(i, 8, 2);
    const parent = i % 8 === 0 ? undefined : hex(i - 1, 8, 2);
    const startNs = (startMs + i * 3) * 1e6 + (i % 1000) * 1000;
    const durNs = (1 + (i % 50)) * 1_000_000 + 12_345;
    const product = PRODUCTS[i % PRODUCTS.length]!;
    const error = i % 97 === 0;
    const name = service.spans[i % service.spans.length]!;
    const span: ReadableSpan = {
      name,
      kind: i % 2 === 0 ? SpanKind.SERVER : SpanKind.CLIENT,
      spanContext: () => ({ traceId, spanId, traceFlags: 1 }),
      parentSpanContext: parent === undefined ? undefined : { traceId, spanId: parent, traceFlags: 1 },
      startTime: hr(startNs),
      endTime: hr(startNs + durNs),
      duration: hr(durNs),
      ended: true,
      status: error ? { code: SpanStatusCode.ERROR, message: 'product not found' } : { code: SpanStatusCode.UNSET },
      attributes: {
        'rpc.system': 'grpc',
        'rpc.service': 'hipstershop.ProductCatalogService',
        'rpc.method': 'GetProduct',
        'rpc.grpc.status_code': error ? 5 : 0,
        'net.peer.name': 'productcatalogservice',
        'net.peer.port': 3550,
        'app.product.id': product,
        'app.products.count': 10 + (i % 7),
        'app.cache_hit': i % 3 === 0,
        'app.price.usd': 19.99 + (i % 10),
      },
      links: [],
      events:
        i % 16 === 0
          ? [{ name: 'message', time: hr(startNs + 1000), attributes: { 'message.type': 'SENT', 'message.id': 1 } }]
          : [],
      resource: resources[svc]!,
      instrumentationScope: scopes[svc]!,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    };
    spans.push(span);
  }
  return spans;
}
