// OTLP/gRPC receiver: opentelemetry.proto.collector.{trace,metrics,logs}.v1.*Service/Export on
// @grpc/grpc-js, from a hand-built service definition. The request deserializer keeps the bytes
// raw so that decoding happens in the handler, where a DecodeError can become INVALID_ARGUMENT
// with its message (a throwing deserializer only yields a generic INTERNAL). grpc-js itself
// inflates gzip/deflate messages and enforces the size limit, during decompression too.
import * as grpc from '@grpc/grpc-js';
import { encodeExportResponseProtobuf } from '../otlp/encode-response.js';
import type { LogsConsumer, MetricsConsumer, TracesConsumer } from '../pipeline/consumer.js';
import { runExport } from './export.js';
import type { ReceiverObserver, ReceiverSignal } from './observer.js';
import { DEFAULT_MAX_BODY_BYTES } from './otlp-http.js';

export interface OtlpGrpcReceiverOptions {
  /** interface to bind; default 127.0.0.1 */
  readonly host?: string;
  /** 0 picks a free port; start() reports the real one */
  readonly port: number;
  /** largest accepted message, after decompression; default 16 MiB */
  readonly maxBodyBytes?: number;
  readonly traces: TracesConsumer;
  readonly metrics: MetricsConsumer;
  readonly logs: LogsConsumer;
  readonly observer?: ReceiverObserver;
}

export interface OtlpGrpcReceiver {
  start(): Promise<{ port: number }>;
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

function formatAddress(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function createOtlpGrpcReceiver(opts: OtlpGrpcReceiverOptions): OtlpGrpcReceiver {
  const host = opts.host ?? '127.0.0.1';
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const consumers = { traces: opts.traces, metrics: opts.metrics, logs: opts.logs };
  let server: grpc.Server | undefined;

  function handler(signal: ReceiverSignal): grpc.handleUnaryCall<Buffer, Uint8Array> {
    return (call, callback) => {
      const outcome = runExport(signal, 'protobuf', call.request, consumers, opts.observer, 'grpc');
      switch (outcome.kind) {
        case 'ok':
          return callback(
            null,
            encodeExportResponseProtobuf({ rejected: outcome.rejected, errorMessage: outcome.message }),
          );
        case 'invalid':
          return callback({ code: grpc.status.INVALID_ARGUMENT, details: outcome.message });
        case 'refused': {
          // UNAVAILABLE is the code OTLP exporters retry without further hints.
          const metadata = new grpc.Metadata();
          metadata.set('retry-after', String(Math.max(1, Math.ceil(outcome.retryAfterSeconds))));
          return callback({ code: grpc.status.UNAVAILABLE, details: outcome.message, metadata });
        }
        case 'failed':
          return callback({ code: grpc.status.INTERNAL, details: `pipeline error: ${outcome.message}` });
      }
    };
  }

  return {
    start() {
      const s = new grpc.Server({
        'grpc.max_receive_message_length': limit,
        'grpc.max_send_message_length': 1024 * 1024,
      });
      for (const signal of ['traces', 'metrics', 'logs'] as const) {
        s.addService(serviceDefinition(signal), { Export: handler(signal) });
      }
      server = s;
      return new Promise((resolve, reject) => {
        s.bindAsync(formatAddress(host, opts.port), grpc.ServerCredentials.createInsecure(), (err, port) => {
          if (err) reject(err);
          else resolve({ port });
        });
      });
    },
    stop() {
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
  };
}
