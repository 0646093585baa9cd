// JSON over HTTP for the backend's own APIs (flags, load, dependencies): the answer is validated
// with a zod schema, because it comes from the network, and a failure says what went wrong in
// the server's own words when it sent any ({"error": "..."}).
import type * as z from 'zod/mini';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function errorOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  // the flag and load services say {"error": …}; the Orrery diagnosis API says {"message": …}
  const { error, message } = body as { error?: unknown; message?: unknown };
  return typeof error === 'string' ? error : typeof message === 'string' ? message : undefined;
}

export async function requestJson<S extends z.ZodMiniType>(
  url: string,
  schema: S,
  init: RequestInit = {},
): Promise<z.output<S>> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(`${init.method ?? 'GET'} ${url}: HTTP ${res.status}, the answer is not JSON`, res.status);
  }
  if (!res.ok) throw new ApiError(errorOf(body) ?? `${init.method ?? 'GET'} ${url}: HTTP ${res.status}`, res.status);
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.map(String).join('.') || '(root)';
    // zod/mini carries no message texts: say what was expected from the issue itself.
    const what = issue.code === 'invalid_type' ? `expected ${issue.expected}` : issue.code.replaceAll('_', ' ');
    throw new ApiError(`${url}: unexpected answer at ${where}: ${what}`, res.status);
  }
  return parsed.data;
}

export function putJson<S extends z.ZodMiniType>(url: string, body: unknown, schema: S, signal?: AbortSignal) {
  return requestJson(url, schema, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
}
