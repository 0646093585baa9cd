// OTLP/gRPC receiver: opentelemetry.proto.collector.{trace,metrics,logs}.v1.*Service/Export on
// @grpc/grpc-js, from a hand-built service definition. The request deserializer keeps the bytes
// raw so that decoding happens in the handler, where a DecodeError can become INVALID_ARGUMENT
// with its message (a throwing deserializer only yields a generic INTERNAL). grpc-js itself
// inflates gzip/deflate messages and enforces the size limit, during decompression too.
//
// Memory: grpc-js pauses a call's stream until the handler starts reading, so HTTP/2 flow control
// holds the client back. An interceptor asks the memory limiter before that read: refused calls
// never read their message; an admitted call reserves the largest message it may bring from the
// shared in-flight budget (grpc-js gives no earlier sight of its size), and once the message is
// in, keeps only its real size until the call ends.
import { EventEmitter } from 'node:events';
import http2, { type ServerHttp2Stream } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import type { Component } from '../component/component.js';
import { encodeExportResponseProtobuf } from '../otlp/encode-response.js';
import { RefusedError, type LogsConsumer, type MetricsConsumer, type TracesConsumer } from '../consumer/consumer.js';
import { UNLIMITED_ADMISSION, type BodyReservation, type RequestAdmission } from '../pipeline/memory-limiter.js';
import type { DecodePool } from './decode-pool.js';
import { runExport, type ExportOutcome } from './export.js';
import { encodeStatusWithRetryInfo } from './grpc-status.js';
import type { ReceiverObserver, ReceiverSignal } from './observer.js';
import { DEFAULT_MAX_BODY_BYTES } from './otlp-http.js';

export interface OtlpGrpcReceiverOptions {
  /** interface to bind; default 127.0.0.1 */
  readonly host?: string;
  /** 0 picks a free port; `port` tells the real one once started */
  readonly port: number;
  /** largest accepted message, after decompression; default 16 MiB */
  readonly maxBodyBytes?: number;
  readonly traces: TracesConsumer;
  readonly metrics: MetricsConsumer;
  readonly logs: LogsConsumer;
  readonly observer?: ReceiverObserver;
  /** admission and the shared in-flight byte budget (the memory limiter); default: admit all */
  readonly admission?: RequestAdmission;
  /** decodes large messages off the event loop; default: inline */
  readonly decodePool?: DecodePool;
}

export interface OtlpGrpcReceiver extends Component {
  /** listens on the configured port (0: a free one, then read `port`) */
  start(): Promise<void>;
  /** the bound port once started, else 0 */
  readonly port: number;
  /** stops listening; requests in flight get a moment to finish */
  shutdown(): Promise<void>;
  /** the same as shutdown() */
  stop(): Promise<void>;
}

export const OTLP_GRPC_METHODS: Readonly<Record<ReceiverSignal, string>> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
};

type ExportDefinition = grpc.ServiceDefinition<grpc.UntypedServiceImplementation>;

function serviceDefinition(signal: ReceiverSignal): ExportDefinition {
  return {
    Export: {
      path: OTLP_GRPC_METHODS[signal],
      requestStream: false,
      responseStream: false,
      requestSerialize: (value: Buffer) => value,
      requestDeserialize: (bytes: Buffer) => bytes,
      responseSerialize: (value: Uint8Array) => Buffer.from(value.buffer, value.byteOffset, value.byteLength),
      responseDeserialize: (bytes: Buffer) => bytes,
      originalName: 'export',
    },
  };
}

/**
 * RESOURCE_EXHAUSTED when the client sends too much, UNAVAILABLE when the backend is unhealthy;
 * both with RetryInfo (OTLP retries RESOURCE_EXHAUSTED only with it) and a plain retry-after.
 */
export function refusalStatus(refusal: RefusedError): grpc.StatusObject {
  const code = refusal.kind === 'exhausted' ? grpc.status.RESOURCE_EXHAUSTED : grpc.status.UNAVAILABLE;
  const seconds = Math.max(1, Math.ceil(refusal.retryAfterSeconds));
  const metadata = new grpc.Metadata();
  metadata.set('retry-after', String(seconds));
  metadata.set('grpc-status-details-bin', encodeStatusWithRetryInfo(code, refusal.message, seconds));
  return { code, details: refusal.message, metadata };
}

