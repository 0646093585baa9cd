// HTTP for the shop's HTTP services (frontend, email, quote), one way: a route table over
// node:http (traced by instrumentation-http), JSON in and out, and errors that become a 4xx/5xx
// answer plus an error status on the server span — never a crashed process.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { listenHost } from './env.js';
import { errorMessage, log } from './log.js';

/** Thrown by a handler to answer with this status and message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface Reply {
  readonly status?: number;
  /** serialised as JSON */
  readonly json?: unknown;
  readonly html?: string;
  readonly text?: string;
}

export interface RequestInfo {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** path parameters by name (`:id` in the route) */
  readonly params: Readonly<Record<string, string>>;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE' | 'PUT';
  /** `/api/products/:id` style: segments starting with ':' capture one path segment */
  readonly path: string;
  readonly handler: (info: RequestInfo) => Promise<Reply> | Reply;
}

interface CompiledRoute extends Route {
  readonly segments: readonly string[];
}

function matchRoute(
  routes: readonly CompiledRoute[],
  pathname: string,
): { route: CompiledRoute; params: Record<string, string> }[] {
  const parts = pathname.split('/').filter((s) => s !== '');
  const found: { route: CompiledRoute; params: Record<string, string> }[] = [];
  outer: for (const route of routes) {
    if (route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) {
      const seg = route.segments[i]!;
      const part = parts[i]!;
      if (seg.startsWith(':')) {
        try {
          params[seg.slice(1)] = decodeURIComponent(part);
        } catch {
          continue outer;
        }
      } else if (seg !== part) continue outer;
    }
    found.push({ route, params });
  }
  return found;
}

/** Marks the active (server) span as failed: instrumentation-http leaves 4xx server spans unset. */
export function markSpanError(message: string, err?: unknown): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  if (err instanceof Error) span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

function send(res: ServerResponse, reply: Reply): void {
  const status = reply.status ?? 200;
  if (reply.html !== undefined) {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(reply.html);
  } else if (reply.text !== undefined) {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(reply.text);
  } else {
    const body = reply.json === undefined ? '' : JSON.stringify(reply.json);
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  }
}

/** One "request handled" record per request, in the server span's context (its trace and span IDs). */
function logHandled(req: IncomingMessage, route: string | undefined, status: number, startedMs: number): void {
  log(
    status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info',
    `${req.method ?? '?'} ${route ?? '(no route)'} handled: ${status}`,
    {
      'http.request.method': req.method,
      'http.route': route,
      'http.response.status_code': status,
      'app.duration_ms': Math.round((performance.now() - startedMs) * 10) / 10,
    },
    { stdout: false },
  );
}

async function handle(routes: readonly CompiledRoute[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const answer = (reply: Reply, route?: string): void => {
    send(res, reply);
    logHandled(req, route, reply.status ?? 200, started);
  };
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    markSpanError('malformed request URL');
    answer({ status: 400, json: { error: 'malformed request URL' } });
    return;
  }
  const matches = matchRoute(routes, url.pathname);
  const match = matches.find((m) => m.route.method === req.method);
  if (!match) {
    const status = matches.length > 0 ? 405 : 404;
    const message = status === 405 ? `${req.method} is not allowed on ${url.pathname}` : `no route for ${url.pathname}`;
    markSpanError(message);
    req.resume();
    answer({ status, json: { error: message } });
    return;
  }
  // The route template names the server span (`GET /api/products/:id`) and sets http.route.
  const rpc = getRPCMetadata(context.active());
  if (rpc?.type === RPCType.HTTP) rpc.route = match.route.path;
  const route = match.route.path;
  try {
    answer(await match.route.handler({ req, url, params: match.params }), route);
  } catch (err) {
    const status = err instanceof HttpError ? err.status : 500;
    const message = errorMessage(err);
    markSpanError(message, err);
    if (status >= 500)
      log('error', `${req.method} ${route} failed`, { 'http.response.status_code': status }, { exception: err });
    if (!res.headersSent) answer({ status, json: { error: message } }, route);
    else {
      res.destroy();
      logHandled(req, route, status, started);
    }
  }
}

export interface RunningHttpServer {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

export async function serveHttp(
  port: number,
  routes: readonly Route[],
  host = listenHost(),
): Promise<RunningHttpServer> {
  const compiled: CompiledRoute[] = routes.map((r) => ({ ...r, segments: r.path.split('/').filter((s) => s !== '') }));
  const server = createServer((req, res) => {
    handle(compiled, req, res).catch((err: unknown) => {
      log('error', 'request handling failed', {}, { exception: err });
      res.destroy();
    });
  });
  // keep-alive sockets from the load generator must not hold a stop forever
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const MAX_BODY = 64 * 1024;

/** The request body as JSON; a missing, oversized or malformed body is a 400/413. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new HttpError(413, `request body is over ${MAX_BODY} bytes`);
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'request body is empty: JSON expected');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

/** POSTs JSON with global fetch (traced by instrumentation-undici); non-2xx answers throw. */
export async function postJson(url: string, body: unknown, timeoutMs = 10_000): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok) throw new HttpError(res.status, `${url} answered ${res.status}: ${text.slice(0, 200)}`);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

// ---- small validators for JSON input: each throws a 400 naming the field ----

export function asObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HttpError(400, `${field} must be an object`);
  return value as Record<string, unknown>;
}

export function asString(value: unknown, field: string, { optional = false, max = 256 } = {}): string {
  if (value === undefined && optional) return '';
  if (typeof value !== 'string' || (!optional && value === ''))
    throw new HttpError(400, `${field} must be a non-empty string`);
  if (value.length > max) throw new HttpError(400, `${field} is longer than ${max} characters`);
  return value;
}

export function asInt(value: unknown, field: string, min: number, max: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new HttpError(400, `${field} must be an integer from ${min} to ${max}`);
  }
  return n;
}
