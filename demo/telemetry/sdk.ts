// The one OpenTelemetry setup every shop service shares, built by hand from the SDK's parts:
// NodeSDK and the resource detectors would load more modules (memory, start-up time) for data the
// demo does not need. Traces, metrics and logs share one resource. Configuration comes from the standard OTEL_* environment variables, so a
// service can be pointed at any OTLP/HTTP backend.
import { metrics, type TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HostMetricsInstrumentation } from '@opentelemetry/instrumentation-host-metrics';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface Telemetry {
  readonly tracerProvider: NodeTracerProvider;
  readonly meterProvider: MeterProvider;
  /** undefined when OTEL_LOGS_EXPORTER=none */
  readonly loggerProvider: LoggerProvider | undefined;
  /** flush and stop the three providers; bounded so a dead backend cannot hold up an exit */
  shutdown(timeoutMs?: number): Promise<void>;
}

/** Parses OTEL_RESOURCE_ATTRIBUTES (`k=v,k2=v2`, values may be percent-encoded, as the spec allows). */
export function parseResourceAttributes(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const pair of raw.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep the raw text: a stray '%' is not worth dropping the attribute for
    }
    if (key) out[key] = value;
  }
  return out;
}

/** service.name and the OTEL_RESOURCE_ATTRIBUTES over the SDK's telemetry.sdk.* attributes. */
export function buildResource(env: NodeJS.ProcessEnv = process.env): Resource {
  const attrs: Record<string, string> = parseResourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES);
  // OTEL_SERVICE_NAME wins over a service.name inside OTEL_RESOURCE_ATTRIBUTES (spec rule)
  attrs[ATTR_SERVICE_NAME] = env.OTEL_SERVICE_NAME || attrs[ATTR_SERVICE_NAME] || 'unknown_service:node';
  return defaultResource().merge(resourceFromAttributes(attrs));
}

export function otlpBase(env: NodeJS.ProcessEnv): string {
  return (env.OTEL_EXPORTER_OTLP_ENDPOINT || 'http://localhost:4318').replace(/\/+$/, '');
}

function exportInterval(env: NodeJS.ProcessEnv): number {
  const n = Number(env.OTEL_METRIC_EXPORT_INTERVAL);
  return Number.isFinite(n) && n > 0 ? n : 10_000;
}

/**
 * OTEL_LOGS_EXPORTER, as the SDK environment spec reads it: "none" turns logs off; the default
 * and any other value export over OTLP (the only exporter set up here).
 */
export function logsEnabled(env: NodeJS.ProcessEnv): boolean {
  const value = (env.OTEL_LOGS_EXPORTER ?? '').trim().toLowerCase();
  return value !== 'none';
}

let started: Promise<Telemetry> | undefined;

/** Async only for the logs SDK, loaded when logs are on, so OTEL_LOGS_EXPORTER=none saves its memory. */
export function startTelemetry(env: NodeJS.ProcessEnv = process.env): Promise<Telemetry> {
  started ??= start(env);
  return started;
}

async function start(env: NodeJS.ProcessEnv): Promise<Telemetry> {
  const resource = buildResource(env);
  const base = otlpBase(env);

  const tracerProvider = new NodeTracerProvider({
    resource,
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces` }), { scheduledDelayMillis: 1000 }),
    ],
  });
  const propagator: TextMapPropagator = new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
  });
  tracerProvider.register({ propagator });

  const interval = exportInterval(env);
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        // the proto exporter's default temporality is cumulative, which is what the backend expects
        exporter: new OTLPMetricExporter({ url: `${base}/v1/metrics` }),
        exportIntervalMillis: interval,
        exportTimeoutMillis: Math.min(interval, 5000),
      }),
    ],
  });
  metrics.setGlobalMeterProvider(meterProvider);
  // demo/services/common/log.ts emits through the global logger provider
  const loggerProvider = logsEnabled(env)
    ? (await import('./logs.js')).createLoggerProvider(resource, { otlpBase: base, global: true })
    : undefined;

  registerInstrumentations({
    tracerProvider,
    meterProvider,
    instrumentations: [
      new HttpInstrumentation(),
      new GrpcInstrumentation(),
      // global fetch (the OFREP flag client, HTTP calls between services) goes through undici
      new UndiciInstrumentation(),
      // the network group shells out on every collection and stalls the event loop: leave it out
      new HostMetricsInstrumentation({
        metricGroups: ['process.cpu', 'process.memory', 'system.cpu', 'system.memory'],
      }),
      new RuntimeNodeInstrumentation({ monitoringPrecision: 100 }),
    ],
  });

  let stopping: Promise<void> | undefined;
  const shutdown = (timeoutMs = 3000): Promise<void> => {
    stopping ??= Promise.race([
      Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown(), loggerProvider?.shutdown()]).then(
        () => undefined,
      ),
      new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
    return stopping;
  };
  // The supervisor stops services with SIGTERM: flush what is buffered, then exit.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void shutdown().finally(() => process.exit(0));
    });
  }

  return { tracerProvider, meterProvider, loggerProvider, shutdown };
}
