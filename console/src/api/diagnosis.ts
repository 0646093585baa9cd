// A client of the backend's diagnosis API (/api/orrery/v1/compare and /api/orrery/v1/findings):
// the answers are checked with zod on arrival (they come from the network); a refusal (400)
// carries the server's message.
import * as z from 'zod/mini';
import { requestJson } from './json.js';

const categoryShare = z.object({
  /** null for the "(not set)" and "rare values" groups */
  value: z.nullable(z.string()),
  label: z.string(),
  selected: z.number(),
  baseline: z.number(),
  selectedShare: z.number(),
  baselineShare: z.number(),
});

const histogramBin = z.object({ from: z.number(), to: z.number(), selected: z.number(), baseline: z.number() });

const quantiles = z.object({
  p0: z.number(),
  p25: z.number(),
  p50: z.number(),
  p75: z.number(),
  p90: z.number(),
  p99: z.number(),
  p100: z.number(),
});

const base = { key: z.string(), score: z.number(), explanation: z.string() };

const attribute = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('categorical'), values: z.array(categoryShare) }),
  z.object({
    ...base,
    kind: z.literal('numeric'),
    values: z.array(histogramBin),
    quantiles: z.object({ selected: z.nullable(quantiles), baseline: z.nullable(quantiles) }),
  }),
]);

const comparison = z.object({
  selected: z.number(),
  baseline: z.number(),
  attributes: z.array(attribute),
  message: z.optional(z.string()),
});

const flagChange = z.object({ flag: z.string(), value: z.string(), at: z.number() });

const finding = z.object({
  service: z.string(),
  kind: z.string(),
  since: z.number(),
  summary: z.string(),
  slopeBytesPerMin: z.number(),
  restarts: z.number(),
  flagChanges: z.array(flagChange),
  compareUrl: z.string(),
  consoleUrl: z.string(),
});

export type CategoryShare = z.output<typeof categoryShare>;
export type HistogramBin = z.output<typeof histogramBin>;
export type Quantiles = z.output<typeof quantiles>;
export type AttributeComparison = z.output<typeof attribute>;
export type NumericComparison = Extract<AttributeComparison, { kind: 'numeric' }>;
export type CategoricalComparison = Extract<AttributeComparison, { kind: 'categorical' }>;
export type Comparison = z.output<typeof comparison>;
export type FlagChange = z.output<typeof flagChange>;
export type Finding = z.output<typeof finding>;

/** The comparison for the API's query parameters (service, window, tags and a selection). */
export function fetchComparison(params: URLSearchParams, signal?: AbortSignal): Promise<Comparison> {
  return requestJson(`/api/orrery/v1/compare?${params.toString()}`, z.object({ data: comparison }), { signal }).then(
    (a) => a.data,
  );
}

/** The findings of the last `lookback` (a Go duration such as 15m), before `endMs` when given (default now). */
export function fetchFindings(lookback: string, signal?: AbortSignal, endMs?: number): Promise<Finding[]> {
  const q = new URLSearchParams({ lookback });
  if (endMs !== undefined) q.set('end', String(Math.floor(endMs)));
  return requestJson(`/api/orrery/v1/findings?${q.toString()}`, z.object({ data: z.array(finding) }), {
    signal,
  }).then((a) => a.data);
}
