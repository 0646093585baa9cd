// Where --forward-otlp sends, read once at start so a mistake is a clear error before anything
// listens: the protocol comes from the scheme (http:// and https:// are OTLP/HTTP protobuf to
// <url>/v1/traces and its siblings; grpc:// is OTLP/gRPC in plain text, grpcs:// with TLS) or
// from --forward-protocol, which makes http:// and https:// mean gRPC without and with TLS.
import { isHeaderName } from '../../api/origin-policy.js';

export type OtlpProtocol = 'http' | 'grpc';
export type OtlpSignal = 'traces' | 'metrics' | 'logs';

export interface OtlpTarget {
  readonly protocol: OtlpProtocol;
  readonly tls: boolean;
  /** OTLP/HTTP: the base URL without a trailing slash; gRPC: host:port */
  readonly endpoint: string;
  /** what log lines and the exporter label show (no credentials) */
  readonly display: string;
}

const HTTP_PATHS: Readonly<Record<OtlpSignal, string>> = {
  traces: '/v1/traces',
  metrics: '/v1/metrics',
  logs: '/v1/logs',
};

/** Parses one --forward-otlp URL; throws an Error saying what is wrong and what is expected. */
export function parseOtlpTarget(text: string, protocol?: OtlpProtocol): OtlpTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(
      `"${text}" is not a URL (examples: http://collector:4318, grpc://collector:4317, https://otlp.example.com)`,
    );
  }
  const scheme = url.protocol.slice(0, -1);
  if (!['http', 'https', 'grpc', 'grpcs'].includes(scheme)) {
    throw new Error(`"${text}": unsupported scheme ${scheme}:// (use http://, https://, grpc:// or grpcs://)`);
  }
  if (url.hostname === '') throw new Error(`"${text}" has no host`);
  if (url.username !== '' || url.password !== '') {
    throw new Error(`"${text}": put credentials in --forward-header (e.g. Authorization=Basic …), not in the URL`);
  }
  const byScheme: OtlpProtocol = scheme.startsWith('grpc') ? 'grpc' : 'http';
  const chosen = protocol ?? byScheme;
  if (chosen === 'http' && byScheme === 'grpc') {
    throw new Error(`"${text}": a ${scheme}:// URL is gRPC, but --forward-protocol says http`);
  }
  const tls = scheme === 'https' || scheme === 'grpcs';
  if (chosen === 'grpc') {
    if (url.pathname !== '/' && url.pathname !== '') {
      throw new Error(`"${text}": a gRPC endpoint is host:port only, without a path`);
    }
    const port = url.port || (tls ? '443' : '4317');
    const endpoint = `${url.hostname}:${port}`;
    return { protocol: 'grpc', tls, endpoint, display: `${tls ? 'grpcs' : 'grpc'}://${endpoint}` };
  }
  if (url.search !== '' || url.hash !== '') throw new Error(`"${text}": no query or fragment expected`);
  const base = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  return { protocol: 'http', tls, endpoint: base, display: base };
}

/** the URL an OTLP/HTTP export of `signal` goes to */
export function httpExportUrl(target: OtlpTarget, signal: OtlpSignal): string {
  return target.endpoint + HTTP_PATHS[signal];
}

/** Parses --forward-header values "Name=value"; throws on a malformed one. */
export function parseHeaders(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const name = eq > 0 ? v.slice(0, eq).trim() : '';
    if (!isHeaderName(name)) {
      throw new Error(`"${v}" is not a header (expected Name=value, e.g. Authorization=Bearer abc)`);
    }
    const value = v.slice(eq + 1).trim();
    if (/[\r\n\0]/.test(value)) throw new Error(`header ${name}: the value holds a line break or NUL`);
    out[name.toLowerCase()] = value;
  }
  return out;
}