/**
 * Answers a call that will not be read and tells the client to stop sending its message: after a
 * trailers-only answer the stream is only half closed, and a client would go on sending a message
 * of many megabytes that HTTP/2 has to take in and throw away. grpc-js keeps the HTTP/2 stream to
 * itself; when it is there, it is reset with NO_ERROR, as RFC 9113 section 8.1 says a server does
 * that answers before the request is complete.
 */
function refuse(call: grpc.ServerInterceptingCallInterface, refusal: RefusedError): void {
  call.sendStatus(refusalStatus(refusal));
  const stream: unknown = (call as { stream?: unknown }).stream;
  if (stream instanceof EventEmitter && typeof (stream as Partial<ServerHttp2Stream>).close === 'function') {
    const s = stream as ServerHttp2Stream;
    if (!s.closed) s.close(http2.constants.NGHTTP2_NO_ERROR);
  }
}

/** Admits a call before its message is read and holds its bytes in the in-flight budget until it ends. */
function admissionInterceptor(admission: RequestAdmission, maxMessageBytes: number): grpc.ServerInterceptor {
  return (_method, call) => {
    let reservation: BodyReservation | undefined;
    const release = (): void => {
      reservation?.release();
      reservation = undefined;
    };
    return new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            const admitted = admission.admit();
            if (admitted instanceof RefusedError) return refuse(call, admitted);
            const refused = admitted.add(maxMessageBytes);
            if (refused) return refuse(call, refused);
            reservation = admitted;
            nextMetadata(metadata);
          },
          onReceiveMessage: (message: Buffer, nextMessage) => {
            if (reservation) {
              reservation.release();
              reservation.add(message.length);
            }
            nextMessage(message);
          },
          onCancel: release,
        }),
      sendStatus: (status, nextStatus) => {
        release();
        nextStatus(status);
      },
    });
  };
}

function formatAddress(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function createOtlpGrpcReceiver(opts: OtlpGrpcReceiverOptions): OtlpGrpcReceiver {
  const host = opts.host ?? '127.0.0.1';
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const consumers = { traces: opts.traces, metrics: opts.metrics, logs: opts.logs };
  const admission = opts.admission ?? UNLIMITED_ADMISSION;
  let server: grpc.Server | undefined;

  function handler(signal: ReceiverSignal): grpc.handleUnaryCall<Buffer, Uint8Array> {
    const answer = (outcome: ExportOutcome, callback: grpc.sendUnaryData<Uint8Array>): void => {
      switch (outcome.kind) {
        case 'ok':
          return callback(
            null,
            encodeExportResponseProtobuf({ rejected: outcome.rejected, errorMessage: outcome.message }),
          );
        case 'invalid':
          return callback({ code: grpc.status.INVALID_ARGUMENT, details: outcome.message });
        case 'refused':
          return callback(refusalStatus(outcome.refusal));
        case 'failed':
          return callback({ code: grpc.status.INTERNAL, details: `pipeline error: ${outcome.message}` });
      }
    };
    return (call, callback) => {
      void runExport(signal, 'protobuf', call.request, consumers, opts.observer, 'grpc', opts.decodePool).then(
        (outcome) => answer(outcome, callback),
      );
    };
  }

  let boundPort = 0;
  const receiver = {
    get port(): number {
      return boundPort;
    },
    start(): Promise<void> {
      const s = new grpc.Server({
        'grpc.max_receive_message_length': limit,
        'grpc.max_send_message_length': 1024 * 1024,
        interceptors: [admissionInterceptor(admission, limit)],
      });
      for (const signal of ['traces', 'metrics', 'logs'] as const) {
        s.addService(serviceDefinition(signal), { Export: handler(signal) });
      }
      server = s;
      return new Promise((resolve, reject) => {
        s.bindAsync(formatAddress(host, opts.port), grpc.ServerCredentials.createInsecure(), (err, port) => {
          if (err) reject(err);
          else {
            boundPort = port;
            resolve();
          }
        });
      });
    },
    shutdown(): Promise<void> {
      const s = server;
      server = undefined;
      if (s === undefined) return Promise.resolve();
      return new Promise((resolve) => {
        const force = setTimeout(() => {
          s.forceShutdown();
          resolve();
        }, 1000);
        force.unref();
        s.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
    stop(): Promise<void> {
      return receiver.shutdown();
    },
  };
  return receiver;
}
