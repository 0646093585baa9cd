// GET /metrics: the backend's span metrics and self-metrics in the Prometheus text format 0.0.4,
// so a real Prometheus (or the Collector's prometheus receiver) can scrape them. Use
// honor_labels: true in the scrape config to keep the job/instance of each service, as the
// Collector's prometheus exporter expects.
import { EXPOSITION_CONTENT_TYPE, renderExposition, type MetricFamily } from '../exporters/prometheus/exposition.js';
import type { Router } from './http.js';

export function registerMetricsEndpoint(router: Router, families: () => readonly MetricFamily[]): void {
  router.route('GET', '/metrics', () => ({
    status: 200,
    headers: { 'content-type': EXPOSITION_CONTENT_TYPE },
    body: renderExposition(families()),
  }));
}
