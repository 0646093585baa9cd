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
// annotations, the flag/load proxies and the console's static files.
import { promises as fs } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { AnnotationStore } from '../annotations/store.js';
import { registerAnnotationsApi } from '../api/annotations.js';
import { registerDashboardsApi } from '../api/dashboards.js';
import { registerHealth } from '../api/health.js';
import { registerJaegerApi } from '../api/jaeger/index.js';
import { registerMetricsEndpoint } from '../api/metrics-endpoint.js';
import { registerPrometheusApi } from '../api/prometheus/index.js';
import { registerProxies } from '../api/proxy.js';
import { HttpApp } from '../api/router.js';
import { registerStatic } from '../api/static.js';
import { SpanMetricsConnector } from '../connectors/spanmetrics/connector.js';
import { CollectingAppender, type MetricFamily } from '../exporters/prometheus/exposition.js';
import { PrometheusStorageExporter } from '../exporters/prometheus/exporter.js';
import { OtlpToPrometheus } from '../exporters/prometheus/translate.js';
import { SELF_METRICS } from '../names/contract.js';
import { LogCounter } from '../pipeline/log-counter.js';
import { MemoryLimiter } from '../pipeline/memory-limiter.js';
import { buildPipelines } from '../pipeline/pipelines.js';
import { Engine } from '../promql/engine.js';
import { createOtlpGrpcReceiver } from '../receivers/otlp-grpc.js';
import { createOtlpHttpReceiver } from '../receivers/otlp-http.js';
import { registerProcessMetrics, SelfMetrics } from '../selfmetrics/registry.js';
import { TraceStore } from '../traces/store.js';
import { Head } from '../tsdb/head.js';
import type { Labels } from '../tsdb/labels.js';
import type { Appender, Exemplar, MetricMetadata } from '../tsdb/storage.js';
import { packageRoot } from './paths.js';

export interface BackendConfig {
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
  /** trace store byte budget; default 256 MiB */
  readonly traceBudgetBytes?: number;
  /** how long traces and samples are kept; default 2 h */
  readonly retentionMs?: number;
  /** largest OTLP request body; default 16 MiB */
  readonly maxBodyBytes?: number;
  /** span metrics and self-metrics interval; default 10 s */
  readonly spanMetricsIntervalMs?: number;
  /** reverse proxies by path prefix, e.g. { '/api/flags': 'http://127.0.0.1:8013' } */
  readonly proxies?: Readonly<Record<string, string>>;
  /** refuse OTLP input while the heap is above this; default 85% of V8's heap limit */
  readonly memoryLimitBytes?: number;
  /** resource attributes promoted to labels on every series; default ['service.name'] */
  readonly promoteResourceAttributes?: readonly string[];
  /** the console's build directory; default <package>/console/dist */
  readonly consoleDir?: string;
  /** dashboards served at /api/dashboards; default <package>/dashboards */
  readonly dashboardsDir?: string;
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
  readonly storage: Head;
  readonly annotations: AnnotationStore;
  readonly selfMetrics: SelfMetrics;
  readonly spanMetrics: SpanMetricsConnector;
  readonly app: HttpApp;
  /** sets (or with undefined clears) the upstream of a proxied prefix, e.g. '/api/flags' */
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
  retentionMs: 2 * 3600_000,
  maxBodyBytes: 16 * 1024 * 1024,
  spanMetricsIntervalMs: 10_000,
} as const;

/** Counts samples appended through it (orrery_tsdb_head_samples_appended_total). */
class CountingAppender implements Appender {
  samples = 0;
  constructor(private readonly inner: Appender) {}
  append(labels: Labels, t: number, v: number): void {
    this.samples++;
    this.inner.append(labels, t, v);
  }
  appendStale(labels: Labels, t: number): void {
    this.inner.appendStale(labels, t);
  }
  appendExemplar(seriesLabels: Labels, exemplar: Exemplar): void {
    this.inner.appendExemplar(seriesLabels, exemplar);
  }
  setMetadata(metricName: string, metadata: MetricMetadata): void {
    this.inner.setMetadata(metricName, metadata);
  }
}

interface Stoppable {
  stop(): Promise<void> | void;
}

