// A small HTTP router for the query side: pattern routes (':param' segments), query strings and
// urlencoded POST forms merged the way Prometheus reads them, bounded request bodies, JSON replies,
// a 500 (never a crash) when a handler throws, and the cross-site checks of origin-policy.ts
// (Host, Origin, JSON-only writes) before any handler or proxy sees a request.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiRequest, ApiResponse, Handler, RawHandler, RouteOptions, Router } from './http.js';
import { OriginPolicy } from './origin-policy.js';

interface RouteEntry {
  readonly method: string;
  readonly segments: readonly string[];
  /** true when the last segment is '*' (matches the rest of the path) */
  readonly prefix: boolean;
  readonly handler: { kind: 'api'; fn: Handler } | { kind: 'raw'; fn: RawHandler };
  readonly readOnly: boolean;
  readonly fallback: boolean;
}

export interface HttpAppOptions {
  /** largest accepted request body; default 16 MiB */
  readonly maxBodyBytes?: number;
  /** Host/Origin/content-type checks; default: loopback names, localhost origins */
  readonly originPolicy?: OriginPolicy;
}

export class HttpApp implements Router {
  private readonly routes: RouteEntry[] = [];
  private readonly maxBodyBytes: number;
  private readonly policy: OriginPolicy;

  constructor(opts: HttpAppOptions = {}) {
    this.maxBodyBytes = opts.maxBodyBytes ?? 16 * 1024 * 1024;
    this.policy = opts.originPolicy ?? new OriginPolicy();
  }

  route(method: string, pattern: string, handler: Handler, opts: RouteOptions = {}): void {
    this.add(method, pattern, { kind: 'api', fn: handler }, opts);
  }

  raw(method: string, pattern: string, handler: RawHandler, opts: RouteOptions = {}): void {
    this.add(method, pattern, { kind: 'raw', fn: handler }, opts);
  }

  private add(method: string, pattern: string, handler: RouteEntry['handler'], opts: RouteOptions): void {
    const segments = pattern.split('/').filter((s) => s !== '');
    const prefix = segments[segments.length - 1] === '*';
    this.routes.push({
      method: method.toUpperCase(),
      segments: prefix ? segments.slice(0, -1) : segments,
      prefix,
      handler,
      readOnly: opts.readOnly ?? false,
      fallback: opts.fallback ?? false,
    });
  }

  /** The request listener, usable with any node:http server. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    this.dispatch(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendApiResponse(res, { status: 500, body: { status: 'error', error: errorMessage(err) } });
      else res.destroy();
    });
  };

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const foreign = this.policy.checkCaller(req.headers);
    if (foreign) return refuse(req, res, foreign.status, foreign.message);
    const url = new URL(req.url ?? '/', 'http://localhost');
    let pathSegments: string[];
    try {
      pathSegments = url.pathname
        .split('/')
        .filter((s) => s !== '')
        .map((s) => decodeURIComponent(s));
    } catch {
      sendApiResponse(res, { status: 400, body: { status: 'error', error: 'malformed URL path' } });
      return;
    }
    let pathMatched = false;
    let chosen: { route: RouteEntry; params: Record<string, string> } | undefined;
    for (const route of this.routes) {
      if (route.fallback) continue;
      const params = matchSegments(route, pathSegments);
      if (!params) continue;
      pathMatched = true;
      if (!methodMatches(route, method)) continue;
      chosen = { route, params };
      break;
    }
    if (!pathMatched) {
      for (const route of this.routes) {
        if (!route.fallback || !methodMatches(route, method)) continue;
        const params = matchSegments(route, pathSegments);
        if (params && (!chosen || route.segments.length > chosen.route.segments.length)) chosen = { route, params };
      }
    }
    if (chosen) {
      const { route, params } = chosen;
      const badWrite = route.readOnly ? undefined : this.policy.checkWrite(method, req.headers);
      if (badWrite) return refuse(req, res, badWrite.status, badWrite.message);
      if (route.handler.kind === 'raw') {
        route.handler.fn(req, res, params);
        return;
      }
      const body = await readBody(req, this.maxBodyBytes);
      if (body === undefined) {
        sendApiResponse(res, {
          status: 413,
          body: { status: 'error', error: `request body exceeds ${this.maxBodyBytes} bytes` },
        });
        return;
      }
      const query = new URLSearchParams(url.search);
      const contentType = String(req.headers['content-type'] ?? '');
      if (method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded')) {
        for (const [k, v] of new URLSearchParams(body.toString('utf8'))) query.append(k, v);
      }
      const apiReq: ApiRequest = { method, path: url.pathname, params, query, headers: req.headers, body };
      const reply = await route.handler.fn(apiReq);
      sendApiResponse(res, reply, method === 'HEAD');
      return;
    }
    sendApiResponse(res, {
      status: pathMatched ? 405 : 404,
      body: { status: 'error', error: pathMatched ? `method ${method} not allowed` : `no route for ${url.pathname}` },
    });
  }

  /** Starts a server on host:port (0 = ephemeral) and resolves with the bound port. */
  listen(host: string, port: number): Promise<{ server: Server; port: number }> {
    const server = createServer(this.listener);
    server.keepAliveTimeout = 5_000;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve({ server, port: (server.address() as AddressInfo).port });
      });
    });
  }
}

/** Answers a refused request without reading its body, and closes the connection (the body may still be coming). */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
  sendApiResponse(res, { status, headers: { connection: 'close' }, body: { status: 'error', error: message } });
  req.resume();
}

function methodMatches(route: RouteEntry, method: string): boolean {
  return route.method === '*' || route.method === method || (route.method === 'GET' && method === 'HEAD');
}

function matchSegments(route: RouteEntry, path: readonly string[]): Record<string, string> | undefined {
  if (route.prefix ? path.length < route.segments.length : path.length !== route.segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const seg = route.segments[i]!;
    if (seg.startsWith(':')) params[seg.slice(1)] = path[i]!;
    else if (seg !== path[i]) return undefined;
  }
  if (route.prefix) params['*'] = path.slice(route.segments.length).join('/');
  return params;
}

/** Reads the whole body, or resolves undefined (and stops reading) once it exceeds the limit. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

export function sendApiResponse(res: ServerResponse, reply: ApiResponse, headOnly = false): void {
  let payload: Buffer | string;
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  if (typeof reply.body === 'string' || Buffer.isBuffer(reply.body)) {
    payload = reply.body;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else if (reply.body === undefined) {
    payload = '';
  } else {
    payload = JSON.stringify(reply.body);
    headers['content-type'] ??= 'application/json';
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(headOnly ? undefined : payload);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
