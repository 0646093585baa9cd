// The shop's topology as data: which services exist, what each listens on, whom it calls, and the
// environment variables that carry those addresses. The supervisor starts services from this list;
// each service reads only its environment, so it can also run alone against any OTLP backend.
import { demoPorts } from '../src/names/ports.js';

export type Protocol = 'grpc' | 'http';

export interface ServiceSpec {
  readonly name: string;
  /** compiled entry point, relative to the project root */
  readonly entry: string;
  readonly protocol: Protocol;
  /** peers this service calls: env var name -> service name (value becomes "127.0.0.1:<port>") */
  readonly peers: Readonly<Record<string, string>>;
}

export const SHOP_SERVICES: readonly ServiceSpec[] = [
  { name: 'featureflagservice', entry: 'dist/demo/flags/main.js', protocol: 'http', peers: {} },
  {
    name: 'productcatalogservice',
    entry: 'dist/demo/services/productcatalog/main.js',
    protocol: 'grpc',
    peers: { OFREP_ADDR: 'featureflagservice' },
  },
  { name: 'currencyservice', entry: 'dist/demo/services/currency/main.js', protocol: 'grpc', peers: {} },
  { name: 'quoteservice', entry: 'dist/demo/services/quote/main.js', protocol: 'http', peers: {} },
  {
    name: 'shippingservice',
    entry: 'dist/demo/services/shipping/main.js',
    protocol: 'grpc',
    peers: { QUOTE_ADDR: 'quoteservice' },
  },
  {
    name: 'paymentservice',
    entry: 'dist/demo/services/payment/main.js',
    protocol: 'grpc',
    peers: { OFREP_ADDR: 'featureflagservice' },
  },
  { name: 'emailservice', entry: 'dist/demo/services/email/main.js', protocol: 'http', peers: {} },
  {
    name: 'cartservice',
    entry: 'dist/demo/services/cart/main.js',
    protocol: 'grpc',
    peers: { OFREP_ADDR: 'featureflagservice' },
  },
  {
    name: 'adservice',
    entry: 'dist/demo/services/ad/main.js',
    protocol: 'grpc',
    peers: { OFREP_ADDR: 'featureflagservice' },
  },
  {
    name: 'recommendationservice',
    entry: 'dist/demo/services/recommendation/main.js',
    protocol: 'grpc',
    peers: { OFREP_ADDR: 'featureflagservice', PRODUCT_CATALOG_ADDR: 'productcatalogservice' },
  },
  {
    name: 'checkoutservice',
    entry: 'dist/demo/services/checkout/main.js',
    protocol: 'grpc',
    peers: {
      CART_ADDR: 'cartservice',
      PRODUCT_CATALOG_ADDR: 'productcatalogservice',
      CURRENCY_ADDR: 'currencyservice',
      SHIPPING_ADDR: 'shippingservice',
      PAYMENT_ADDR: 'paymentservice',
      EMAIL_ADDR: 'emailservice',
    },
  },
  {
    name: 'frontend',
    entry: 'dist/demo/services/frontend/main.js',
    protocol: 'http',
    peers: {
      PRODUCT_CATALOG_ADDR: 'productcatalogservice',
      RECOMMENDATION_ADDR: 'recommendationservice',
      AD_ADDR: 'adservice',
      CART_ADDR: 'cartservice',
      CURRENCY_ADDR: 'currencyservice',
      CHECKOUT_ADDR: 'checkoutservice',
      SHIPPING_ADDR: 'shippingservice',
    },
  },
  { name: 'loadgenerator', entry: 'dist/demo/loadgen/main.js', protocol: 'http', peers: { FRONTEND_ADDR: 'frontend' } },
];

/**
 * The environment of one service in a demo whose console is on `consolePort`:
 * HOST and PORT (where it listens), OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT (OTLP/HTTP base URL),
 * OTEL_RESOURCE_ATTRIBUTES (service.namespace, service.instance.id stable across restarts),
 * OTEL_METRIC_EXPORT_INTERVAL (ms), and one <PEER>_ADDR per peer.
 */
export function serviceEnv(spec: ServiceSpec, consolePort: number, host = '127.0.0.1'): Record<string, string> {
  const ports = demoPorts(consolePort);
  const env: Record<string, string> = {
    HOST: host,
    PORT: String(ports.services[spec.name]),
    OTEL_SERVICE_NAME: spec.name,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://${host}:${ports.otlpHttp}`,
    OTEL_RESOURCE_ATTRIBUTES: `service.namespace=opentelemetry-demo,service.instance.id=${spec.name}-1,service.version=${process.env.npm_package_version ?? '0.1.0'}`,
    OTEL_METRIC_EXPORT_INTERVAL: '10000',
  };
  for (const [envName, peer] of Object.entries(spec.peers)) env[envName] = `${host}:${ports.services[peer]}`;
  return env;
}
