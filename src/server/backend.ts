// The backend's composition: the parts a Collector + Prometheus + Jaeger deployment would run,
// wired in one process.
//
//   OTLP/HTTP :4318 ┐                        ┌→ trace store ────────────→ Jaeger API
//   OTLP/gRPC :4317 ┴→ memory limiter → fan-out┤
//                                            └→ spanmetrics ─┐
//                    metrics ───────────────────────────────┴→ OTLP→Prometheus → head → Prometheus API
//   self-metrics (receiver counts, store sizes, process) ───→ head, and GET /metrics
//
// One HTTP server (default 127.0.0.1:8080) carries the query APIs, /metrics, health,
// annotations, the configured proxies and the console's static files.
//
// This file only assembles: it builds every part, lets each register its own self-metrics,
// starts them in data-flow order from the sinks up and shuts them down in the reverse order
// (src/component/component.ts). What a part does, counts or persists lives in the part.
import path from 'node:path';
import { AnnotationStore } from '../annotations/store.js';
import { registerAnnotationsApi } from '../api/annotations.js';
import { registerDashboardsApi } from '../api/dashboards.js';
import { registerScenariosApi } from '../api/scenarios.js';
import { registerDataSources, type DataSources } from '../datasources/index.js';
import { RemoteJaegerSpans } from '../datasources/jaeger.js';
import { RemotePrometheus } from '../datasources/prometheus.js';
import { registerHealth } from '../api/health.js';
import { registerJaegerApi } from '../api/jaeger/index.js';
import { registerLokiApi } from '../api/loki/index.js';
import { registerMetricsEndpoint } from '../api/metrics-endpoint.js';
import { registerOrreryApi } from '../api/orrery/index.js';
import { ComparePool } from '../diagnosis/compare-pool.js';
import { DEFAULT_CORS_ALLOW_ORIGINS, OriginPolicy } from '../api/origin-policy.js';
import { registerPrometheusApi, type SettingValue } from '../api/prometheus/index.js';
import { registerProxies } from '../api/proxy.js';
import { HttpApp } from '../api/router.js';
import { registerStatic } from '../api/static.js';
import type { Component } from '../component/component.js';
import { PeriodicTask } from '../component/periodic.js';
import { SpanMetricsConnector } from '../connectors/spanmetrics/connector.js';
import { CollectingAppender, type MetricFamily } from '../exporters/prometheus/exposition.js';
import { PrometheusStorageExporter } from '../exporters/prometheus/exporter.js';
import { OtlpToPrometheus } from '../exporters/prometheus/translate.js';
import { buildOutbound, type OutboundConfig } from '../exporters/outbound.js';
import { gatePipelines } from '../exporters/queue/gate.js';
import { RefusedError } from '../consumer/consumer.js';
import { LogStore } from '../logs/store.js';
import { LogCounter } from '../pipeline/log-counter.js';
import { MemoryLimiter } from '../pipeline/memory-limiter.js';
import { buildPipelines } from '../pipeline/pipelines.js';
import { formatDuration } from '../promql/parser/format.js';
import { QueryPool } from '../promql/pool.js';
import { DecodePool } from '../receivers/decode-pool.js';
import { createOtlpGrpcReceiver } from '../receivers/otlp-grpc.js';
import { createOtlpHttpReceiver } from '../receivers/otlp-http.js';
import { registerProcessMetrics, SelfMetrics } from '../selfmetrics/registry.js';
import { DEFAULT_PLAIN_SEGMENTS, TraceStore } from '../traces/store.js';
import { Head } from '../tsdb/head.js';
import { SamplesWal } from '../tsdb/wal/samples-wal.js';
import type { Appender } from '../storage/storage.js';
import { DEFAULT_BLOCK_DURATION_MS, Tsdb } from '../tsdb/db.js';
import { ApiServer } from './api-server.js';
import { packageRoot } from './paths.js';

