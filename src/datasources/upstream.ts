// An external engine Orrery reads from instead of its embedded store (`--prometheus-url`,
// `--jaeger-url`): where it is, how to authenticate, and one JSON call with a deadline. The
// credentials never leave this object except as the Authorization header sent upstream: the
// URL shown to users (status line, logs) has them removed.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export type EngineKind = 'prometheus' | 'jaeger';

export interface UpstreamAuth {
  /** basic auth from the URL's user info, or a bearer token from its own flag */
  readonly kind: 'basic' | 'bearer';
  readonly header: string;
}

export class UpstreamError extends Error {
  constructor(
    message: string,
    /** the upstream's HTTP status, when it answered */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export interface UpstreamAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** The largest answer read from an engine by Orrery itself (proxied answers stream unbounded). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

export class Upstream {
  /** base URL without credentials, no trailing slash: what is shown and logged */
  readonly displayUrl: string;
  private readonly base: URL;

  constructor(
    readonly kind: EngineKind,
    url: string,
    readonly auth: UpstreamAuth | undefined,
  ) {
    this.base = new URL(url);
    const shown = new URL(url);
    shown.username = '';
    shown.password = '';
    this.displayUrl = shown.toString().replace(/\/$/, '');
  }

  get protocol(): string {
    return this.base.protocol;
  }

  /** The full upstream URL of a path (with its query) on this server, e.g. '/api/v1/query?x=1'. */
  urlOf(pathAndQuery: string): URL {
    const target = new URL(this.base.toString());
    target.username = '';
    target.password = '';
    const q = pathAndQuery.indexOf('?');
    const path = q < 0 ? pathAndQuery : pathAndQuery.slice(0, q);
    target.pathname = this.base.pathname.replace(/\/$/, '') + path;
    target.search = q < 0 ? '' : pathAndQuery.slice(q);
    return target;
  }

  /** Headers to add to every request sent upstream. */
  authHeaders(): Record<string, string> {
    return this.auth ? { authorization: this.auth.header } : {};
  }

  /** One request to the engine; rejects with UpstreamError when it cannot be reached or times out. */
  request(
    method: 'GET' | 'POST',
    pathAndQuery: string,
    opts: { body?: string; contentType?: string; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<UpstreamAnswer> {
    const target = this.urlOf(pathAndQuery);
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { accept: 'application/json', ...this.authHeaders() };
      if (opts.body !== undefined) {
        headers['content-type'] = opts.contentType ?? 'application/x-www-form-urlencoded';
        headers['content-length'] = String(Buffer.byteLength(opts.body));
      }
      const req = send(target, { method, headers, timeout: timeoutMs, signal: opts.signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER_BYTES) {
            req.destroy(new UpstreamError(`${this.displayUrl} answered more than ${MAX_ANSWER_BYTES} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', (err) => reject(this.wrap(err)));
      });
      req.on('timeout', () => req.destroy(new UpstreamError(`${this.displayUrl} did not answer in ${timeoutMs} ms`)));
      req.on('error', (err) => reject(this.wrap(err)));
      req.end(opts.body);
    });
  }

  /** GET or POST and parse JSON; a body that is not JSON is an UpstreamError saying what came back. */
  async json(
    method: 'GET' | 'POST',
    pathAndQuery: string,
    opts: { body?: string; timeoutMs?: number; signal?: AbortSignal; parse?: (text: string) => unknown } = {},
  ): Promise<{ status: number; body: unknown }> {
    const answer = await this.request(method, pathAndQuery, opts);
    try {
      const text = answer.body.toString('utf8');
      return { status: answer.status, body: opts.parse ? opts.parse(text) : (JSON.parse(text) as unknown) };
    } catch {
      throw new UpstreamError(`${this.displayUrl} answered ${describeBody(answer)}, not JSON`, answer.status);
    }
  }

  private wrap(err: Error): UpstreamError {
    if (err instanceof UpstreamError) return err;
    return new UpstreamError(`${this.kind} at ${this.displayUrl} unavailable: ${err.message}`);
  }
}

/** "HTTP 200 text/html: <!doctype html><title>…" — the start of an unexpected answer, for error messages. */
export function describeBody(answer: UpstreamAnswer): string {
  const type = String(answer.headers['content-type'] ?? 'without a content type').split(';')[0];
  const text = answer.body.subarray(0, 200).toString('utf8').replace(/\s+/g, ' ').trim();
  return `HTTP ${answer.status} ${type}${text ? `: ${text}${answer.body.length > 200 ? '…' : ''}` : ' (empty)'}`;
}

/**
 * Reads `--prometheus-url URL` / `--jaeger-url URL` (user info in the URL = basic auth) and an
 * optional bearer token. Throws an Error whose message names the flag when the URL cannot be used.
 */
export function parseUpstream(kind: EngineKind, flag: string, url: string, bearerToken?: string): Upstream {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(
      `${flag}: not a URL: ${JSON.stringify(url)} (expected e.g. http://127.0.0.1:${kind === 'prometheus' ? 9090 : 16686})`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`${flag}: scheme ${parsed.protocol} is not supported (use http:// or https://)`);
  }
  if (parsed.search || parsed.hash) throw new Error(`${flag}: the URL must not carry a query or fragment: ${url}`);
  const hasUser = parsed.username !== '' || parsed.password !== '';
  if (hasUser && bearerToken)
    throw new Error(`${flag}: give either user info in the URL (basic auth) or a bearer token, not both`);
  let auth: UpstreamAuth | undefined;
  if (hasUser) {
    const user = decodeURIComponent(parsed.username);
    const pass = decodeURIComponent(parsed.password);
    auth = { kind: 'basic', header: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
  } else if (bearerToken) {
    if (/[\r\n]/.test(bearerToken)) throw new Error(`${flag}: the bearer token contains a line break`);
    auth = { kind: 'bearer', header: `Bearer ${bearerToken}` };
  }
  return new Upstream(kind, url, auth);
}
