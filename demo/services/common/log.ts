// One JSON line per event on stdout, with the active trace and span IDs, so a log line found in
// the supervisor's output leads to its trace.
import { trace } from '@opentelemetry/api';
import { serviceName } from './env.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export function log(level: LogLevel, msg: string, fields: Readonly<Record<string, unknown>> = {}): void {
  const ctx = trace.getActiveSpan()?.spanContext();
  const line: Record<string, unknown> = {
    time: new Date().toISOString(),
    level,
    service: serviceName(),
    msg,
    ...fields,
  };
  if (ctx) {
    line.trace_id = ctx.traceId;
    line.span_id = ctx.spanId;
  }
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