export interface BackendConfig extends OutboundConfig {
  /** interface for every listener; default 127.0.0.1 (nothing public unless asked) */
  readonly host?: string;
  /** query APIs, /metrics and the console; default 8080; 0 = ephemeral */
  readonly port?: number;
  /** default 4318; 0 = ephemeral */
  readonly otlpHttpPort?: number;
  /** default 4317; 0 = ephemeral */
  readonly otlpGrpcPort?: number;
  /** where stores persist across restarts (annotations today; the stores as they gain it) */
  readonly dataDir?: string;
  /** with dataDir: the samples and log store WALs are checkpointed once they outgrow this; default 64 MiB */
  readonly walCheckpointBytes?: number;
  /** trace store byte budget; default 256 MiB */
  readonly traceBudgetBytes?: number;
  /** sealed trace segments kept uncompressed in memory; default 2 */
  readonly tracePlainSegments?: number;
  /** log store byte budget; default 128 MiB */
  readonly logBudgetBytes?: number;
  /** how long traces, samples and logs are kept; default defaultRetentionMs(dataDir) */
  readonly retentionMs?: number;
  /** with dataDir: each store deletes its oldest trace segments / TSDB blocks while its files take more bytes than this */
  readonly retentionBytes?: number;
  /** with dataDir: the range of a TSDB block cut from the head; default 2 h */
  readonly blockDurationMs?: number;
  /** largest OTLP request body; default 16 MiB */
  readonly maxBodyBytes?: number;
  /** span metrics and self-metrics interval; default 10 s */
  readonly spanMetricsIntervalMs?: number;
  /**
   * reverse proxies by path prefix, e.g. { '/api/flags': 'http://127.0.0.1:8013' }; a prefix with
   * no upstream (yet) answers 502 until setProxyTarget gives it one
   */
  readonly proxies?: Readonly<Record<string, string | undefined>>;
  /** the memory limiter's hard limit on V8 heap + buffers (its soft limit is 80% of it); default 85% of V8's heap limit */
  readonly memoryLimitBytes?: number;
  /** resource attributes promoted to labels on every series; default ['service.name'] */
  readonly promoteResourceAttributes?: readonly string[];
  /** the console's build directory; default <package>/console/dist */
  readonly consoleDir?: string;
  /** dashboards served at /api/dashboards; default <package>/dashboards */
  readonly dashboardsDir?: string;
  /** guided scenarios served at /api/scenarios; default <package>/scenarios */
  readonly scenariosDir?: string;
  /** origins besides the console's own that browsers may call from; default localhost ports */
  readonly corsAllowOrigins?: readonly string[];
  /** request headers granted to OTLP/HTTP preflights besides Content-Type and Content-Encoding */
  readonly corsAllowHeaders?: readonly string[];
  /** keep traces in the local trace store; default true (false: --no-local-traces, forwarding only) */
  readonly localTraces?: boolean;
  /** external engines that answer the query APIs instead of the embedded stores (--prometheus-url, --jaeger-url) */
  readonly dataSources?: DataSources;
}

export interface BackendPorts {
  /** the query API / console port */
  readonly api: number;
  readonly otlpHttp: number;
  readonly otlpGrpc: number;
}

export interface Backend {
  start(): Promise<{ ports: BackendPorts }>;
  stop(): Promise<void>;
  readonly traceStore: TraceStore;
  readonly logStore: LogStore;
  readonly storage: Head;
  /** the head plus on-disk blocks, when there is a data directory */
  readonly tsdb: Tsdb | undefined;
  readonly annotations: AnnotationStore;
  readonly selfMetrics: SelfMetrics;
  readonly spanMetrics: SpanMetricsConnector;
  readonly app: HttpApp;
  /** sets (or with undefined clears) the upstream of a prefix given in config.proxies */
  setProxyTarget(prefix: string, url: string | undefined): void;
  /** span metrics and self-metrics as Prometheus families (what GET /metrics serves) */
  metricFamilies(): MetricFamily[];
  /** emits span metrics and writes self-metrics into the store now (tests; normally on the interval) */
  tick(): void;
}

export const BACKEND_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  otlpHttpPort: 4318,
  otlpGrpcPort: 4317,
  traceBudgetBytes: 256 * 1024 * 1024,
  logBudgetBytes: 128 * 1024 * 1024,
  /** without a data directory everything is in memory: a short window */
  retentionMs: 2 * 3600_000,
  /** with a data directory, Prometheus's default (--storage.tsdb.retention.time 15d) */
  diskRetentionMs: 15 * 24 * 3600_000,
  /** what a silent series' delta accumulators are kept in memory (at most the retention) */
  memoryWindowMs: 2 * 3600_000,
  maxBodyBytes: 16 * 1024 * 1024,
  spanMetricsIntervalMs: 10_000,
} as const;

/**
 * The retention when none is given: 15 days with a data directory (what the disk is for, as in
 * Prometheus; memory stays bounded by the trace and log budgets and the head's block range),
 * 2 hours without (memory holds everything).
 */
export function defaultRetentionMs(dataDir: string | undefined): number {
  return dataDir === undefined ? BACKEND_DEFAULTS.retentionMs : BACKEND_DEFAULTS.diskRetentionMs;
}

