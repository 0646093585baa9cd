// `orrery serve`: the telemetry backend alone (OTLP receivers, stores, query APIs, console),
// for pointing any OpenTelemetry SDK or Collector at it. One log line per listener; SIGINT or
// SIGTERM stop it cleanly with exit code 0.
import { DEFAULT_CORS_ALLOW_ORIGINS, isHeaderName, parseOriginPattern } from '../../api/origin-policy.js';
import { parseOtlpTarget, parseHeaders, type OtlpProtocol } from '../../exporters/otlp/target.js';
import type { OutboundConfig } from '../../exporters/outbound.js';
import { parseRemoteWriteUrl } from '../../exporters/remotewrite/exporter.js';
import { parseUpstream, type Upstream } from '../../datasources/upstream.js';
import { formatFlags, parseArgs, UsageError, type FlagSpecs, type ParsedFlags } from '../args.js';

const FLAGS = {
  host: { type: 'string', env: 'ORRERY_HOST', default: '127.0.0.1', help: 'interface to listen on', metavar: 'HOST' },
  port: {
    type: 'port',
    env: 'ORRERY_PORT',
    default: 8080,
    help: 'query APIs, /metrics and the console',
    metavar: 'PORT',
  },
  otlpHttpPort: {
    type: 'port',
    env: 'ORRERY_OTLP_HTTP_PORT',
    default: 4318,
    help: 'OTLP/HTTP receiver',
    metavar: 'PORT',
  },
  otlpGrpcPort: {
    type: 'port',
    env: 'ORRERY_OTLP_GRPC_PORT',
    default: 4317,
    help: 'OTLP/gRPC receiver',
    metavar: 'PORT',
  },
  dataDir: { type: 'string', env: 'ORRERY_DATA_DIR', help: 'directory for data kept across restarts', metavar: 'DIR' },
  walCheckpointSize: {
    type: 'size',
    env: 'ORRERY_WAL_CHECKPOINT_SIZE',
    default: '64MB',
    help: 'with --data-dir: checkpoint the samples and log WALs once their segments outgrow this (and twice the last checkpoint)',
    metavar: 'SIZE',
  },
  traceBudget: {
    type: 'size',
    env: 'ORRERY_TRACE_BUDGET',
    default: '256MB',
    help: 'trace store memory budget',
    metavar: 'SIZE',
  },
  tracePlainSegments: {
    type: 'int',
    env: 'ORRERY_TRACE_PLAIN_SEGMENTS',
    help: 'sealed 1 MiB trace segments kept uncompressed in memory (default 2; older ones are deflated: less memory, slower searches that reach them)',
    metavar: 'N',
  },
  logBudget: {
    type: 'size',
    env: 'ORRERY_LOG_BUDGET',
    default: '128MB',
    help: 'log store memory budget',
    metavar: 'SIZE',
  },
  retention: {
    type: 'duration',
    env: 'ORRERY_RETENTION',
    help: 'how long traces, samples and logs are kept (default 2h; 15d with --data-dir, as Prometheus)',
    metavar: 'DURATION',
  },
  retentionSize: {
    type: 'size',
    env: 'ORRERY_RETENTION_SIZE',
    help: 'with --data-dir: delete the oldest trace segments and metric blocks while each store takes more than this',
    metavar: 'SIZE',
  },
  blockDuration: {
    type: 'duration',
    env: 'ORRERY_BLOCK_DURATION',
    default: '2h',
    help: "with --data-dir: the time range of each on-disk metric block (Prometheus's format)",
    metavar: 'DURATION',
  },
  maxBody: {
    type: 'size',
    env: 'ORRERY_MAX_BODY',
    default: '16MB',
    help: 'largest OTLP request body',
    metavar: 'SIZE',
  },
  spanMetricsInterval: {
    type: 'duration',
    env: 'ORRERY_SPAN_METRICS_INTERVAL',
    default: '10s',
    help: 'span metrics and self-metrics interval',
    metavar: 'DURATION',
  },
  memoryLimit: {
    type: 'size',
    env: 'ORRERY_MEMORY_LIMIT',
    help: 'refuse OTLP input while the V8 heap plus buffers are above this (503; 429 above 80% of it); default 85% of the V8 heap limit',
    metavar: 'SIZE',
  },
  promoteResourceAttributes: {
    type: 'string',
    env: 'ORRERY_PROMOTE_RESOURCE_ATTRIBUTES',
    default: 'service.name',
    help: 'resource attributes copied as labels onto every series (comma-separated)',
    metavar: 'LIST',
  },
  flagsUrl: {
    type: 'string',
    env: 'ORRERY_FLAGS_URL',
    help: 'upstream for /api/flags (the demo sets it)',
    metavar: 'URL',
  },
  loadUrl: {
    type: 'string',
    env: 'ORRERY_LOAD_URL',
    help: 'upstream for /api/load (the demo sets it)',
    metavar: 'URL',
  },
  corsAllowOrigin: {
    type: 'list',
    env: 'ORRERY_CORS_ALLOW_ORIGIN',
    default: DEFAULT_CORS_ALLOW_ORIGINS.join(','),
    help: "origins besides the console's own that browsers may call the APIs and OTLP/HTTP from (repeatable, comma-separated; port '*' = any, '*' = every origin)",
    metavar: 'ORIGIN',
  },
  corsAllowHeader: {
    type: 'list',
    env: 'ORRERY_CORS_ALLOW_HEADER',
    help: 'request headers granted to OTLP/HTTP preflights besides Content-Type and Content-Encoding (repeatable)',
    metavar: 'HEADER',
  },
  forwardOtlp: {
    type: 'list',
    env: 'ORRERY_FORWARD_OTLP',
    help: 'also send every accepted batch to this OTLP endpoint (repeatable): http(s)://host:4318 (OTLP/HTTP, to /v1/traces etc.) or grpc(s)://host:4317',
    metavar: 'URL',
  },
  forwardProtocol: {
    type: 'string',
    env: 'ORRERY_FORWARD_PROTOCOL',
    help: 'http or grpc: overrides what the --forward-otlp scheme says (grpc with http:// = plain text, https:// = TLS)',
    metavar: 'PROTOCOL',
  },
  forwardHeader: {
    type: 'list',
    env: 'ORRERY_FORWARD_HEADER',
    help: 'header sent with every forwarded request, Name=value (repeatable; e.g. Authorization=Bearer TOKEN)',
    metavar: 'HEADER',
  },
  forwardCompression: {
    type: 'string',
    env: 'ORRERY_FORWARD_COMPRESSION',
    default: 'gzip',
    help: 'gzip or none',
    metavar: 'ALGORITHM',
  },
  forwardQueueSize: {
    type: 'int',
    env: 'ORRERY_FORWARD_QUEUE_SIZE',
    default: 1000,
    help: 'requests each forwarding queue holds per signal before senders get 503 (in memory, on disk with --data-dir)',
    metavar: 'N',
  },
  forwardMaxElapsed: {
    type: 'duration',
    env: 'ORRERY_FORWARD_MAX_ELAPSED',
    default: '5m',
    help: 'drop a forwarded request (counted in otelcol_exporter_send_failed_*) still answered HTTP 500 or gRPC INTERNAL/UNKNOWN this long after the first such answer; 0 = retry for ever (an upstream that is down is always retried)',
    metavar: 'DURATION',
  },
  localTraces: {
    type: 'bool',
    env: 'ORRERY_LOCAL_TRACES',
    default: true,
    help: 'keep traces in the local trace store (--no-local-traces: forward only; span metrics stay)',
  },
  remoteWrite: {
    type: 'string',
    env: 'ORRERY_REMOTE_WRITE',
    help: 'send every sample the TSDB keeps to this Prometheus remote-write 1.0 receiver, e.g. http://prometheus:9090/api/v1/write',
    metavar: 'URL',
  },
  remoteWriteHeader: {
    type: 'list',
    env: 'ORRERY_REMOTE_WRITE_HEADER',
    help: 'header sent with every remote-write request, Name=value (repeatable; e.g. X-Scope-OrgID=tenant1)',
    metavar: 'HEADER',
  },
  prometheusUrl: {
    type: 'string',
    env: 'ORRERY_PROMETHEUS_URL',
    help: 'read metrics from this Prometheus (HTTP API) instead of the embedded TSDB; user info in the URL = basic auth',
    metavar: 'URL',
  },
  prometheusBearerToken: {
    type: 'string',
    env: 'ORRERY_PROMETHEUS_BEARER_TOKEN',
    help: 'bearer token sent to --prometheus-url (prefer the environment variable: flags show in ps)',
    metavar: 'TOKEN',
  },
  jaegerUrl: {
    type: 'string',
    env: 'ORRERY_JAEGER_URL',
    help: 'read traces from this Jaeger query API instead of the embedded trace store; user info = basic auth',
    metavar: 'URL',
  },
  jaegerBearerToken: {
    type: 'string',
    env: 'ORRERY_JAEGER_BEARER_TOKEN',
    help: 'bearer token sent to --jaeger-url',
    metavar: 'TOKEN',
  },
} as const satisfies FlagSpecs;

