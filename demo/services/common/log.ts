// The shop's logging, one call for both channels: an OpenTelemetry log record (severity, message,
// attributes, and the trace and span IDs of the active span, which the SDK takes from the active
// context) through the global logger provider that demo/telemetry sets up, and, for lifecycle
// lines and errors, one JSON line on stdout, which the supervisor shows and keeps as a child's
// last words. Per-request records (request handled, cache lookups, flag evaluations) skip stdout.
import { trace } from '@opentelemetry/api';
import {
  logs,
  SeverityNumber,
  type AnyValue,
  type AnyValueMap,
  type Logger,
  type LoggerProvider,
} from '@opentelemetry/api-logs';
import { serviceName } from './env.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface LogOptions {
  /** also write the JSON line to stdout; default true */
  readonly stdout?: boolean;
  /** an error whose type, message and stack become the exception.* attributes */
  readonly exception?: unknown;
  /** the record's event name (OpenTelemetry events), e.g. feature_flag.evaluation */
  readonly eventName?: string;
}

const SEVERITY: Readonly<Record<LogLevel, { readonly number: SeverityNumber; readonly text: string }>> = {
  debug: { number: SeverityNumber.DEBUG, text: 'DEBUG' },
  info: { number: SeverityNumber.INFO, text: 'INFO' },
  warn: { number: SeverityNumber.WARN, text: 'WARN' },
  error: { number: SeverityNumber.ERROR, text: 'ERROR' },
};

export function severityOf(level: LogLevel): { readonly number: SeverityNumber; readonly text: string } {
  return SEVERITY[level];
}

/**
 * A field as a log attribute value: primitives and arrays of them as they are, an Error as its
 * message, anything else as JSON text (a nested object would otherwise reach Loki's structured
 * metadata as a map it cannot filter on). undefined and null drop the field.
 */
function attributeValue(value: unknown): AnyValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return value.message;
  if (Array.isArray(value) && value.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
    return value as AnyValue;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function toLogAttributes(fields: LogFields): AnyValueMap {
  const out: AnyValueMap = {};
  for (const [key, value] of Object.entries(fields)) {
    const v = attributeValue(value);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/**
 * The semantic conventions' exception attributes. Set here rather than through the SDK's
 * `exception` field, which names the type after a numeric `code` (a gRPC error would say "14").
 */
export function exceptionAttributes(err: unknown): AnyValueMap {
  if (err instanceof Error) {
    const out: AnyValueMap = { 'exception.type': err.name || err.constructor.name, 'exception.message': err.message };
    if (err.stack) out['exception.stacktrace'] = err.stack;
    return out;
  }
  return { 'exception.message': String(err) };
}

// The API asks callers to reuse a Logger on hot paths; it is taken again only when the global
// provider changes (tests swap it).
let cached: { provider: LoggerProvider; logger: Logger } | undefined;
function logger(): Logger {
  const provider = logs.getLoggerProvider();
  if (cached?.provider !== provider) cached = { provider, logger: provider.getLogger(serviceName()) };
  return cached.logger;
}

/** Sends what the batch processor holds, before a deliberate exit; bounded by `timeoutMs`. */
export async function flushLogs(timeoutMs = 2000): Promise<void> {
  const provider = logs.getLoggerProvider() as Partial<{ forceFlush(): Promise<void> }>;
  if (typeof provider.forceFlush !== 'function') return;
  await Promise.race([
    provider.forceFlush().catch(() => undefined),
    new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
  ]);
}

export function log(level: LogLevel, msg: string, fields: LogFields = {}, opts: LogOptions = {}): void {
  const severity = SEVERITY[level];
  logger().emit({
    severityNumber: severity.number,
    severityText: severity.text,
    body: msg,
    attributes:
      opts.exception === undefined
        ? toLogAttributes(fields)
        : { ...toLogAttributes(fields), ...exceptionAttributes(opts.exception) },
    ...(opts.eventName === undefined ? {} : { eventName: opts.eventName }),
  });
  if (opts.stdout === false) return;
  const ctx = trace.getActiveSpan()?.spanContext();
  const line: Record<string, unknown> = {
    time: new Date().toISOString(),
    level,
    service: serviceName(),
    msg,
    ...fields,
  };
  if (opts.exception !== undefined) line.error = errorMessage(opts.exception);
  if (ctx) {
    line.trace_id = ctx.traceId;
    line.span_id = ctx.spanId;
  }
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
