// The logs half of the shop's telemetry: one LoggerProvider with a batch processor and the
// OTLP/protobuf exporter, as lean as the trace set-up beside it (no console exporter, no extra
// processors). The supervisor builds one too, for its own restart and out-of-memory records.
import { logs } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';

export interface LogsOptions {
  /** OTLP/HTTP base URL, e.g. http://127.0.0.1:4318 (the exporter posts to <base>/v1/logs) */
  readonly otlpBase: string;
  /** where records go instead of OTLP (tests) */
  readonly exporter?: LogRecordExporter;
  /** make this provider the global one, so `logs.getLogger()` anywhere in the process uses it */
  readonly global?: boolean;
}

// A record's body and attributes are bounded so one runaway message (a huge error text, a stack
// of a deep recursion) cannot make a batch too large for the backend to take.
const LIMITS = { attributeCountLimit: 64, attributeValueLengthLimit: 8192 } as const;

export function createLoggerProvider(resource: Resource, o: LogsOptions): LoggerProvider {
  const exporter = o.exporter ?? new OTLPLogExporter({ url: `${o.otlpBase}/v1/logs` });
  const provider = new LoggerProvider({
    resource,
    logRecordLimits: LIMITS,
    // one export a second at most, as the span processor: the demo's few records/s fit one batch
    processors: [new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 1000 })],
  });
  if (o.global) logs.setGlobalLoggerProvider(provider);
  return provider;
}

/** The supervisor's own records (exits, restarts, out-of-memory deaths), as service "supervisor". */
export function createSupervisorLoggerProvider(otlpBase: string, namespace = 'opentelemetry-demo'): LoggerProvider {
  const resource = defaultResource().merge(
    resourceFromAttributes({ 'service.name': 'supervisor', 'service.namespace': namespace }),
  );
  return createLoggerProvider(resource, { otlpBase });
}