export function createBackend(config: BackendConfig = {}): Backend {
  const host = config.host ?? BACKEND_DEFAULTS.host;
  const retentionMs = config.retentionMs ?? defaultRetentionMs(config.dataDir);
  const memoryWindowMs = Math.min(retentionMs, BACKEND_DEFAULTS.memoryWindowMs);
  const intervalMs = config.spanMetricsIntervalMs ?? BACKEND_DEFAULTS.spanMetricsIntervalMs;
  const maxBodyBytes = config.maxBodyBytes ?? BACKEND_DEFAULTS.maxBodyBytes;
  const root = packageRoot();

  // Stores.
  const storage = new Head({ retentionMs });
  // With a data directory the head is cut into Prometheus-format blocks there, and queries read both.
  const tsdb =
    config.dataDir === undefined
      ? undefined
      : new Tsdb({
          dir: config.dataDir,
          head: storage,
          retentionMs,
          ...(config.retentionBytes !== undefined ? { retentionBytes: config.retentionBytes } : {}),
          ...(config.blockDurationMs !== undefined ? { blockDurationMs: config.blockDurationMs } : {}),
        });
  const queryable = tsdb ?? storage;
  const traceStore = new TraceStore({
    budgetBytes: config.traceBudgetBytes ?? BACKEND_DEFAULTS.traceBudgetBytes,
    ...(config.tracePlainSegments !== undefined ? { plainSegments: config.tracePlainSegments } : {}),
    retentionMs,
    // with a data directory: a write-ahead log and sealed segments under <data-dir>/traces
    ...(config.dataDir !== undefined ? { dataDir: path.join(config.dataDir, 'traces') } : {}),
    ...(config.retentionBytes !== undefined ? { retentionBytes: config.retentionBytes } : {}),
  });
  const logStore = new LogStore({
    budgetBytes: config.logBudgetBytes ?? BACKEND_DEFAULTS.logBudgetBytes,
    retentionMs,
    // with a data directory: every accepted batch is logged under <data-dir>/logs before the 200
    ...(config.dataDir !== undefined
      ? {
          dataDir: {
            dir: path.join(config.dataDir, 'logs'),
            ...(config.walCheckpointBytes !== undefined ? { checkpointBytes: config.walCheckpointBytes } : {}),
          },
        }
      : {}),
  });
  const annotations = new AnnotationStore({ dataDir: config.dataDir });
  // With a data directory every sample the head accepts is logged (<data-dir>/wal) before the 200.
  const samplesWal =
    config.dataDir === undefined
      ? undefined
      : new SamplesWal({
          dir: path.join(config.dataDir, 'wal'),
          head: storage,
          checkpointMinBytes: config.walCheckpointBytes,
        });
  const walAppender: Appender = samplesWal?.appender ?? storage;
  const selfMetrics = new SelfMetrics();
  // PromQL evaluates in worker threads, so that a heavy query cannot stall health or ingestion.
  const engine = new QueryPool();
  // Attribute comparisons are scored in a worker thread too.
  const comparePool = new ComparePool();

  // Pipelines. Forwarding goes first in every fan-out: a full sending queue refuses the batch
  // before any local part keeps it. Remote write sees every sample the store keeps.
  const outbound = buildOutbound(config, config.dataDir);
  const forwarding = outbound.forwarding ? [outbound.forwarding] : [];
  const appender: Appender = outbound.remoteWrite ? outbound.remoteWrite.wrap(walAppender) : walAppender;
  const exporter = new PrometheusStorageExporter(appender, {
    promoteResourceAttributes: config.promoteResourceAttributes,
  });
  const spanMetrics = new SpanMetricsConnector(exporter, { intervalMs });
  const logs = new LogCounter();
  const limiter = new MemoryLimiter({
    ...(config.memoryLimitBytes !== undefined ? { limitBytes: config.memoryLimitBytes } : {}),
    evict: (bytes) => {
      const freed = traceStore.evictOldest(bytes);
      return freed < bytes ? freed + logStore.evictOldest(bytes - freed) : freed;
    },
  });
  const limited = buildPipelines({
    limiter,
    traces: [...forwarding, ...(config.localTraces === false ? [] : [traceStore]), spanMetrics],
    metrics: [...forwarding, exporter],
    logs: [...forwarding, logStore, logs],
  });
  const rw = outbound.remoteWrite;
  const pipelines = rw ? gatePipelines(limited, () => rw.admit()) : limited;

  // The HTTP side. Order matters: the static console's catch-all goes last.
  const originPolicy = new OriginPolicy({
    host,
    allowOrigins: config.corsAllowOrigins,
    allowHeaders: config.corsAllowHeaders,
    consolePort: (): number | undefined => (api.port === 0 ? undefined : api.port),
  });
  const app = new HttpApp({ maxBodyBytes, originPolicy });
  let ready = false;
  registerHealth(app, () => ready);
  // External engines first: the first matching route wins, so their read paths shadow the embedded ones.
  const dataSources = config.dataSources ?? {};
  registerDataSources(app, dataSources);
  // PromQL that Orrery evaluates itself (the monitor API, findings) goes where the console's goes.
  const queries = dataSources.prometheus ? new RemotePrometheus(dataSources.prometheus) : engine;
  registerJaegerApi(app, traceStore, { metrics: { engine: queries, querier: queryable } });
  // What the backend's own collection did last, for /api/v1/targets (it plays its own scrape target).
  let collection: { readonly atMs: number; readonly durationMs: number; readonly error: string } | undefined;
  registerPrometheusApi(app, {
    storage: queryable,
    engine,
    status: {
      head: storage,
      startTimeMs: Date.now(),
      retentionMs,
      settings: () => effectiveSettings(config, boundPorts(), proxyTargets, limiter.limitBytes),
      selfTarget: () => ({
        job: 'orrery',
        instance: `${host}:${api.port}`,
        intervalMs,
        lastCollectionMs: collection?.atMs,
        lastCollectionDurationMs: collection?.durationMs,
        lastError: collection?.error ?? '',
        families: metricFamilies,
      }),
    },
  });
  registerLokiApi(app, { store: logStore });
  registerAnnotationsApi(app, annotations);
  registerOrreryApi(app, {
    traces: traceStore,
    ...(dataSources.jaeger ? { externalTraces: new RemoteJaegerSpans(dataSources.jaeger) } : {}),
    comparer: comparePool,
    engine: queries,
    storage: queryable,
    annotations,
  });
  registerDashboardsApi(app, config.dashboardsDir ?? path.join(root, 'dashboards'));
  registerScenariosApi(app, config.scenariosDir ?? path.join(root, 'scenarios'));
  const spanTranslator = new OtlpToPrometheus({ promoteResourceAttributes: config.promoteResourceAttributes });
  const metricFamilies = (): MetricFamily[] => {
    const collect = new CollectingAppender();
    spanTranslator.translate(spanMetrics.snapshot(), collect);
    return [...collect.families(), ...selfMetrics.collect()];
  };
  registerMetricsEndpoint(app, metricFamilies);
  const proxyTargets = new Map<string, string | undefined>(Object.entries(config.proxies ?? {}));
  registerProxies(
    app,
    [...proxyTargets.keys()].map((prefix) => ({ prefix, target: () => proxyTargets.get(prefix) })),
  );
  registerStatic(app, { root: config.consoleDir ?? path.join(root, 'console', 'dist') });
  const api = new ApiServer(app, host, config.port ?? BACKEND_DEFAULTS.port);

  // Receivers.
  const decodePool = new DecodePool();
  const common = { host, maxBodyBytes, ...pipelines, observer: selfMetrics, admission: limiter, decodePool };
  const httpRx = createOtlpHttpReceiver({
    ...common,
    originPolicy,
    port: config.otlpHttpPort ?? BACKEND_DEFAULTS.otlpHttpPort,
    keepGzippedBodies: outbound.forwarding !== undefined,
  });
  const grpcRx = createOtlpGrpcReceiver({ ...common, port: config.otlpGrpcPort ?? BACKEND_DEFAULTS.otlpGrpcPort });

  // The backend scraping itself, as Prometheus would at GET /metrics.
  const writeSelfMetrics = (): void => {
    const now = Date.now();
    try {
      selfMetrics.writeTo(appender, now, { job: 'orrery', instance: `${host}:${api.port}` });
      appender.commit?.();
      exporter.prune(now - memoryWindowMs);
      collection = { atMs: now, durationMs: Date.now() - now, error: '' };
    } catch (err) {
      collection = { atMs: now, durationMs: Date.now() - now, error: err instanceof Error ? err.message : String(err) };
      throw err;
    }
  };
  const boundPorts = (): BackendPorts | undefined =>
    api.port === 0 ? undefined : { api: api.port, otlpHttp: httpRx.port, otlpGrpc: grpcRx.port };
  const selfScrape = new PeriodicTask('periodic metrics write', intervalMs, writeSelfMetrics);

  // Started in this order (the sinks first, the receivers last), shut down in the reverse one.
  const processMetrics: Component = { registerMetrics: registerProcessMetrics };
  const components: readonly Component[] = [
    processMetrics,
    annotations,
    // blocks are loaded (and the head truncated to what they lack) before the WAL replays into the head
    ...(tsdb ? [tsdb] : [storage]),
    ...(samplesWal ? [samplesWal] : []),
    engine,
    comparePool,
    traceStore,
    logStore,
    ...(outbound.remoteWrite ? [outbound.remoteWrite] : []),
    ...forwarding,
    exporter,
    spanMetrics,
    logs,
    limiter,
    decodePool,
    selfScrape,
    api,
    httpRx,
    grpcRx,
  ];
  for (const c of components) c.registerMetrics?.(selfMetrics);
  let started: Component[] = [];

  const shutdownStarted = async (): Promise<void> => {
    for (const c of started.splice(0).reverse()) await c.shutdown?.();
  };

  return {
    traceStore,
    logStore,
    storage,
    tsdb,
    annotations,
    selfMetrics,
    spanMetrics,
    app,
    setProxyTarget(prefix, url) {
      // Routes are registered once, at build time: a prefix not in config.proxies has none.
      if (!proxyTargets.has(prefix)) throw new Error(`no proxy route for ${prefix}: list it in config.proxies`);
      proxyTargets.set(prefix, url);
    },
    metricFamilies,
    tick() {
      try {
        spanMetrics.flush();
      } catch (err) {
        if (!(err instanceof RefusedError)) throw err;
      }
      writeSelfMetrics();
    },

    async start() {
      try {
        for (const c of components) {
          started.push(c);
          await c.start?.();
        }
      } catch (err) {
        await shutdownStarted();
        throw err;
      }
      ready = true;
      return { ports: { api: api.port, otlpHttp: httpRx.port, otlpGrpc: grpcRx.port } };
    },

    async stop() {
      ready = false;
      await shutdownStarted();
      started = [];
    },
  };
}

