// External data sources: with `--prometheus-url` and/or `--jaeger-url`, the query APIs the
// console uses are answered by those engines (requests forwarded with the engine's credentials,
// answers streamed back unchanged), and GET /api/orrery/v1/datasources says which engine answers
// each signal. Only the read side of each API is forwarded: Orrery never sends an engine's admin
// or write calls on a browser's behalf. Routes registered here must come before the embedded
// APIs' routes, since the first matching route wins.
import { proxyRequest } from '../api/proxy.js';
import { json, type Router } from '../api/http.js';
import type { Upstream } from './upstream.js';
import { isRecord } from '../json/record.js';

/** Prometheus HTTP API paths forwarded to an external Prometheus (GET, and POST forms as Grafana sends). */
export const PROMETHEUS_READ_PATHS: readonly string[] = [
  '/api/v1/query',
  '/api/v1/query_range',
  '/api/v1/query_exemplars',
  '/api/v1/series',
  '/api/v1/labels',
  '/api/v1/label/:name/values',
  '/api/v1/metadata',
  '/api/v1/targets',
  '/api/v1/targets/metadata',
  '/api/v1/rules',
  '/api/v1/alerts',
  '/api/v1/format_query',
  '/api/v1/status/*',
];

/** Jaeger query API paths forwarded to an external Jaeger (GET only). The monitor API (/api/metrics/*) stays Orrery's: it is PromQL over the metrics source. */
export const JAEGER_READ_PATHS: readonly string[] = [
  '/api/services',
  '/api/services/:service/operations',
  '/api/operations',
  '/api/traces',
  '/api/traces/:traceID',
  '/api/dependencies',
];

export interface DataSources {
  readonly prometheus?: Upstream;
  readonly jaeger?: Upstream;
}

export interface DataSourceStatus {
  readonly signal: 'metrics' | 'traces';
  readonly engine: 'embedded' | 'prometheus' | 'jaeger';
  /** the engine's URL without credentials (external engines only) */
  readonly url?: string;
  readonly healthy: boolean;
  /** e.g. "Prometheus 2.42.0", "Jaeger query API (12 services)", "embedded TSDB" */
  readonly description: string;
  /** why it is not healthy */
  readonly error?: string;
  readonly checkedAtMs: number;
}

const PROBE_CACHE_MS = 5000;
const PROBE_TIMEOUT_MS = 3000;

export function registerDataSources(router: Router, sources: DataSources, now: () => number = Date.now): void {
  const forward = (upstream: Upstream, paths: readonly string[], methods: readonly string[]): void => {
    for (const pattern of paths) {
      for (const method of methods) {
        router.raw(
          method,
          pattern,
          (req, res) => proxyRequest(upstream.displayUrl, req, res, { headers: upstream.authHeaders() }),
          {
            readOnly: true,
          },
        );
      }
    }
  };
  if (sources.prometheus) forward(sources.prometheus, PROMETHEUS_READ_PATHS, ['GET', 'POST']);
  if (sources.jaeger) forward(sources.jaeger, JAEGER_READ_PATHS, ['GET']);

  let cached: { atMs: number; statuses: Promise<DataSourceStatus[]> } | undefined;
  router.route('GET', '/api/orrery/v1/datasources', async () => {
    const t = now();
    if (!cached || t - cached.atMs > PROBE_CACHE_MS) cached = { atMs: t, statuses: probeAll(sources, t) };
    return json(200, { data: await cached.statuses });
  });
}

function probeAll(sources: DataSources, atMs: number): Promise<DataSourceStatus[]> {
  return Promise.all([
    sources.prometheus
      ? probePrometheus(sources.prometheus, atMs)
      : Promise.resolve<DataSourceStatus>({
          signal: 'metrics',
          engine: 'embedded',
          healthy: true,
          description: "Orrery's embedded TSDB",
          checkedAtMs: atMs,
        }),
    sources.jaeger
      ? probeJaeger(sources.jaeger, atMs)
      : Promise.resolve<DataSourceStatus>({
          signal: 'traces',
          engine: 'embedded',
          healthy: true,
          description: "Orrery's embedded trace store",
          checkedAtMs: atMs,
        }),
  ]);
}

function field(x: unknown, key: string): unknown {
  return isRecord(x) ? x[key] : undefined;
}

async function probePrometheus(upstream: Upstream, atMs: number): Promise<DataSourceStatus> {
  const base = { signal: 'metrics', engine: 'prometheus', url: upstream.displayUrl, checkedAtMs: atMs } as const;
  try {
    const { status, body } = await upstream.json('GET', '/api/v1/status/buildinfo', { timeoutMs: PROBE_TIMEOUT_MS });
    const version = field(field(body, 'data'), 'version');
    if (status !== 200 || field(body, 'status') !== 'success' || typeof version !== 'string') {
      return {
        ...base,
        healthy: false,
        description: 'Prometheus',
        error: `buildinfo answered HTTP ${status} without a version`,
      };
    }
    return { ...base, healthy: true, description: `Prometheus ${version}` };
  } catch (err) {
    return {
      ...base,
      healthy: false,
      description: 'Prometheus',
      error: err instanceof Error ? err.message : String(err),
    };
  }
}

async function probeJaeger(upstream: Upstream, atMs: number): Promise<DataSourceStatus> {
  const base = { signal: 'traces', engine: 'jaeger', url: upstream.displayUrl, checkedAtMs: atMs } as const;
  try {
    const { status, body } = await upstream.json('GET', '/api/services', { timeoutMs: PROBE_TIMEOUT_MS });
    const services = field(body, 'data');
    if (status !== 200 || !Array.isArray(services)) {
      return {
        ...base,
        healthy: false,
        description: 'Jaeger query API',
        error: `/api/services answered HTTP ${status} without a list`,
      };
    }
    return {
      ...base,
      healthy: true,
      description: `Jaeger query API (${services.length} service${services.length === 1 ? '' : 's'})`,
    };
  } catch (err) {
    return {
      ...base,
      healthy: false,
      description: 'Jaeger query API',
      error: err instanceof Error ? err.message : String(err),
    };
  }
}