/** The scale-out flags, checked before anything starts: a wrong URL or scheme is a usage error. */
function outboundConfig(f: ParsedFlags<typeof FLAGS>): OutboundConfig {
  const fail = (flag: string, e: unknown): never => {
    throw new UsageError(`--${flag}: ${e instanceof Error ? e.message : String(e)}`);
  };
  const protocol = f.forwardProtocol;
  if (protocol !== undefined && protocol !== 'http' && protocol !== 'grpc') {
    fail('forward-protocol', `"${protocol}" is not a protocol (http or grpc)`);
  }
  if (f.forwardCompression !== 'gzip' && f.forwardCompression !== 'none') {
    fail('forward-compression', `"${f.forwardCompression}" is not supported (gzip or none)`);
  }
  if (f.forwardQueueSize < 1) fail('forward-queue-size', 'must be at least 1');
  const targets = (f.forwardOtlp ?? []).map((url) => {
    try {
      return parseOtlpTarget(url, protocol as OtlpProtocol | undefined);
    } catch (e) {
      return fail('forward-otlp', e);
    }
  });
  let forwardHeaders: Record<string, string> = {};
  let remoteWriteHeaders: Record<string, string> = {};
  try {
    forwardHeaders = parseHeaders(f.forwardHeader ?? []);
  } catch (e) {
    fail('forward-header', e);
  }
  try {
    remoteWriteHeaders = parseHeaders(f.remoteWriteHeader ?? []);
  } catch (e) {
    fail('remote-write-header', e);
  }
  if (f.remoteWrite !== undefined) {
    try {
      parseRemoteWriteUrl(f.remoteWrite);
    } catch (e) {
      fail('remote-write', e);
    }
  }
  return {
    forwardOtlp: targets,
    forwardHeaders,
    forwardCompression: f.forwardCompression as 'gzip' | 'none',
    forwardQueue: { capacity: f.forwardQueueSize, backoff: { maxElapsedMs: f.forwardMaxElapsed } },
    ...(f.remoteWrite !== undefined ? { remoteWrite: { url: f.remoteWrite, headers: remoteWriteHeaders } } : {}),
  };
}

