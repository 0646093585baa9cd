// Cross-site safety for every HTTP listener a browser can reach (the query/console port and
// OTLP/HTTP). A web page the user visits can send simple requests (text/plain or form bodies, no
// preflight) to 127.0.0.1, and DNS rebinding can even make it same-origin; so:
//   - the Host header must name this machine (a loopback name or the configured --host): a
//     rebinding attack always carries the attacker's own domain there (421 otherwise);
//   - a request carrying an Origin must come from the console's own origin or an allowed one
//     (--cors-allow-origin, default localhost ports) (403 otherwise);
//   - state-changing requests must say Content-Type: application/json, which no page can send
//     cross-site without a preflight that is never granted here (415 otherwise);
//   - OTLP/HTTP preflights are granted to allowed origins only, for the headers OTLP needs.
import { networkInterfaces, hostname as osHostname } from 'node:os';
import type { IncomingHttpHeaders } from 'node:http';

/** Origins allowed by default besides the console's own: any port of the loopback names. */
export const DEFAULT_CORS_ALLOW_ORIGINS: readonly string[] = [
  'http://localhost:*',
  'http://127.0.0.1:*',
  'http://[::1]:*',
];

/** The request headers an OTLP/HTTP exporter in a browser sends. */
const OTLP_CORS_HEADERS: readonly string[] = ['Content-Type', 'Content-Encoding'];

const LOOPBACK_NAMES: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** Methods that never change state; everything else is a write unless its route says it only reads. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface OriginPolicyOptions {
  /** the configured --host; its name is accepted in Host headers besides the loopback names */
  readonly host?: string;
  /** origin patterns ('http://app.example:3000', 'http://localhost:*', '*'); default DEFAULT_CORS_ALLOW_ORIGINS */
  readonly allowOrigins?: readonly string[];
  /** request headers granted to OTLP/HTTP preflights besides Content-Type and Content-Encoding */
  readonly allowHeaders?: readonly string[];
  /**
   * The console's port: a page served from it (under any name of this server) is always allowed,
   * also on other ports such as OTLP/HTTP's, whatever allowOrigins says.
   */
  readonly consolePort?: () => number | undefined;
}

export interface Refusal {
  /** 421 wrong Host, 403 foreign Origin, 415 write without a JSON body */
  readonly status: 403 | 415 | 421;
  readonly message: string;
}

interface OriginPattern {
  readonly scheme: string;
  /** lower-case hostname as URL.hostname gives it ('[::1]' for IPv6) */
  readonly hostname: string;
  /** '*' for any port; '' for the scheme's default port */
  readonly port: string;
}

/**
 * Parses one --cors-allow-origin entry: '*', or scheme://host[:port|:*] without a path.
 * Throws with a reason, so the CLI can report a usage error.
 */
export function parseOriginPattern(text: string): OriginPattern | '*' {
  const t = text.trim();
  if (t === '*') return '*';
  const m = /^(https?):\/\/(\[[0-9a-fA-F:.]+\]|[^/:[\]]+)(?::(\d{1,5}|\*))?\/?$/.exec(t);
  if (!m) throw new Error(`"${text}" is not an origin (examples: http://localhost:3000, http://127.0.0.1:*, *)`);
  const port = m[3] ?? '';
  if (port !== '*' && port !== '' && Number(port) > 65535) throw new Error(`"${text}" has a bad port`);
  let hostname: string;
  try {
    hostname = new URL(`${m[1]}://${m[2]}`).hostname;
  } catch {
    throw new Error(`"${text}" has a bad host name`);
  }
  return { scheme: m[1]!, hostname, port };
}

/** The hostname part of a Host header ('localhost:8080' → 'localhost', '[::1]:1' → '[::1]'), or undefined. */
function hostnameOf(hostHeader: string): string | undefined {
  if (hostHeader === '' || /[\s/?#@\\]/.test(hostHeader)) return undefined;
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return undefined;
  }
}

function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]' || host === '';
}

/** Names this machine answers to when bound to every interface: its addresses and host name. */
function localNames(): string[] {
  const out = [osHostname().toLowerCase()];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) out.push(bracketed(a.address.toLowerCase().replace(/%.*$/, '')));
  }
  return out;
}

