// The Prometheus HTTP API v1: registerPrometheusApi(router, { storage, engine, status? }) registers
// the query and metadata endpoints (api.ts) and the status, targets and rules ones (status.ts).
import type { Router } from '../http.js';
import { registerPrometheusApi as registerQueryApi, type PrometheusApiDeps } from './api.js';
import { registerStatusApi, type StatusApiDeps } from './status.js';

export type { BuildInfo } from './api.js';
export type { HeadStatsReader, SelfTarget, SettingValue, StatusApiDeps } from './status.js';
export { formatSampleValue, formatTimestamp, goJsonString } from './encode.js';
export { parseTime, parseDurationNs } from './params.js';

export interface PrometheusRoutesDeps extends PrometheusApiDeps {
  /** what the status endpoints report beyond the storage itself */
  readonly status?: Omit<StatusApiDeps, 'storage'>;
}
export type { PrometheusApiDeps };

export function registerPrometheusApi(router: Router, deps: PrometheusRoutesDeps): void {
  registerQueryApi(router, deps);
  registerStatusApi(router, { storage: deps.storage, ...deps.status });
}