/** The settings in force, by the `orrery serve` flag that sets each (status/flags, status/config). */
function effectiveSettings(
  config: BackendConfig,
  ports: BackendPorts | undefined,
  proxies: ReadonlyMap<string, string | undefined>,
  memoryLimitBytes: number,
): Record<string, SettingValue> {
  return {
    host: config.host ?? BACKEND_DEFAULTS.host,
    port: ports?.api ?? config.port ?? BACKEND_DEFAULTS.port,
    'otlp-http-port': ports?.otlpHttp ?? config.otlpHttpPort ?? BACKEND_DEFAULTS.otlpHttpPort,
    'otlp-grpc-port': ports?.otlpGrpc ?? config.otlpGrpcPort ?? BACKEND_DEFAULTS.otlpGrpcPort,
    'data-dir': config.dataDir,
    'wal-checkpoint-size': config.walCheckpointBytes ?? 64 * 1024 * 1024,
    'trace-budget': config.traceBudgetBytes ?? BACKEND_DEFAULTS.traceBudgetBytes,
    'trace-plain-segments': config.tracePlainSegments ?? DEFAULT_PLAIN_SEGMENTS,
    'log-budget': config.logBudgetBytes ?? BACKEND_DEFAULTS.logBudgetBytes,
    retention: formatDuration(config.retentionMs ?? defaultRetentionMs(config.dataDir)),
    'retention-size': config.retentionBytes,
    'block-duration': formatDuration(config.blockDurationMs ?? DEFAULT_BLOCK_DURATION_MS),
    'max-body': config.maxBodyBytes ?? BACKEND_DEFAULTS.maxBodyBytes,
    'span-metrics-interval': formatDuration(config.spanMetricsIntervalMs ?? BACKEND_DEFAULTS.spanMetricsIntervalMs),
    'memory-limit': memoryLimitBytes,
    'promote-resource-attributes': config.promoteResourceAttributes ?? ['service.name'],
    'flags-url': proxies.get('/api/flags'),
    'load-url': proxies.get('/api/load'),
    'cors-allow-origin': config.corsAllowOrigins ?? DEFAULT_CORS_ALLOW_ORIGINS,
    'cors-allow-header': config.corsAllowHeaders ?? [],
    'forward-otlp': (config.forwardOtlp ?? []).map((t) => t.display),
    'local-traces': config.localTraces !== false,
    'remote-write': config.remoteWrite?.url,
    'prometheus-url': config.dataSources?.prometheus?.displayUrl,
    'jaeger-url': config.dataSources?.jaeger?.displayUrl,
  };
}