export function createBackend(config: BackendConfig = {}): Backend {
  const host = config.host ?? BACKEND_DEFAULTS.host;
  const retentionMs = config.retentionMs ?? BACKEND_DEFAULTS.retentionMs;
  const intervalMs = config.spanMetricsIntervalMs ?? BACKEND_DEFAULTS.spanMetricsIntervalMs;
  const maxBodyBytes = config.maxBodyBytes ?? BACKEND_DEFAULTS.maxBodyBytes;
  const root = packageRoot();

  const storage = new Head({ retentionMs });
  const appender = new CountingAppender(storage);
  const traceStore = new TraceStore({
    budgetBytes: config.traceBudgetBytes ?? BACKEND_DEFAULTS.traceBudgetBytes,
    retentionMs,
  });
  const annotations = new AnnotationStore();
  const selfMetrics = new SelfMetrics();
  const engine = new Engine();

  // Pipelines.
  const exporter = new PrometheusStorageExporter(appender, {
    promoteResourceAttributes: config.promoteResourceAttributes,
  });
  const spanMetrics = new SpanMetricsConnector(exporter, { intervalMs });
  const logs = new LogCounter();
  const limiter = new MemoryLimiter(
    config.memoryLimitBytes !== undefined ? { limitBytes: config.memoryLimitBytes } : {},
  );
  const pipelines = buildPipelines({ limiter, traces: [traceStore, spanMetrics], metrics: [exporter], logs: [logs] });

  // Self-metrics read from the parts at collection time.
  registerProcessMetrics(selfMetrics);
  selfMetrics.gauge(SELF_METRICS.storedTraces, 'Traces held by the trace store.', () => traceStore.stats().traces);
  selfMetrics.gauge(SELF_METRICS.storedSpans, 'Spans held by the trace store.', () => traceStore.stats().spans);
  selfMetrics.gauge(
    SELF_METRICS.traceStoreBytes,
    'Estimated bytes held by the trace store.',
    () => traceStore.stats().bytes,
    'bytes',
  );
  selfMetrics.counterFunc(
    SELF_METRICS.droppedTraces,
    'Traces dropped by the byte budget or retention.',
    () => traceStore.stats().droppedTraces,
  );
  selfMetrics.counterFunc(
    SELF_METRICS.droppedSpans,
    'Spans dropped by the byte budget or retention.',
    () => traceStore.stats().droppedSpans,
  );
  selfMetrics.gauge(SELF_METRICS.headSeries, 'Series in the TSDB head.', () => storage.stats().series);
  selfMetrics.counterFunc(SELF_METRICS.headSamples, 'Samples appended to the TSDB head.', () => appender.samples);
  selfMetrics.counterFunc(
    SELF_METRICS.outOfOrderSamples,
    'Samples dropped as out of order.',
    () => storage.stats().outOfOrderSamples,
  );
  selfMetrics.counterFunc(
    'orrery_memory_limiter_refused_batches_total',
    'Batches refused by the memory limiter.',
    () => limiter.refusedBatches,
  );
  selfMetrics.counterFunc(
    'orrery_logs_received_log_records_total',
    'Log records received (counted, not stored).',
    () => logs.records,
  );

  // The HTTP side. Order matters: the static console's catch-all goes last.
  const app = new HttpApp({ maxBodyBytes });
  let ready = false;
  registerHealth(app, () => ready);
  registerJaegerApi(app, traceStore, { metrics: { engine, querier: storage } });
  registerPrometheusApi(app, { storage, engine });
  registerAnnotationsApi(app, annotations);
  registerDashboardsApi(app, config.dashboardsDir ?? path.join(root, 'dashboards'));
  const spanTranslator = new OtlpToPrometheus({ promoteResourceAttributes: config.promoteResourceAttributes });
  const metricFamilies = (): MetricFamily[] => {
    const collect = new CollectingAppender();
    spanTranslator.translate(spanMetrics.snapshot(), collect);
    return [...collect.families(), ...selfMetrics.collect()];
  };
  registerMetricsEndpoint(app, metricFamilies);
  const proxyTargets = new Map<string, string>(Object.entries(config.proxies ?? {}));
  const prefixes = new Set(['/api/flags', '/api/load', ...proxyTargets.keys()]);
  registerProxies(
    app,
    [...prefixes].map((prefix) => ({ prefix, target: () => proxyTargets.get(prefix) })),
  );
  registerStatic(app, { root: config.consoleDir ?? path.join(root, 'console', 'dist') });

  let server: Server | undefined;
  let receivers: Stoppable[] = [];
  let timer: NodeJS.Timeout | undefined;
  let instance = `${host}:${config.port ?? BACKEND_DEFAULTS.port}`;
  const annotationsFile = config.dataDir ? path.join(config.dataDir, 'annotations.json') : undefined;

  const tick = (): void => {
    const now = Date.now();
    try {
      spanMetrics.flush();
    } catch (err) {
      if (!(err instanceof Error && err.name === 'RefusedError')) throw err;
    }
    selfMetrics.writeTo(appender, now, { job: 'orrery', instance });
    exporter.prune(now - retentionMs);
  };

  return {
    traceStore,
    storage,
    annotations,
    selfMetrics,
    spanMetrics,
    app,
    setProxyTarget(prefix, url) {
      if (url === undefined) proxyTargets.delete(prefix);
      else proxyTargets.set(prefix, url);
    },
    metricFamilies,
    tick,

    async start() {
      if (annotationsFile) await loadAnnotations(annotationsFile, annotations);
      const started: Stoppable[] = [];
      try {
        const api = await app.listen(host, config.port ?? BACKEND_DEFAULTS.port);
        server = api.server;
        instance = `${host}:${api.port}`;
        const common = { host, maxBodyBytes, ...pipelines, observer: selfMetrics };
        const httpRx = createOtlpHttpReceiver({
          ...common,
          port: config.otlpHttpPort ?? BACKEND_DEFAULTS.otlpHttpPort,
        });
        const httpStarted = await httpRx.start();
        started.push(httpRx);
        const grpcRx = createOtlpGrpcReceiver({
          ...common,
          port: config.otlpGrpcPort ?? BACKEND_DEFAULTS.otlpGrpcPort,
        });
        const grpcStarted = await grpcRx.start();
        started.push(grpcRx);
        receivers = started;
        limiter.start();
        timer = setInterval(() => {
          try {
            tick();
          } catch (err) {
            console.error(`orrery: periodic metrics write failed: ${err instanceof Error ? err.message : String(err)}`);
          }
        }, intervalMs);
        timer.unref();
        ready = true;
        return { ports: { api: api.port, otlpHttp: httpStarted.port, otlpGrpc: grpcStarted.port } };
      } catch (err) {
        for (const r of started.reverse()) await r.stop();
        await closeServer(server);
        server = undefined;
        throw err;
      }
    },

    async stop() {
      ready = false;
      if (timer) clearInterval(timer);
      timer = undefined;
      limiter.stop();
      spanMetrics.stop();
      // Receivers first (no new data), then the query side.
      for (const r of receivers.reverse()) await r.stop();
      receivers = [];
      await closeServer(server);
      server = undefined;
      if (annotationsFile) await saveAnnotations(annotationsFile, annotations);
    },
  };
}

async function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive connections would hold close() open.
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2000).unref();
  });
}

async function loadAnnotations(file: string, store: AnnotationStore): Promise<void> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return;
  }
  try {
    const items = JSON.parse(text) as unknown;
    if (!Array.isArray(items)) return;
    for (const a of items as { time?: unknown; timeEnd?: unknown; tags?: unknown; text?: unknown }[]) {
      if (typeof a.text !== 'string' || typeof a.time !== 'number') continue;
      store.add({
        text: a.text,
        time: a.time,
        timeEnd: typeof a.timeEnd === 'number' ? a.timeEnd : undefined,
        tags: Array.isArray(a.tags) ? a.tags.filter((t): t is string => typeof t === 'string') : [],
      });
    }
  } catch (err) {
    console.error(`orrery: ignoring unreadable ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function saveAnnotations(file: string, store: AnnotationStore): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(store.query({ limit: Number.MAX_SAFE_INTEGER }).reverse()));
  await fs.rename(tmp, file);
}
