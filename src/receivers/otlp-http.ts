// OTLP/HTTP receiver: POST /v1/traces, /v1/metrics, /v1/logs with protobuf or JSON bodies,
// optionally gzip/deflate-compressed, answered per the OTLP/HTTP spec (Export*ServiceResponse on
// success, google.rpc.Status on failure, both in the request's encoding), with CORS for browsers.
//
// Limits are enforced while streaming: a body (or its decompressed form) that passes
// maxBodyBytes gets 413 at once and is no longer buffered; every chunk kept is reserved from the
// memory limiter's shared in-flight budget, and a request that would pass it gets 429. A request
// refused before its body was read is answered with `Connection: close` and the rest of its body
// drained, so a keep-alive client neither reuses a socket about to close nor sees a reset. The
// whole body is decoded before any consumer sees it, so a rejected request leaves nothing behind.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import type { Component } from '../component/component.js';
import {
  encodeExportResponseJson,
  encodeExportResponseProtobuf,
  encodeStatusJson,
  encodeStatusProtobuf,
  RpcCode,
} from '../otlp/encode-response.js';
import { RefusedError, type LogsConsumer, type MetricsConsumer, type TracesConsumer } from '../consumer/consumer.js';
import { UNLIMITED_ADMISSION, type BodyReservation, type RequestAdmission } from '../pipeline/memory-limiter.js';
import type { DecodePool } from './decode-pool.js';
import { refusalHttpStatus, runExport, type BodyFormat } from './export.js';
import { OriginPolicy } from '../api/origin-policy.js';
import type { ReceiverObserver, ReceiverSignal } from './observer.js';

export interface OtlpHttpReceiverOptions {
  /** interface to bind; default 127.0.0.1 (never a public interface unless asked) */
  readonly host?: string;
  /** 0 picks a free port; `port` tells the real one once started */
  readonly port: number;
  /** limit on the body, before and after decompression; default 16 MiB */
  readonly maxBodyBytes?: number;
  readonly traces: TracesConsumer;
  readonly metrics: MetricsConsumer;
  readonly logs: LogsConsumer;
  readonly observer?: ReceiverObserver;
  /** admission and the shared in-flight byte budget (the memory limiter); default: admit all */
  readonly admission?: RequestAdmission;
  /** decodes large bodies off the event loop; default: inline */
  readonly decodePool?: DecodePool;
  /** Host/Origin checks and CORS grants; default: loopback names and `host`, localhost origins */
  readonly originPolicy?: OriginPolicy;
  /**
   * keep a gzip body as it came too, beside its inflated form, so that forwarding can send the
   * client's compressed bytes on (the backend sets it when it forwards); default false
   */
  readonly keepGzippedBodies?: boolean;
}

export interface OtlpHttpReceiver extends Component {
  /** listens on the configured port (0: a free one, then read `port`) */
  start(): Promise<void>;
  /** the bound port once started, else 0 */
  readonly port: number;
  /** stops listening; requests in flight get a moment to finish */
  shutdown(): Promise<void>;
  /** the same as shutdown() */
  stop(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

const PATHS: Readonly<Record<string, ReceiverSignal>> = {
  '/v1/traces': 'traces',
  '/v1/metrics': 'metrics',
  '/v1/logs': 'logs',
};

const CONTENT_TYPES: Readonly<Record<BodyFormat, string>> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/** After a 413, how much more of the refused body is read (and dropped) before the socket is cut. */
const DRAIN_MS = 5_000;

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** set when the in-flight budget refused the body (429 with Retry-After) */
    readonly refusal?: RefusedError,
  ) {
    super(message);
  }
}

function mediaFormat(contentType: string | undefined): BodyFormat | undefined {
  if (contentType === undefined) return undefined;
  const semi = contentType.indexOf(';');
  const media = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (media === 'application/x-protobuf' || media === 'application/protobuf') return 'protobuf';
  if (media === 'application/json') return 'json';
  return undefined;
}

type Coding = 'identity' | 'gzip' | 'deflate';

function contentCoding(header: string | undefined): Coding | undefined {
  const v = (header ?? '').trim().toLowerCase();
  if (v === '' || v === 'identity') return 'identity';
  if (v === 'gzip' || v === 'x-gzip') return 'gzip';
  if (v === 'deflate') return 'deflate';
  return undefined;
}

interface ReadBody {
  /** the body, inflated */
  readonly body: Buffer;
  /** with keepGzipped, a gzip body as it came when the inflater read every byte of it */
  readonly gzipped?: Buffer;
}

/**
 * Reads the request body into one Buffer, inflating it on the fly. Rejects with BodyError(413) as
 * soon as either the raw or the inflated byte count passes `limit`, without reading further.
 */
