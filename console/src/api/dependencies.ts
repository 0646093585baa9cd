// Jaeger's /api/dependencies: the calls between services seen in the traces of a time window.
import * as z from 'zod/mini';
import { requestJson } from './json.js';

const linkSchema = z.object({ parent: z.string(), child: z.string(), callCount: z.number() });
export type DependencyLink = z.output<typeof linkSchema>;

export async function fetchDependencies(endTsMs: number, lookbackMs: number, signal?: AbortSignal) {
  const qs = new URLSearchParams({ endTs: String(Math.floor(endTsMs)), lookback: String(Math.floor(lookbackMs)) });
  const body = await requestJson(`/api/dependencies?${qs.toString()}`, z.object({ data: z.array(linkSchema) }), {
    signal,
  });
  return body.data;
}
