// A client of the backend's Jaeger query API (/api/services, /api/traces, …): Jaeger's JSON model,
// checked with zod on arrival (it comes from the network), and its error envelope as errors.
import * as z from 'zod/mini';

/** A list that Jaeger may also send as null or leave out: always an array after parsing. */
const list = <T extends z.ZodMiniType>(item: T) =>
  z.pipe(
    z.nullish(z.array(item)),
    z.transform((v): z.output<T>[] => v ?? []),
  );

const keyValue = z.object({
  key: z.string(),
  type: z.string(),
  // int64 may come as a string (beyond 2^53), as Jaeger's own JSON writes them
  value: z.union([z.string(), z.number(), z.boolean()]),
});

const span = z.object({
  traceID: z.string(),
  spanID: z.string(),
  flags: z.optional(z.number()),
  operationName: z.string(),
  references: list(z.object({ refType: z.string(), traceID: z.string(), spanID: z.string() })),
  startTime: z.number(),
  duration: z.number(),
  tags: list(keyValue),
  logs: list(z.object({ timestamp: z.number(), fields: z.array(keyValue) })),
  processID: z.string(),
  warnings: z.nullish(z.array(z.string())),
});

const trace = z.object({
  traceID: z.string(),
  spans: z.array(span),
  processes: z.record(z.string(), z.object({ serviceName: z.string(), tags: z.nullish(z.array(keyValue)) })),
  warnings: z.nullish(z.array(z.string())),
});

export type JaegerKeyValue = z.output<typeof keyValue>;
export type JaegerSpan = z.output<typeof span>;
export type JaegerTrace = z.output<typeof trace>;
export type JaegerLog = JaegerSpan['logs'][number];
export type JaegerProcess = JaegerTrace['processes'][string];

const envelope = z.object({
  data: z.unknown(),
  errors: z.nullish(
    z.array(z.object({ code: z.optional(z.number()), msg: z.string(), traceID: z.optional(z.string()) })),
  ),
});

/** The backend said no: its message as Jaeger words it, and the HTTP status. */
export class JaegerApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'JaegerApiError';
  }
}

async function call<S extends z.ZodMiniType>(path: string, data: S, signal?: AbortSignal): Promise<z.output<S>> {
  const res = await fetch(path, { signal });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new JaegerApiError(`${path.split('?')[0]}: HTTP ${res.status}, not JSON`, res.status);
  }
  const env = envelope.safeParse(body);
  if (!env.success) throw new JaegerApiError(`${path.split('?')[0]}: unexpected answer`, res.status);
  if (!res.ok) {
    const msg = env.data.errors?.[0]?.msg ?? `HTTP ${res.status}`;
    throw new JaegerApiError(msg, res.status);
  }
  const parsed = data.safeParse(env.data.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = ['data', ...issue.path.map(String)].join('.');
    const what = issue.code === 'invalid_type' ? `expected ${issue.expected}` : issue.code.replaceAll('_', ' ');
    throw new JaegerApiError(`${path.split('?')[0]}: unexpected answer at ${where}: ${what}`, res.status);
  }
  return parsed.data;
}

const names = list(z.string());

export function fetchServices(signal?: AbortSignal): Promise<string[]> {
  return call('/api/services', names, signal);
}

export function fetchOperations(service: string, signal?: AbortSignal): Promise<string[]> {
  return call(`/api/services/${encodeURIComponent(service)}/operations`, names, signal);
}

export function searchTraces(params: URLSearchParams, signal?: AbortSignal): Promise<JaegerTrace[]> {
  return call(`/api/traces?${params.toString()}`, list(trace), signal);
}

/** One trace, or null when the backend does not have it (404) or the ID is malformed (400). */
export async function fetchTrace(id: string, signal?: AbortSignal): Promise<JaegerTrace | null> {
  try {
    const list = await call(`/api/traces/${encodeURIComponent(id)}`, z.array(trace), signal);
    return list[0] ?? null;
  } catch (e) {
    if (e instanceof JaegerApiError && (e.status === 404 || e.status === 400)) return null;
    throw e;
  }
}
