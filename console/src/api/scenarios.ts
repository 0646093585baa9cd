// GET /api/scenarios: the guided scenarios' JSON files as the backend read them (validated by
// the console, like the dashboards).
import * as z from 'zod/mini';
import { requestJson } from './json.js';

const fileSchema = z.object({ file: z.string(), json: z.optional(z.unknown()), parseError: z.optional(z.string()) });

export type ScenarioFile = z.output<typeof fileSchema>;

export async function fetchScenarioFiles(signal?: AbortSignal): Promise<ScenarioFile[]> {
  return (await requestJson('/api/scenarios', z.object({ data: z.array(fileSchema) }), { signal })).data;
}