/** An HTTP header name (RFC 9110 token). */
export function isHeaderName(text: string): boolean {
  return /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(text);
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export class OriginPolicy {
  private readonly hostnames: ReadonlySet<string>;
  private readonly patterns: readonly (OriginPattern | '*')[];
  private readonly corsHeaders: string;
  private readonly consolePort: () => number | undefined;

  constructor(opts: OriginPolicyOptions = {}) {
    this.consolePort = opts.consolePort ?? (() => undefined);
    const names = new Set(LOOPBACK_NAMES);
    const host = (opts.host ?? '127.0.0.1').trim().toLowerCase();
    if (isWildcardHost(host)) for (const n of localNames()) names.add(n);
    else {
      const name = hostnameOf(bracketed(host));
      if (name !== undefined) names.add(name);
    }
    this.hostnames = names;
    this.patterns = (opts.allowOrigins ?? DEFAULT_CORS_ALLOW_ORIGINS).map(parseOriginPattern);
    const headers = [...OTLP_CORS_HEADERS];
    for (const h of opts.allowHeaders ?? []) {
      const name = h.trim();
      if (isHeaderName(name) && !headers.some((x) => x.toLowerCase() === name.toLowerCase())) headers.push(name);
    }
    this.corsHeaders = headers.join(', ');
  }

  /** Refuses a Host header that does not name this machine (DNS rebinding). */
  checkHost(headers: IncomingHttpHeaders): Refusal | undefined {
    const host = headers.host;
    // HTTP/1.0 may omit Host; browsers never do, so there is no rebinding to fear.
    if (host === undefined) return undefined;
    const name = hostnameOf(host.trim());
    if (name !== undefined && this.hostnames.has(name)) return undefined;
    return {
      status: 421,
      message: `Host ${JSON.stringify(host)} is not a name of this server (allowed: ${[...this.hostnames].join(', ')}); start it with --host <name> to serve that name`,
    };
  }

  /** Whether a browser page of this origin may call us: the console's own origin or an allowed one. */
  originAllowed(origin: string, headers: IncomingHttpHeaders): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // 'null' (sandboxed frames, file://) and garbage
    }
    if (url.origin === 'null' || `${url.protocol}//${url.host}` !== origin.toLowerCase().replace(/\/$/, ''))
      return false;
    const host = headers.host;
    if (host !== undefined && url.host === host.trim().toLowerCase()) return true; // same origin
    const consolePort = this.consolePort();
    // The console, under any name of this server, calling another of our ports (OTLP/HTTP).
    const fromConsole =
      consolePort !== undefined && url.port === String(consolePort) && this.hostnames.has(url.hostname);
    if (url.protocol === 'http:' && fromConsole) return true;
    const scheme = url.protocol.slice(0, -1);
    return this.patterns.some(
      (p) =>
        p === '*' || (p.scheme === scheme && p.hostname === url.hostname && (p.port === '*' || p.port === url.port)),
    );
  }

  /** Refuses a request whose Origin is neither the console's own nor an allowed one. */
  checkOrigin(headers: IncomingHttpHeaders): Refusal | undefined {
    const origin = headerValue(headers.origin);
    if (origin === undefined || this.originAllowed(origin, headers)) return undefined;
    return {
      status: 403,
      message: `requests from origin ${JSON.stringify(origin)} are not allowed (see --cors-allow-origin)`,
    };
  }

  /**
   * Refuses a write that does not declare a JSON body. POST, PUT and PATCH always need it (a
   * body-less POST is a simple request too); DELETE only when it carries a body, since a
   * browser must preflight a cross-site DELETE anyway.
   */
  checkWrite(method: string, headers: IncomingHttpHeaders): Refusal | undefined {
    const m = method.toUpperCase();
    if (SAFE_METHODS.has(m)) return undefined;
    const hasBody = headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? '0') > 0;
    if (m === 'DELETE' && !hasBody) return undefined;
    if (mediaType(headers['content-type']) === 'application/json') return undefined;
    return {
      status: 415,
      message: `${m} needs "Content-Type: application/json" (got ${JSON.stringify(headers['content-type'] ?? 'none')}); form and text/plain bodies are refused so other web pages cannot post here`,
    };
  }

  /** The checks every request gets, whatever its method: Host, then Origin. */
  checkCaller(headers: IncomingHttpHeaders): Refusal | undefined {
    return this.checkHost(headers) ?? this.checkOrigin(headers);
  }

  /**
   * OTLP/HTTP's cross-site door. Returns the headers to add to the response and either a refusal
   * (wrong Host, foreign Origin) or, for a preflight, that the request is answered by those headers
   * alone (204). Preflights from foreign origins get no Access-Control-Allow-* headers at all.
   */
  admitOtlp(
    method: string,
    headers: IncomingHttpHeaders,
  ): { readonly headers: Record<string, string>; readonly refusal?: Refusal; readonly preflight: boolean } {
    const preflight = method.toUpperCase() === 'OPTIONS';
    const refusal = this.checkHost(headers);
    if (refusal) return { headers: {}, refusal, preflight };
    const origin = headerValue(headers.origin);
    if (origin === undefined) return { headers: {}, preflight };
    if (!this.originAllowed(origin, headers)) {
      return { headers: { Vary: 'Origin' }, refusal: this.checkOrigin(headers), preflight };
    }
    const out: Record<string, string> = {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Expose-Headers': 'Retry-After',
      Vary: 'Origin',
    };
    if (preflight) {
      out['Access-Control-Allow-Methods'] = 'POST, OPTIONS';
      out['Access-Control-Allow-Headers'] = this.corsHeaders;
      out['Access-Control-Max-Age'] = '7200';
    }
    return { headers: out, preflight };
  }
}
