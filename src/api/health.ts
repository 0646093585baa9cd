// Liveness and readiness: /healthz answers while the process serves HTTP; /readyz only once every
// listener (query API, OTLP/HTTP, OTLP/gRPC) is up, and no longer while shutting down.
import { json, type Router } from './http.js';

export function registerHealth(router: Router, isReady: () => boolean): void {
  router.route('GET', '/healthz', () => json(200, { status: 'ok' }));
  router.route('GET', '/readyz', () =>
    isReady() ? json(200, { status: 'ready' }) : json(503, { status: 'not ready' }, { 'retry-after': '1' }),
  );
}
