// frontend: the shop's HTTP JSON API (the load generator's target) over the gRPC services. Bad
// input answers 4xx with an error status on the server span; a failing backend answers 5xx.
import { peerAddr } from '../common/env.js';
import { GrpcStatus, grpcClient, grpcCode, grpcDetails } from '../common/grpc.js';
import { asInt, asObject, asString, HttpError, readJson, serveHttp, type Route } from '../common/http.js';
import { runService } from '../common/service.js';
import type { Address, CreditCardInfo, Money, Product } from '../common/types.js';

const catalog = grpcClient('ProductCatalogService', peerAddr('PRODUCT_CATALOG_ADDR'));
const recommendation = grpcClient('RecommendationService', peerAddr('RECOMMENDATION_ADDR'));
const ads = grpcClient('AdService', peerAddr('AD_ADDR'));
const cart = grpcClient('CartService', peerAddr('CART_ADDR'));
const currency = grpcClient('CurrencyService', peerAddr('CURRENCY_ADDR'));
const checkout = grpcClient('CheckoutService', peerAddr('CHECKOUT_ADDR'));

/** How many recommended products the product page shows (each is a GetProduct, as in the demo). */
const RECOMMENDATIONS_SHOWN = 4;
const PRODUCT_ID = /^[A-Za-z0-9]{1,32}$/;
const CURRENCY_CODE = /^[A-Z]{3}$/;

/** Turns a failed gRPC call into the HTTP answer the caller deserves. */
async function call<T>(what: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    const code = grpcCode(err);
    const status =
      code === GrpcStatus.INVALID_ARGUMENT ||
      code === GrpcStatus.FAILED_PRECONDITION ||
      code === GrpcStatus.OUT_OF_RANGE
        ? 400
        : code === GrpcStatus.NOT_FOUND
          ? 404
          : code === GrpcStatus.UNAVAILABLE
            ? 503
            : code === GrpcStatus.DEADLINE_EXCEEDED
              ? 504
              : 500;
    throw new HttpError(status, `${what}: ${grpcDetails(err)}`);
  }
}

function productId(raw: string, field = 'product ID'): string {
  if (!PRODUCT_ID.test(raw)) throw new HttpError(400, `${field} ${JSON.stringify(raw.slice(0, 40))} is malformed`);
  return raw;
}

function csv(url: URL, name: string): string[] {
  const raw = url.searchParams.get(name);
  if (raw === null || raw.trim() === '') return [];
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length > 50) throw new HttpError(400, `${name} has more than 50 entries`);
  return items;
}

function sessionOf(url: URL): string {
  return asString(url.searchParams.get('sessionId') ?? undefined, 'sessionId', { max: 128 });
}

function currencyOf(url: URL): string | undefined {
  const code = url.searchParams.get('currencyCode');
  if (code === null || code === '' || code === 'USD') return undefined;
  if (!CURRENCY_CODE.test(code)) throw new HttpError(400, 'currencyCode must be three capital letters');
  return code;
}

/** The product with its price in `code` (when asked for), as the demo's frontend shows it. */
async function priced(product: Product, code: string | undefined): Promise<Product> {
  if (!code) return product;
  const price: Money = await call('currency', currency.Convert({ from: product.priceUsd, toCode: code }));
  return { ...product, priceUsd: price };
}

function addressOf(value: unknown): Address {
  const a = asObject(value, 'address');
  return {
    streetAddress: asString(a.streetAddress, 'address.streetAddress'),
    city: asString(a.city, 'address.city'),
    state: asString(a.state, 'address.state', { optional: true }),
    country: asString(a.country, 'address.country'),
    zipCode: asString(typeof a.zipCode === 'number' ? String(a.zipCode) : a.zipCode, 'address.zipCode'),
  };
}

