// A client of the backend's Loki API (/loki/api/v1): query_range for log lines and volume,
// labels and label values for completion. It asks for Loki 3's categorized labels (the header
// Grafana sends), so a line's stream labels, structured metadata and parsed labels arrive apart.
// Answers are checked with zod (they come from the network); Loki's errors are plain text and are
// shown in its own words.
import * as z from 'zod/mini';

export class LokiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'LokiError';
  }
}

const labelRecord = z.record(z.string(), z.string());

/** One entry: [ns timestamp text, line] or, categorized, with its metadata and parsed labels. */
const entry = z.union([
  z.tuple([z.string(), z.string()]),
  z.tuple([
    z.string(),
    z.string(),
    z.object({ structuredMetadata: z.optional(labelRecord), parsed: z.optional(labelRecord) }),
  ]),
]);

const streams = z.object({
  resultType: z.literal('streams'),
  result: z.array(z.object({ stream: labelRecord, values: z.array(entry) })),
});

const matrix = z.object({
  resultType: z.literal('matrix'),
  result: z.array(z.object({ metric: labelRecord, values: z.array(z.tuple([z.number(), z.string()])) })),
});

const rangeData = z.union([streams, matrix]);

export type LokiStreams = z.output<typeof streams>;
export type LokiMatrix = z.output<typeof matrix>;
export type LokiStreamEntry = LokiStreams['result'][number]['values'][number];

const envelope = z.object({ status: z.literal('success'), data: z.unknown() });

async function get<T extends z.ZodMiniType>(
  path: string,
  params: Record<string, string>,
  schema: T,
  signal?: AbortSignal,
): Promise<z.output<T>> {
  const res = await fetch(`/loki/api/v1/${path}?${new URLSearchParams(params).toString()}`, {
    headers: { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' },
    signal,
  });
  const text = await res.text();
  // Loki answers a bad query with a plain-text 400: that text is the message a user needs.
  if (!res.ok) throw new LokiError(text.trim() || `HTTP ${res.status}`, res.status);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new LokiError(`GET /loki/api/v1/${path}: HTTP ${res.status}, the answer is not JSON`, res.status);
  }
  const outer = envelope.safeParse(body);
  const parsed = outer.success ? schema.safeParse(outer.data.data) : outer;
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.map(String).join('.') || '(root)';
    throw new LokiError(`GET /loki/api/v1/${path}: unexpected answer at ${where}`, res.status);
  }
  return parsed.data as z.output<T>;
}

const nsText = (ms: number): string => `${Math.floor(ms)}000000`;

export interface RangeOptions {
  readonly limit?: number;
  readonly direction?: 'backward' | 'forward';
  /** for metric queries, in ms */
  readonly stepMs?: number;
}

/** A log query's streams, or a metric query's matrix, over [startMs, endMs]. */
export function queryRange(
  query: string,
  startMs: number,
  endMs: number,
  o: RangeOptions = {},
  signal?: AbortSignal,
): Promise<LokiStreams | LokiMatrix> {
  const params: Record<string, string> = { query, start: nsText(startMs), end: nsText(endMs) };
  if (o.limit !== undefined) params.limit = String(o.limit);
  if (o.direction) params.direction = o.direction;
  if (o.stepMs !== undefined) params.step = `${Math.max(1, Math.round(o.stepMs / 1000))}s`;
  return get('query_range', params, rangeData, signal);
}

export function labelNames(startMs: number, endMs: number, signal?: AbortSignal): Promise<string[]> {
  return get('labels', { start: nsText(startMs), end: nsText(endMs) }, z.array(z.string()), signal);
}

export function labelValues(
  name: string,
  startMs: number,
  endMs: number,
  query = '',
  signal?: AbortSignal,
): Promise<string[]> {
  const params: Record<string, string> = { start: nsText(startMs), end: nsText(endMs) };
  if (query !== '') params.query = query;
  return get(`label/${encodeURIComponent(name)}/values`, params, z.array(z.string()), signal);
}
