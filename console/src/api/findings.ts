// A client of GET /api/orrery/v1/findings: the memory, restart, latency and error findings of a
// window, checked on arrival (they come from the network) and drawn as chart markers.
import * as z from 'zod/mini';
import { requestJson } from './json.js';

const findingSchema = z.object({
  service: z.string(),
  kind: z.string(),
  since: z.number(),
  summary: z.string(),
  restarts: z._default(z.number(), 0),
  flagChanges: z._default(z.array(z.object({ flag: z.string(), value: z.string(), at: z.number() })), []),
  compareUrl: z.string(),
  consoleUrl: z.string(),
});

export type Finding = z.output<typeof findingSchema>;

/** The findings API takes a lookback between 1m and 24h before `end` (ms). */
export function findingsParams(fromMs: number, toMs: number): URLSearchParams {
  const lookbackS = Math.min(24 * 3600, Math.max(60, Math.ceil((toMs - fromMs) / 1000)));
  return new URLSearchParams({ lookback: `${lookbackS}s`, end: String(Math.floor(toMs)) });
}

export async function fetchFindings(fromMs: number, toMs: number, signal?: AbortSignal): Promise<Finding[]> {
  const body = await requestJson(
    `/api/orrery/v1/findings?${findingsParams(fromMs, toMs).toString()}`,
    z.object({ data: z.array(findingSchema) }),
    { signal },
  );
  return body.data;
}
