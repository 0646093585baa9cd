// The flag service's management API through the backend's /api/flags proxy (demo/flags/server.ts).
import * as z from 'zod/mini';
import { putJson, requestJson } from './json.js';

const flagSchema = z.object({
  key: z.string(),
  description: z._default(z.string(), ''),
  state: z.enum(['ENABLED', 'DISABLED']),
  variants: z.record(z.string(), z.unknown()),
  defaultVariant: z.string(),
  /** "on", "off", the probability of "on" (0..1), or the default variant's name */
  value: z.union([z.string(), z.number()]),
  customTargeting: z._default(z.boolean(), false),
});

export type Flag = z.output<typeof flagSchema>;
/** What a flag can be set to: a variant name or a probability of "on" */
export type FlagValue = string | number;

export function fetchFlags(signal?: AbortSignal): Promise<Flag[]> {
  return requestJson('/api/flags', z.array(flagSchema), { signal });
}

export function setFlag(key: string, value: FlagValue): Promise<Flag> {
  return putJson(`/api/flags/${encodeURIComponent(key)}`, { value }, flagSchema);
}
