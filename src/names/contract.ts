// The names every part of Orrery relies on (../shared/spec/contracts.md) as code: dashboards,
// tests, the demo and the diagnosis code import them, so a rename happens here only.

export const SPAN_METRICS = {
  calls: 'traces_span_metrics_calls_total',
  durationBucket: 'traces_span_metrics_duration_milliseconds_bucket',
  durationSum: 'traces_span_metrics_duration_milliseconds_sum',
  durationCount: 'traces_span_metrics_duration_milliseconds_count',
  /** OTel-side names before translation (the connector emits these) */
  callsOtel: 'traces.span.metrics.calls',
  durationOtel: 'traces.span.metrics.duration',
  /** histogram buckets in milliseconds (+Inf implied) */
  bucketsMs: [2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000, 10000, 15000] as readonly number[],
} as const;

export const SPAN_KIND_LABELS = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
] as const;

export const STATUS_CODE_LABELS = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'] as const;

export const RUNTIME_METRICS = {
  cpuTime: 'process_cpu_time_seconds_total',
  memoryRss: 'process_memory_usage',
  heapUsed: 'v8js_memory_heap_used_bytes',
  eventLoopDelayP99: 'nodejs_eventloop_delay_p99_seconds',
  gcDuration: 'v8js_gc_duration_seconds_bucket',
} as const;

export const RECOMMENDATIONS_COUNTER = {
  otelName: 'app_recommendations_counter',
  promName: 'app_recommendations_counter_total',
  typeAttribute: 'recommendation.type',
} as const;

/** Self-metrics of the backend, under the Collector's names. */
export const SELF_METRICS = {
  acceptedSpans: 'otelcol_receiver_accepted_spans_total',
  refusedSpans: 'otelcol_receiver_refused_spans_total',
  acceptedMetricPoints: 'otelcol_receiver_accepted_metric_points_total',
  refusedMetricPoints: 'otelcol_receiver_refused_metric_points_total',
  acceptedLogRecords: 'otelcol_receiver_accepted_log_records_total',
  refusedLogRecords: 'otelcol_receiver_refused_log_records_total',
  droppedTraces: 'orrery_trace_store_dropped_traces_total',
  droppedSpans: 'orrery_trace_store_dropped_spans_total',
  storedTraces: 'orrery_trace_store_traces',
  storedSpans: 'orrery_trace_store_spans',
  traceStoreBytes: 'orrery_trace_store_bytes',
  headSeries: 'orrery_tsdb_head_series',
  headSamples: 'orrery_tsdb_head_samples_appended_total',
  outOfOrderSamples: 'prometheus_tsdb_out_of_order_samples_total',
  processRss: 'process_resident_memory_bytes',
  processCpu: 'process_cpu_seconds_total',
  processHeap: 'orrery_process_heap_used_bytes',
} as const;

/** The supervisor's restart counter (per service). */
export const SUPERVISOR_METRICS = {
  restarts: 'orrery_supervisor_restarts_total',
} as const;

export const RESOURCE = {
  serviceNamespace: 'opentelemetry-demo',
} as const;

export const SERVICES = [
  'frontend',
  'productcatalogservice',
  'recommendationservice',
  'featureflagservice',
  'adservice',
  'cartservice',
  'currencyservice',
  'checkoutservice',
  'paymentservice',
  'shippingservice',
  'emailservice',
  'quoteservice',
  'loadgenerator',
] as const;
export type ServiceName = (typeof SERVICES)[number];

export const LEAK = {
  spanName: 'get_product_list',
  cacheEnabled: 'app.recommendation.cache_enabled',
  cacheHit: 'app.cache_hit',
  productsCount: 'app.products.count',
  filteredCount: 'app.filtered_products.count',
  filteredList: 'app.filtered_products.list',
  recommendedCount: 'app.products_recommended.count',
  flag: 'recommendationCache',
} as const;

export const FLAGS = {
  recommendationCache: 'recommendationCache',
  productCatalogFailure: 'productCatalogFailure',
  adServiceFailure: 'adServiceFailure',
  cartServiceFailure: 'cartServiceFailure',
  paymentServiceFailure: 'paymentServiceFailure',
} as const;

export const PRODUCT_IDS = [
  '0PUK6V6EV0',
  '1YMWWN1N4O',
  '2ZYFJ3GM2N',
  '66VCHSJNUP',
  '6E92ZMYYFZ',
  '9SIQT8TOJO',
  'HQTGWGPNH4',
  'L9ECAV7KIM',
  'LS4PSXUNUM',
  'OLJCESPC7Z',
] as const;
