export { SpanMetricsConnector, type SpanMetricsOptions } from './connector.js';