function readBody(
  req: http.IncomingMessage,
  coding: Coding,
  limit: number,
  reservation: BodyReservation,
  keepGzipped: boolean,
): Promise<ReadBody> {
  return new Promise<ReadBody>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const rawChunks: Buffer[] | undefined = keepGzipped && coding === 'gzip' ? [] : undefined;
    let raw = 0;
    let size = 0;
    let settled = false;
    const inflater = coding === 'gzip' ? zlib.createGunzip() : coding === 'deflate' ? zlib.createInflate() : undefined;

    const settle = (err: BodyError | undefined): void => {
      if (settled) return;
      settled = true;
      req.removeListener('data', onRaw);
      req.removeListener('end', onRawEnd);
      if (inflater !== undefined) {
        inflater.removeAllListeners('data');
        inflater.destroy();
      }
      if (err) {
        chunks.length = 0;
        reject(err);
        return;
      }
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      // zlib passes over zero bytes after the end of a stream; an upstream's reader might not
      const whole = rawChunks !== undefined && inflater !== undefined && inflater.bytesWritten === raw;
      resolve(
        whole ? { body, gzipped: rawChunks.length === 1 ? rawChunks[0]! : Buffer.concat(rawChunks, raw) } : { body },
      );
    };
    const tooLarge = (what: string) =>
      settle(new BodyError(413, `request body${what} exceeds the limit of ${limit} bytes`));

    const onBody = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) return tooLarge(inflater ? ' after decompression' : '');
      const refused = reservation.add(chunk.length);
      if (refused) return settle(new BodyError(refusalHttpStatus(refused.kind), refused.message, refused));
      chunks.push(chunk);
    };
    const onRaw = (chunk: Buffer): void => {
      raw += chunk.length;
      if (raw > limit) return tooLarge('');
      if (rawChunks !== undefined) {
        // kept beside the inflated body, so held against the same in-flight budget
        const refused = reservation.add(chunk.length);
        if (refused) return settle(new BodyError(refusalHttpStatus(refused.kind), refused.message, refused));
        rawChunks.push(chunk);
      }
      if (inflater) inflater.write(chunk);
      else onBody(chunk);
    };
    const onRawEnd = (): void => {
      if (inflater) inflater.end();
      else settle(undefined);
    };

    if (inflater) {
      inflater.on('data', onBody);
      inflater.on('end', () => settle(undefined));
      inflater.on('error', (e) => settle(new BodyError(400, `invalid ${coding} body: ${e.message}`)));
    }
    req.on('data', onRaw);
    req.on('end', onRawEnd);
    req.on('error', (e) => settle(new BodyError(400, `request aborted: ${e.message}`)));
    req.on('close', () => {
      if (!req.complete) settle(new BodyError(400, 'request aborted'));
    });
  });
}

