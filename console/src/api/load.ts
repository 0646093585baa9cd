// The load generator's control API through the backend's /api/load proxy (demo/loadgen/server.ts).
import * as z from 'zod/mini';
import { putJson, requestJson } from './json.js';

const endpointSchema = z.object({
  name: z.string(),
  method: z.string(),
  requests: z.number(),
  failures: z.number(),
  rps: z.number(),
  failuresPerSec: z.number(),
  avg: z.number(),
  min: z.number(),
  max: z.number(),
  p50: z.number(),
  p95: z.number(),
  p99: z.number(),
});

const snapshotSchema = z.object({
  running: z.boolean(),
  users: z.number(),
  targetUsers: z.number(),
  spawnRate: z.number(),
  stats: z.array(endpointSchema),
  totals: endpointSchema,
  errors: z.array(z.object({ method: z.string(), name: z.string(), error: z.string(), occurrences: z.number() })),
});

export type EndpointStats = z.output<typeof endpointSchema>;
export type LoadSnapshot = z.output<typeof snapshotSchema>;
export interface LoadUpdate {
  readonly users?: number;
  readonly spawnRate?: number;
  readonly running?: boolean;
}

export function fetchLoad(signal?: AbortSignal): Promise<LoadSnapshot> {
  return requestJson('/api/load', snapshotSchema, { signal });
}

export function updateLoad(update: LoadUpdate): Promise<LoadSnapshot> {
  return putJson('/api/load', update, snapshotSchema);
}

export function resetLoadStats(): Promise<LoadSnapshot> {
  return requestJson('/api/load/stats', snapshotSchema, { method: 'DELETE' });
}
