// GET /metrics: the backend's span metrics and self-metrics in the format the scraper asks for
// (OpenMetrics 1.0.0 with exemplars, as Prometheus 2.42 asks first, or text 0.0.4), so a real
// Prometheus (or the Collector's prometheus receiver) can scrape them. Use honor_labels: true in
// the scrape config to keep the job/instance of each service, as the Collector's prometheus
// exporter expects.
import { negotiateExposition, type MetricFamily } from '../exporters/prometheus/exposition.js';
import type { ApiRequest, Router } from './http.js';

export function registerMetricsEndpoint(router: Router, families: () => readonly MetricFamily[]): void {
  router.route('GET', '/metrics', (req: ApiRequest) => {
    const format = negotiateExposition(req.headers.accept);
    return {
      status: 200,
      headers: { 'content-type': format.contentType, vary: 'Accept' },
      body: format.render(families()),
    };
  });
}
