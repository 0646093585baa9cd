// productcatalogservice: the catalogue over gRPC. With productCatalogFailure on, GetProduct of
// one product fails (as in the demo), so the Error Rate panel has something to show.
import { trace } from '@opentelemetry/api';
import { flagOn } from '../common/flags.js';
import { GrpcStatus, RpcError, serveGrpc } from '../common/grpc.js';
import { runService } from '../common/service.js';
import type { ProductCatalogService } from '../common/types.js';
import { FLAGS } from '../../../src/names/contract.js';
import { CATALOG, FAILING_PRODUCT_ID, findProduct, searchProducts } from './catalog.js';

const catalog: ProductCatalogService = {
  async ListProducts() {
    trace.getActiveSpan()?.setAttribute('app.products.count', CATALOG.length);
    return { products: [...CATALOG] };
  },
  async GetProduct({ id }) {
    trace.getActiveSpan()?.setAttribute('app.product.id', id);
    // only the failing product asks the flag, so ordinary lookups cost no flag call
    if (id === FAILING_PRODUCT_ID && (await flagOn(FLAGS.productCatalogFailure))) {
      throw new RpcError(GrpcStatus.INTERNAL, `failed to get product ${id}: productCatalogFailure is on`);
    }
    const product = findProduct(id);
    if (!product) throw new RpcError(GrpcStatus.NOT_FOUND, `no product with ID ${id}`);
    trace.getActiveSpan()?.setAttribute('app.product.name', product.name);
    return product;
  },
  async SearchProducts({ query }) {
    const results = searchProducts(query);
    trace.getActiveSpan()?.setAttribute('app.products_search.count', results.length);
    return { results };
  },
};

await runService((port) => serveGrpc(port, { ProductCatalogService: catalog }));
