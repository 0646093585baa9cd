// The HTTP door of the query side. Each API module (Prometheus, Jaeger, health, proxies)
// registers routes on a Router; the server composes them. Handlers get the parsed request and
// return a response: they translate between HTTP and readers/engines, never compute themselves.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface ApiRequest {
  readonly method: string;
  /** path without the query string, already percent-decoded per segment by the router */
  readonly path: string;
  /** path parameters, e.g. {traceID} */
  readonly params: Readonly<Record<string, string>>;
  /** query string and, for POST application/x-www-form-urlencoded, the form body merged in */
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  /** raw body (empty for GET) */
  readonly body: Buffer;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** string or Buffer is sent as is; anything else is JSON-encoded */
  readonly body?: unknown;
}

export type Handler = (req: ApiRequest) => ApiResponse | Promise<ApiResponse>;

/** A raw handler for what does not fit request/response (static files, proxies, streaming). */
export type RawHandler = (req: IncomingMessage, res: ServerResponse, params: Readonly<Record<string, string>>) => void;

export interface RouteOptions {
  /**
   * The route only reads, whatever its method (Prometheus's POST queries with form bodies), so it
   * is exempt from the JSON-only rule for writes (see origin-policy.ts).
   */
  readonly readOnly?: boolean;
  /**
   * The route answers only paths that no other route's pattern matches (the console's files, the
   * error envelope of an API's unknown paths); of several, the longest pattern wins.
   */
  readonly fallback?: boolean;
}

export interface Router {
  /** pattern like '/api/traces/:traceID'; method '*' matches any */
  route(method: string, pattern: string, handler: Handler, opts?: RouteOptions): void;
  raw(method: string, pattern: string, handler: RawHandler, opts?: RouteOptions): void;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): ApiResponse {
  return { status, body, headers };
}
