// The two ways an OTLP request leaves: OTLP/HTTP protobuf (POST <base>/v1/<signal>) and
// OTLP/gRPC (<Service>/Export on @grpc/grpc-js with the bytes passed through as they are). Both
// compress with gzip unless told not to, and both sort every answer into the sending queue's
// three outcomes. Retryable are what the OTLP specification lists, HTTP 429, 502, 503 and 504
// (waiting Retry-After when given) and gRPC CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE,
// UNAVAILABLE, DATA_LOSS, and RESOURCE_EXHAUSTED only when the server sent RetryInfo, and beyond
// its letter HTTP 500 and gRPC INTERNAL and UNKNOWN: a proxy in front of the upstream, or an
// upstream restarting, answers those for a while, and the queue's elapsed-time bound (the
// forwarder's maxElapsedMs, counted from the first such answer) drops a request whose 500 turns
// out to be permanent; the other retryable failures are retried until delivered. Every other
// error (400-class, UNIMPLEMENTED, INVALID_ARGUMENT…) is permanent. Network faults (refused,
// reset, timed out) are retryable.
import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import { constants, gunzip as gunzipCallback, gzip as gzipCallback } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { OTLP_GRPC_METHODS } from '../../receivers/otlp-grpc.js';
import type { SendOutcome } from '../queue/queue.js';
import { parseRetryAfter, readPartialSuccess, readPartialSuccessJson, readRetryInfoMs } from './responses.js';
import { httpExportUrl, type OtlpSignal, type OtlpTarget } from './target.js';

const gzip = promisify(gzipCallback);
const gunzip = promisify(gunzipCallback);
// Level 1: a third of the CPU of the default level for about 6 % more bytes on OTLP spans (bench:forward).
const GZIP_OPTIONS = { level: constants.Z_BEST_SPEED };

export interface OtlpTransportOptions {
  /** sent with every request (authentication) */
  readonly headers?: Readonly<Record<string, string>>;
  /** default 'gzip' */
  readonly compression?: 'gzip' | 'none';
  /** per attempt; default 10 s (the Collector's) */
  readonly timeoutMs?: number;
  /** each partial success the upstream reports, for the exporter's log */
  readonly onPartialSuccess?: (signal: OtlpSignal, rejected: number, message: string) => void;
}

export interface OtlpTransport {
  /** sends gzip-compressed bodies as they are (OTLP/HTTP with gzip), so the forwarder queues them compressed */
  readonly sendsGzip: boolean;
  /** `gzipped`: `body` is gzip-compressed; a transport that does not send it so inflates it first */
  send(signal: OtlpSignal, body: Uint8Array, gzipped?: boolean): Promise<SendOutcome>;
  close(): void;
}

/**
 * A gzip body inflated for a transport that sends it otherwise; undefined when it does not
 * inflate (the queue on disk held it damaged), which no retry can mend.
 */
async function inflated(body: Uint8Array): Promise<Uint8Array | undefined> {
  try {
    return await gunzip(body);
  } catch {
    return undefined;
  }
}

const DAMAGED: SendOutcome = { kind: 'permanent', reason: 'the queued gzip body does not inflate' };

const RETRYABLE_HTTP = new Set([429, 500, 502, 503, 504]);
/** answers retried although they may be permanent, within the queue's elapsed-time bound */
const DOUBTFUL_HTTP = new Set([500]);

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError') return `timed out: ${err.message}`;
  // a socket's error says what happened in its code (ECONNREFUSED, ECONNRESET…); say it once
  const code = (err as NodeJS.ErrnoException).code;
  return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}

/** what an upstream may answer at most; the rest is not read (an answer is a status or a partial success) */
const MAX_ANSWER_BYTES = 1 << 20;

interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * OTLP/HTTP on node's own client over keep-alive connections: fetch wraps every body in a web
 * stream, which took about half of what forwarding cost the backend in a CPU profile.
 */
export class HttpOtlpTransport implements OtlpTransport {
  private readonly headers: Record<string, string>;
  private readonly gzip: boolean;
  readonly sendsGzip: boolean;
  private readonly timeoutMs: number;
  private readonly agent: http.Agent;
  private readonly client: typeof http | typeof https;

  constructor(
    private readonly target: OtlpTarget,
    private readonly opts: OtlpTransportOptions = {},
  ) {
    this.gzip = (opts.compression ?? 'gzip') === 'gzip';
    this.sendsGzip = this.gzip;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.headers = {
      ...opts.headers,
      'content-type': 'application/x-protobuf',
      ...(this.gzip ? { 'content-encoding': 'gzip' } : {}),
    };
    this.client = target.tls ? https : http;
    this.agent = new this.client.Agent({ keepAlive: true });
  }

  async send(signal: OtlpSignal, body: Uint8Array, gzipped = false): Promise<SendOutcome> {
    let plain = body;
    if (gzipped && !this.gzip) {
      const bytes = await inflated(body);
      if (bytes === undefined) return DAMAGED;
      plain = bytes;
    }
    let res: HttpAnswer;
    try {
      const payload = !this.gzip ? plain : gzipped ? body : await gzip(body, GZIP_OPTIONS);
      res = await this.post(httpExportUrl(this.target, signal), payload);
    } catch (err) {
      return { kind: 'retry', reason: describeError(err) };
    }
    if (res.status >= 200 && res.status < 300) {
      const partial = (res.headers['content-type'] ?? '').includes('json')
        ? readPartialSuccessJson(res.body.toString('utf8'))
        : readPartialSuccess(res.body);
      if (partial) this.opts.onPartialSuccess?.(signal, partial.rejected, partial.message);
      return { kind: 'delivered', rejected: partial?.rejected ?? 0 };
    }
    const reason = `HTTP ${res.status}${statusMessage(res.body)}`;
    if (RETRYABLE_HTTP.has(res.status)) {
      const retryAfter = res.headers['retry-after'];
      return {
        kind: 'retry',
        reason,
        retryAfterMs: parseRetryAfter(retryAfter),
        ...(DOUBTFUL_HTTP.has(res.status) ? { mayBePermanent: true } : {}),
      };
    }
    return { kind: 'permanent', reason };
  }

