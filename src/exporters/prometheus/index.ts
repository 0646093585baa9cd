export { PrometheusStorageExporter, type PrometheusExporterStats } from './exporter.js';
export {
  OtlpToPrometheus,
  exponentialToExplicit,
  type TranslationOptions,
  type TranslationStats,
} from './translate.js';
export { prometheusMetricName, prometheusLabelName, unitWord, formatFloatF } from './naming.js';
