// Which engine answers each signal (GET /api/orrery/v1/datasources): the embedded stores, or an
// external Prometheus / Jaeger the backend forwards the query APIs to.
import * as z from 'zod/mini';
import { requestJson } from './json.js';

const statusSchema = z.object({
  signal: z.enum(['metrics', 'traces']),
  engine: z.enum(['embedded', 'prometheus', 'jaeger']),
  url: z.optional(z.string()),
  healthy: z.boolean(),
  description: z.string(),
  error: z.optional(z.string()),
  checkedAtMs: z.number(),
});

export type DataSourceStatus = z.output<typeof statusSchema>;

const answerSchema = z.object({ data: z.array(statusSchema) });

export async function fetchDataSources(signal?: AbortSignal): Promise<DataSourceStatus[]> {
  return (await requestJson('/api/orrery/v1/datasources', answerSchema, { signal })).data;
}

/** "Metrics: Prometheus 2.42.0 at http://…" / "Traces: embedded" — one line of the status bar. */
export function describeDataSource(s: DataSourceStatus): string {
  const signal = s.signal === 'metrics' ? 'Metrics' : 'Traces';
  if (s.engine === 'embedded') return `${signal}: embedded`;
  return `${signal}: ${s.description} at ${s.url ?? '?'}${s.healthy ? '' : ` (unreachable: ${s.error ?? 'no answer'})`}`;
}