function creditCardOf(value: unknown): CreditCardInfo {
  const c = asObject(value, 'creditCard');
  return {
    creditCardNumber: asString(c.creditCardNumber, 'creditCard.creditCardNumber', { max: 32 }),
    creditCardCvv: asInt(c.creditCardCvv, 'creditCard.creditCardCvv', 0, 9999),
    creditCardExpirationYear: asInt(c.creditCardExpirationYear, 'creditCard.creditCardExpirationYear', 1970, 2200),
    creditCardExpirationMonth: asInt(c.creditCardExpirationMonth, 'creditCard.creditCardExpirationMonth', 1, 12),
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const routes: Route[] = [
  {
    method: 'GET',
    path: '/',
    handler: async () => {
      const { products } = await call('productcatalog', catalog.ListProducts({}));
      const items = products.map((p) => `<li><a href="/api/products/${p.id}">${escapeHtml(p.name)}</a></li>`).join('');
      return { html: `<!doctype html><title>Astronomy Shop</title><h1>Astronomy Shop</h1><ul>${items}</ul>` };
    },
  },
  { method: 'GET', path: '/healthz', handler: () => ({ text: 'ok' }) },
  {
    method: 'GET',
    path: '/api/products',
    handler: async ({ url }) => {
      const code = currencyOf(url);
      const { products } = await call('productcatalog', catalog.ListProducts({}));
      return { json: await Promise.all(products.map((p) => priced(p, code))) };
    },
  },
  {
    method: 'GET',
    path: '/api/products/:id',
    handler: async ({ url, params }) => {
      const product = await call('productcatalog', catalog.GetProduct({ id: productId(params.id ?? '') }));
      return { json: await priced(product, currencyOf(url)) };
    },
  },
  {
    method: 'GET',
    path: '/api/recommendations',
    handler: async ({ url }) => {
      const productIds = csv(url, 'productIds').map((id) => productId(id));
      const userId = url.searchParams.get('sessionId') ?? '';
      const code = currencyOf(url);
      const { productIds: recommended } = await call(
        'recommendation',
        recommendation.ListRecommendations({ userId, productIds }),
      );
      const products = await Promise.all(
        recommended
          .slice(0, RECOMMENDATIONS_SHOWN)
          .map(async (id) => priced(await call('productcatalog', catalog.GetProduct({ id })), code)),
      );
      return { json: products };
    },
  },
  {
    method: 'GET',
    path: '/api/data',
    handler: async ({ url }) => {
      const { ads: found } = await call('ad', ads.GetAds({ contextKeys: csv(url, 'contextKeys') }));
      return { json: found };
    },
  },
  {
    method: 'GET',
    path: '/api/cart',
    handler: async ({ url }) => {
      const c = await call('cart', cart.GetCart({ userId: sessionOf(url) }));
      const code = currencyOf(url);
      const items = await Promise.all(
        c.items.map(async (item) => ({
          ...item,
          product: await priced(await call('productcatalog', catalog.GetProduct({ id: item.productId })), code),
        })),
      );
      return { json: { userId: c.userId, items } };
    },
  },
  {
    method: 'POST',
    path: '/api/cart',
    handler: async ({ req }) => {
      const body = asObject(await readJson(req), 'body');
      const userId = asString(body.userId, 'userId', { max: 128 });
      const item = asObject(body.item, 'item');
      const productIdValue = productId(asString(item.productId, 'item.productId'), 'item.productId');
      const quantity = asInt(item.quantity, 'item.quantity', 1, 1000);
      await call('cart', cart.AddItem({ userId, item: { productId: productIdValue, quantity } }));
      return { json: { userId, item: { productId: productIdValue, quantity } } };
    },
  },
  {
    method: 'DELETE',
    path: '/api/cart',
    handler: async ({ url }) => {
      const userId = sessionOf(url);
      await call('cart', cart.EmptyCart({ userId }));
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    path: '/api/checkout',
    handler: async ({ req, url }) => {
      const body = asObject(await readJson(req), 'body');
      const userCurrency = asString(
        body.userCurrency ?? url.searchParams.get('currencyCode') ?? 'USD',
        'userCurrency',
        { max: 3 },
      );
      if (!CURRENCY_CODE.test(userCurrency)) throw new HttpError(400, 'userCurrency must be three capital letters');
      const email = asString(body.email, 'email');
      if (!email.includes('@')) throw new HttpError(400, 'email is not an e-mail address');
      const { order } = await call(
        'checkout',
        checkout.PlaceOrder({
          userId: asString(body.userId, 'userId', { max: 128 }),
          userCurrency,
          email,
          address: addressOf(body.address),
          creditCard: creditCardOf(body.creditCard),
        }),
      );
      return { json: order };
    },
  },
];

await runService((port) => serveHttp(port, routes));