export function usage(): string {
  return `Usage: orrery serve [options]\n\nRuns the telemetry backend: OTLP in, trace and metric stores, query APIs and the console.\n\nOptions:\n${formatFlags(FLAGS)}\n`;
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  let outbound: OutboundConfig;
  let prometheus: Upstream | undefined;
  let jaeger: Upstream | undefined;
  try {
    parsed = parseArgs(argv, FLAGS);
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
    for (const o of parsed.flags.corsAllowOrigin) {
      try {
        parseOriginPattern(o);
      } catch (e) {
        throw new UsageError(`--cors-allow-origin: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    for (const h of parsed.flags.corsAllowHeader ?? []) {
      if (!isHeaderName(h)) throw new UsageError(`--cors-allow-header: "${h}" is not a header name`);
    }
    outbound = outboundConfig(parsed.flags);
    const fl = parsed.flags;
    try {
      if (fl.prometheusUrl !== undefined) {
        prometheus = parseUpstream('prometheus', '--prometheus-url', fl.prometheusUrl, fl.prometheusBearerToken);
      } else if (fl.prometheusBearerToken !== undefined) {
        throw new Error('--prometheus-bearer-token needs --prometheus-url');
      }
      if (fl.jaegerUrl !== undefined)
        jaeger = parseUpstream('jaeger', '--jaeger-url', fl.jaegerUrl, fl.jaegerBearerToken);
      else if (fl.jaegerBearerToken !== undefined) throw new Error('--jaeger-bearer-token needs --jaeger-url');
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e));
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`orrery serve: ${err.message}\n\n${usage()}`);
    return 2;
  }
  if (parsed.help) {
    console.log(usage());
    return 0;
  }
  const f = parsed.flags;
  if (f.spanMetricsInterval < 100) {
    console.error('orrery serve: --span-metrics-interval must be at least 100ms');
    return 2;
  }
  if (f.blockDuration < 1000) {
    console.error('orrery serve: --block-duration must be at least 1s');
    return 2;
  }
  if (f.tracePlainSegments !== undefined && f.tracePlainSegments < 0) {
    console.error('orrery serve: --trace-plain-segments must be 0 or more');
    return 2;
  }
  // The demo's upstreams: proxied even when unset, so a call says "no upstream configured" (502).
  const proxies = { '/api/flags': f.flagsUrl, '/api/load': f.loadUrl };

  // Loaded here, not at the top, so `--help` and usage errors stay instant.
  const { createBackend } = await import('../../server/backend.js');
  const backend = createBackend({
    host: f.host,
    port: f.port,
    otlpHttpPort: f.otlpHttpPort,
    otlpGrpcPort: f.otlpGrpcPort,
    dataDir: f.dataDir,
    walCheckpointBytes: f.walCheckpointSize,
    traceBudgetBytes: f.traceBudget,
    tracePlainSegments: f.tracePlainSegments,
    logBudgetBytes: f.logBudget,
    retentionMs: f.retention,
    retentionBytes: f.retentionSize,
    blockDurationMs: f.blockDuration,
    maxBodyBytes: f.maxBody,
    spanMetricsIntervalMs: f.spanMetricsInterval,
    memoryLimitBytes: f.memoryLimit,
    promoteResourceAttributes: f.promoteResourceAttributes
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== ''),
    proxies,
    corsAllowOrigins: f.corsAllowOrigin,
    corsAllowHeaders: f.corsAllowHeader,
    localTraces: f.localTraces,
    ...outbound,
    dataSources: { prometheus, jaeger },
  });
  let ports;
  try {
    ({ ports } = await backend.start());
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const hint =
      e.code === 'EADDRINUSE'
        ? ' (is another orrery running? choose other ports with --port, --otlp-http-port, --otlp-grpc-port)'
        : '';
    console.error(`orrery serve: cannot start: ${e.message}${hint}`);
    return 1;
  }
  const h = f.host.includes(':') ? `[${f.host}]` : f.host;
  console.log(`orrery: console and query APIs on http://${h}:${ports.api}/`);
  console.log(`orrery: OTLP/HTTP on http://${h}:${ports.otlpHttp}/v1/traces (metrics, logs)`);
  console.log(`orrery: OTLP/gRPC on ${h}:${ports.otlpGrpc}`);
  for (const t of outbound.forwardOtlp ?? []) console.log(`orrery: forwarding OTLP to ${t.display}`);
  if (outbound.remoteWrite) console.log(`orrery: remote write to ${outbound.remoteWrite.url}`);
  if (prometheus) console.log(`orrery: metrics queries answered by Prometheus at ${prometheus.displayUrl}`);
  if (jaeger) console.log(`orrery: trace queries answered by Jaeger at ${jaeger.displayUrl}`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        // A second signal: give up waiting.
        resolve(1);
        return;
      }
      stopping = true;
      console.log(`orrery: ${signal} received, shutting down`);
      backend.stop().then(
        () => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          console.log('orrery: stopped');
          // If a stray handle (a client's keep-alive socket) still holds the event loop, leave anyway.
          setTimeout(() => process.exit(0), 1500).unref();
          resolve(0);
        },
        (err: unknown) => {
          console.error(`orrery: error while stopping: ${err instanceof Error ? err.message : String(err)}`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
