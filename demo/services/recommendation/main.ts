// recommendationservice: gRPC ListRecommendations, and the service with the leak (see
// product-cache.ts). Each request opens `get_product_list`, evaluates recommendationCache on the
// flag service and, when it must, lists the catalogue on productcatalogservice.
import { metrics, SpanStatusCode, trace } from '@opentelemetry/api';
import { flagOn } from '../common/flags.js';
import { grpcClient, serveGrpc } from '../common/grpc.js';
import { peerAddr } from '../common/env.js';
import { errorMessage, log } from '../common/log.js';
import { runService } from '../common/service.js';
import type { RecommendationService } from '../common/types.js';
import { FLAGS, LEAK, RECOMMENDATIONS_COUNTER } from '../../../src/names/contract.js';
import { getProductList, LeakyProductCache, type ProductListSource } from './product-cache.js';

const tracer = trace.getTracer('recommendationservice');
const recommendations = metrics.getMeter('recommendationservice').createCounter(RECOMMENDATIONS_COUNTER.otelName, {
  description: 'Counts the total number of given recommendations',
});
// A long deadline on purpose: once the list is huge, the set difference of queued requests blocks
// this process's event loop for many seconds, and a short deadline would turn the leak's latency
// into DEADLINE_EXCEEDED errors before get_product_list could record its attributes.
const catalog = grpcClient('ProductCatalogService', peerAddr('PRODUCT_CATALOG_ADDR'), { deadlineMs: 300_000 });

const source: ProductListSource = {
  cache: new LeakyProductCache(), // process-global: lives until the process dies
  cacheEnabled: () => flagOn(FLAGS.recommendationCache),
  listProductIds: async () => (await catalog.ListProducts({})).products.map((p) => p.id),
  // one record per lookup, in get_product_list's context: a cache-miss line leads to its trace
  onCacheLookup: ({ hit, fetched, productsCount }) =>
    log(
      'info',
      hit
        ? `cache hit: ${productsCount} products in the cache`
        : `cache miss: fetched ${fetched} products, the cache now holds ${productsCount}`,
      { [LEAK.cacheHit]: hit, [LEAK.productsCount]: productsCount, [LEAK.cacheEnabled]: true },
      { stdout: false },
    ),
};

const service: RecommendationService = {
  async ListRecommendations({ productIds }) {
    const ids = await tracer.startActiveSpan(LEAK.spanName, async (span) => {
      try {
        return await getProductList(span, productIds, source);
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
        if (err instanceof Error) span.recordException(err);
        throw err;
      } finally {
        span.end();
      }
    });
    trace.getActiveSpan()?.setAttribute(LEAK.recommendedCount, ids.length);
    recommendations.add(ids.length, { [RECOMMENDATIONS_COUNTER.typeAttribute]: 'catalog' });
    return { productIds: ids };
  },
};

await runService((port) => serveGrpc(port, { RecommendationService: service }));
