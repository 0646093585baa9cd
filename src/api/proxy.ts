// A small reverse proxy: requests under a path prefix (/api/flags*, /api/load*) are forwarded to
// an upstream URL (the demo's flag service and load generator), so the browser talks to one
// origin. Method, path, query, headers (minus hop-by-hop ones) and body stream through; an
// unreachable upstream gets 502 with a message, never a hang (connect timeout).
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Router } from './http.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

export interface ProxyRoute {
  /** path prefix on this server, e.g. '/api/flags' (matches '/api/flags' and '/api/flags/…') */
  readonly prefix: string;
  /** upstream base URL, e.g. 'http://127.0.0.1:8016'; the request path is appended unchanged */
  readonly target: string | (() => string | undefined);
}

export interface ProxyOptions {
  /** upstream response timeout; default 30 s */
  readonly timeoutMs?: number;
}

/** What one forwarded request adds: the upstream's credentials replace the caller's. */
export interface ForwardOptions {
  readonly timeoutMs?: number;
  /** headers set on the upstream request (e.g. Authorization for an external engine) */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The caller's credentials for this server are never passed on to an upstream. */
const CALLER_CREDENTIALS = ['cookie', 'authorization'];

function filterHeaders(h: IncomingMessage['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP_BY_HOP.has(k.toLowerCase())) out[k] = v;
  return out;
}

function fail(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: message });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** Forwards one request to base (an http:// or https:// URL). */
export function proxyRequest(
  base: string,
  req: IncomingMessage,
  res: ServerResponse,
  timeoutMsOrOptions: number | ForwardOptions = 30_000,
): void {
  const opts = typeof timeoutMsOrOptions === 'number' ? { timeoutMs: timeoutMsOrOptions } : timeoutMsOrOptions;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let upstream: URL;
  try {
    upstream = new URL(base);
  } catch {
    fail(res, 502, `proxy misconfigured: bad upstream URL ${base}`);
    return;
  }
  const basePath = upstream.pathname.replace(/\/$/, '');
  const headers = filterHeaders(req.headers);
  headers['x-forwarded-host'] = req.headers.host ?? '';
  if (opts.headers) {
    for (const h of CALLER_CREDENTIALS) delete headers[h];
    Object.assign(headers, opts.headers);
  }
  const send = upstream.protocol === 'https:' ? httpsRequest : httpRequest;
  const out = send(
    {
      protocol: upstream.protocol,
      hostname: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: basePath + (req.url ?? '/'),
      headers,
      timeout: timeoutMs,
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, filterHeaders(up.headers));
      up.pipe(res);
      up.on('error', () => res.destroy());
    },
  );
  out.on('timeout', () => out.destroy(new Error(`upstream ${base} timed out after ${timeoutMs} ms`)));
  out.on('error', (err) => fail(res, 502, `upstream ${base} unavailable: ${err.message}`));
  // A client that goes away mid-request should not leave the upstream request hanging.
  res.on('close', () => {
    if (!res.writableFinished) out.destroy();
  });
  req.pipe(out);
}

export function registerProxies(router: Router, routes: readonly ProxyRoute[], opts: ProxyOptions = {}): void {
  for (const r of routes) {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      const target = typeof r.target === 'function' ? r.target() : r.target;
      if (!target) {
        fail(res, 502, `no upstream configured for ${r.prefix} (is the demo running?)`);
        return;
      }
      proxyRequest(target, req, res, opts.timeoutMs);
    };
    router.raw('*', r.prefix, handler);
    router.raw('*', `${r.prefix}/*`, handler);
  }
}