export function createOtlpHttpReceiver(opts: OtlpHttpReceiverOptions): OtlpHttpReceiver {
  const host = opts.host ?? '127.0.0.1';
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const consumers = { traces: opts.traces, metrics: opts.metrics, logs: opts.logs };
  const admission = opts.admission ?? UNLIMITED_ADMISSION;
  const policy = opts.originPolicy ?? new OriginPolicy({ host });

  /** Writes a whole answer; with `hold` the response is left open (the caller ends it). */
  function send(
    res: http.ServerResponse,
    status: number,
    format: BodyFormat,
    body: Uint8Array | string,
    extra?: Record<string, string>,
    hold = false,
  ): void {
    if (res.headersSent) return;
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { 'Content-Type': CONTENT_TYPES[format], 'Content-Length': bytes.length, ...extra });
    if (hold) res.write(bytes);
    else res.end(bytes);
  }

  function sendStatus(
    res: http.ServerResponse,
    status: number,
    format: BodyFormat,
    code: number,
    message: string,
    extra?: Record<string, string>,
    hold = false,
  ): void {
    send(
      res,
      status,
      format,
      format === 'protobuf' ? encodeStatusProtobuf(code, message) : encodeStatusJson(code, message),
      extra,
      hold,
    );
  }

  function sendRefusal(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    format: BodyFormat,
    refusal: RefusedError,
  ): void {
    const status = refusalHttpStatus(refusal.kind);
    const code = refusal.kind === 'exhausted' ? RpcCode.RESOURCE_EXHAUSTED : RpcCode.UNAVAILABLE;
    const retryAfter = { 'Retry-After': String(Math.max(1, Math.ceil(refusal.retryAfterSeconds))) };
    if (req.complete) sendStatus(res, status, format, code, refusal.message, retryAfter);
    else refuseUnread(req, res, status, format, code, refusal.message, retryAfter);
  }

  /**
   * Answers early (before the body is read) and drops the rest of the body, for a while. The
   * answer goes out whole at once, marked `Connection: close`; the response is ended (and the
   * socket closed by node) only once the body has been drained, so the client sees the answer
   * and never reuses the socket. A client that sends on past `limit` or DRAIN_MS is cut off.
   */
  function refuseUnread(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    status: number,
    format: BodyFormat,
    code: number,
    message: string,
    extra?: Record<string, string>,
  ): void {
    if (req.complete) return sendStatus(res, status, format, code, message, extra);
    sendStatus(res, status, format, code, message, { ...extra, Connection: 'close' }, true);
    // Reading on for a moment lets the client finish sending and see our answer; cutting the
    // socket while it still sends would turn the answer into a connection reset.
    let dropped = 0;
    const cut = (): void => {
      clearTimeout(timer);
      res.end();
      req.socket.destroy();
    };
    const timer = setTimeout(cut, DRAIN_MS);
    timer.unref();
    req.on('data', (c: Buffer) => {
      dropped += c.length;
      if (dropped > limit) cut();
    });
    req.on('end', () => {
      clearTimeout(timer);
      res.end();
    });
    req.on('close', () => clearTimeout(timer));
    req.resume();
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // A client that resets mid-body makes the request emit 'error'; unheard, that would crash us.
    req.on('error', () => {});

    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const signal = PATHS[q < 0 ? url : url.slice(0, q)];
    const format = mediaFormat(req.headers['content-type']);
    const replyFormat = format ?? 'json';
    if (signal === undefined) {
      return refuseUnread(req, res, 404, replyFormat, RpcCode.NOT_FOUND, `no OTLP endpoint at ${url}`);
    }
    const door = policy.admitOtlp(req.method ?? 'GET', req.headers);
    for (const [k, v] of Object.entries(door.headers)) res.setHeader(k, v);
    if (door.refusal) {
      const { status, message } = door.refusal;
      return refuseUnread(req, res, status, replyFormat, RpcCode.PERMISSION_DENIED, message);
    }
    if (door.preflight) {
      res.writeHead(204);
      res.end();
      return;
    }
    if (req.method !== 'POST') {
      return refuseUnread(
        req,
        res,
        405,
        replyFormat,
        RpcCode.UNIMPLEMENTED,
        `method ${req.method} not allowed; use POST`,
        {
          Allow: 'POST, OPTIONS',
        },
      );
    }
    if (format === undefined) {
      return refuseUnread(
        req,
        res,
        415,
        'json',
        RpcCode.INVALID_ARGUMENT,
        `unsupported content type ${JSON.stringify(req.headers['content-type'] ?? '')}; use application/x-protobuf or application/json`,
      );
    }
    const coding = contentCoding(req.headers['content-encoding']);
    if (coding === undefined) {
      return refuseUnread(
        req,
        res,
        415,
        format,
        RpcCode.INVALID_ARGUMENT,
        `unsupported content encoding ${JSON.stringify(req.headers['content-encoding'])}; use gzip, deflate or none`,
      );
    }
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      return refuseUnread(
        req,
        res,
        413,
        format,
        RpcCode.INVALID_ARGUMENT,
        `request body of ${declared} bytes exceeds the limit of ${limit} bytes`,
      );
    }

    const reservation = admission.admit();
    if (reservation instanceof RefusedError) return sendRefusal(req, res, format, reservation);
    try {
      await receive(req, res, signal, format, coding, reservation);
    } finally {
      reservation.release();
    }
  }

  async function receive(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    signal: ReceiverSignal,
    format: BodyFormat,
    coding: Coding,
    reservation: BodyReservation,
  ): Promise<void> {
    let read: ReadBody;
    try {
      read = await readBody(req, coding, limit, reservation, opts.keepGzippedBodies === true);
    } catch (err) {
      const e = err instanceof BodyError ? err : new BodyError(400, String(err));
      if (e.refusal) return sendRefusal(req, res, format, e.refusal);
      if (e.status === 413) return refuseUnread(req, res, 413, format, RpcCode.INVALID_ARGUMENT, e.message);
      return sendStatus(res, e.status, format, RpcCode.INVALID_ARGUMENT, e.message);
    }

    const outcome = await runExport(
      signal,
      format,
      read.body,
      consumers,
      opts.observer,
      'http',
      opts.decodePool,
      read.gzipped,
    );
    switch (outcome.kind) {
      case 'ok': {
        const partial = { rejected: outcome.rejected, errorMessage: outcome.message };
        return send(
          res,
          200,
          format,
          format === 'protobuf' ? encodeExportResponseProtobuf(partial) : encodeExportResponseJson(signal, partial),
        );
      }
      case 'invalid':
        return sendStatus(res, 400, format, RpcCode.INVALID_ARGUMENT, outcome.message);
      case 'refused':
        return sendRefusal(req, res, format, outcome.refusal);
      case 'failed':
        return sendStatus(res, 500, format, RpcCode.INTERNAL, `pipeline error: ${outcome.message}`);
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // handle() maps every expected failure itself; this is the last guard against a crash.
      if (!res.headersSent) sendStatus(res, 500, 'json', RpcCode.INTERNAL, String(err));
      else res.destroy();
    });
  });

  let boundPort = 0;
  const receiver = {
    get port(): number {
      return boundPort;
    },
    start(): Promise<void> {
      return new Promise((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        server.once('error', onError);
        server.listen(opts.port, host, () => {
          server.removeListener('error', onError);
          boundPort = (server.address() as AddressInfo).port;
          resolve();
        });
      });
    },
    shutdown(): Promise<void> {
      return new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeIdleConnections();
        // in-flight requests get a moment to finish; then everything goes
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
    },
    stop(): Promise<void> {
      return receiver.shutdown();
    },
  };
  return receiver;
}