  /** one POST; rejects on a network fault or when the whole answer takes longer than the timeout */
  private post(url: string, payload: Uint8Array): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const req = this.client.request(
        url,
        { method: 'POST', agent: this.agent, headers: { ...this.headers, 'content-length': payload.length } },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= MAX_ANSWER_BYTES) chunks.push(c);
          });
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
          });
          res.on('error', (e) => {
            clearTimeout(timer);
            reject(e);
          });
          res.on('close', () => {
            clearTimeout(timer);
            if (!res.complete) reject(new Error('the answer was cut short'));
          });
        },
      );
      const timer = setTimeout(() => req.destroy(new TimeoutError(this.timeoutMs)), this.timeoutMs);
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

class TimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** the message of an error body (google.rpc.Status in protobuf or JSON, or text), shortened */
function statusMessage(body: Uint8Array): string {
  if (body.length === 0) return '';
  const text = Buffer.from(body).toString('utf8');
  let message = text;
  try {
    const json = JSON.parse(text) as { message?: unknown };
    if (typeof json.message === 'string') message = json.message;
  } catch {
    // google.rpc.Status in protobuf: field 2 is the message; printable runs of the body are enough
    message = text.replace(/[^\x20-\x7e]+/g, ' ').trim();
  }
  return message === '' ? '' : `: ${message.slice(0, 300)}`;
}

const RETRYABLE_GRPC = new Set([
  grpc.status.CANCELLED,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.ABORTED,
  grpc.status.OUT_OF_RANGE,
  grpc.status.UNAVAILABLE,
  grpc.status.DATA_LOSS,
  // beyond the OTLP specification, as HTTP 500 (see the top of this file)
  grpc.status.INTERNAL,
  grpc.status.UNKNOWN,
]);
/** codes retried although they may be permanent (a server that cannot parse a request answers INTERNAL) */
const DOUBTFUL_GRPC = new Set([grpc.status.INTERNAL, grpc.status.UNKNOWN]);

const passThrough = (b: Buffer): Buffer => b;

export class GrpcOtlpTransport implements OtlpTransport {
  private readonly client: grpc.Client;
  private readonly metadata: grpc.Metadata;
  private readonly timeoutMs: number;
  /** grpc-js compresses each message itself */
  readonly sendsGzip = false;

  constructor(
    target: OtlpTarget,
    private readonly opts: OtlpTransportOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    const credentials = target.tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
    this.client = new grpc.Client(target.endpoint, credentials, {
      // 2 = gzip in grpc-js's compression algorithms
      ...((opts.compression ?? 'gzip') === 'gzip' ? { 'grpc.default_compression_algorithm': 2 } : {}),
      'grpc.max_send_message_length': -1,
      // reconnect quickly once the upstream is back (grpc-js's own backoff would add up to 2 min)
      'grpc.initial_reconnect_backoff_ms': 500,
      'grpc.max_reconnect_backoff_ms': 5000,
    });
    this.metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(opts.headers ?? {})) this.metadata.set(k, v);
  }

  async send(signal: OtlpSignal, body: Uint8Array, gzipped = false): Promise<SendOutcome> {
    const plain = gzipped ? await inflated(body) : body;
    if (plain === undefined) return DAMAGED;
    return this.call(signal, plain);
  }

  private call(signal: OtlpSignal, body: Uint8Array): Promise<SendOutcome> {
    return new Promise((resolve) => {
      this.client.makeUnaryRequest<Buffer, Buffer>(
        OTLP_GRPC_METHODS[signal],
        passThrough,
        passThrough,
        Buffer.from(body.buffer, body.byteOffset, body.byteLength),
        this.metadata.clone(),
        { deadline: Date.now() + this.timeoutMs },
        (err, response) => {
          if (!err) {
            const partial = response ? readPartialSuccess(response) : undefined;
            if (partial) this.opts.onPartialSuccess?.(signal, partial.rejected, partial.message);
            resolve({ kind: 'delivered', rejected: partial?.rejected ?? 0 });
            return;
          }
          const details = err.metadata?.get('grpc-status-details-bin')[0];
          const retryAfterMs = details instanceof Buffer ? readRetryInfoMs(details) : undefined;
          const reason = `gRPC ${grpc.status[err.code] ?? err.code}: ${err.details}`;
          if (
            RETRYABLE_GRPC.has(err.code) ||
            (err.code === grpc.status.RESOURCE_EXHAUSTED && retryAfterMs !== undefined)
          ) {
            resolve({
              kind: 'retry',
              reason,
              ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
              ...(DOUBTFUL_GRPC.has(err.code) ? { mayBePermanent: true } : {}),
            });
          } else {
            resolve({ kind: 'permanent', reason });
          }
        },
      );
    });
  }

  close(): void {
    this.client.close();
  }
}

export function createOtlpTransport(target: OtlpTarget, opts: OtlpTransportOptions = {}): OtlpTransport {
  return target.protocol === 'grpc' ? new GrpcOtlpTransport(target, opts) : new HttpOtlpTransport(target, opts);
}
