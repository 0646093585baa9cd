// gRPC for every shop service, one way: the .proto is loaded at run time (no code generation),
// servers implement a promise-returning interface from types.ts, clients get the same interface.
// Spans come from instrumentation-grpc, which patches @grpc/grpc-js (see demo/telemetry).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { listenHost } from './env.js';
import { errorMessage, log } from './log.js';
import type { ShopServices } from './types.js';

export type ShopServiceName = keyof ShopServices;
export { status as GrpcStatus } from '@grpc/grpc-js';

/** Thrown by a handler to answer with a specific gRPC status (anything else becomes INTERNAL). */
export class RpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/** The source .proto, found from the compiled file (dist/demo/services/common) or the source tree. */
export function protoPath(): string {
  const candidates = [
    new URL('../../../../demo/proto/hipstershop.proto', import.meta.url), // from dist/demo/services/common/
    new URL('../../proto/hipstershop.proto', import.meta.url), // from demo/services/common/ (tests on sources)
  ];
  for (const candidate of candidates) {
    const path = fileURLToPath(candidate);
    if (existsSync(path)) return path;
  }
  throw new Error('demo/proto/hipstershop.proto not found');
}

let shopPackage: grpc.GrpcObject | undefined;

function serviceClient(name: ShopServiceName): grpc.ServiceClientConstructor {
  if (!shopPackage) {
    const definition = protoLoader.loadSync(protoPath(), {
      keepCase: false,
      longs: Number,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    // the patched (instrumented) loadPackageDefinition, so clients made from it are traced
    shopPackage = grpc.loadPackageDefinition(definition).hipstershop as grpc.GrpcObject;
  }
  return shopPackage[name] as grpc.ServiceClientConstructor;
}

export interface RunningGrpcServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves the given services on `host:port` (loopback by default; port 0 picks a free one). Each handler
 * returns a promise; an RpcError maps to its status, any other error to INTERNAL.
 */
export async function serveGrpc(
  port: number,
  services: { [K in ShopServiceName]?: ShopServices[K] },
  host = listenHost(),
): Promise<RunningGrpcServer> {
  const server = new grpc.Server();
  for (const name of Object.keys(services) as ShopServiceName[]) {
    const impl = services[name] as unknown as Record<string, (req: unknown) => Promise<unknown>>;
    const definition = serviceClient(name).service;
    const handlers: grpc.UntypedServiceImplementation = {};
    for (const method of Object.keys(definition)) {
      const fn = impl[method];
      if (typeof fn !== 'function') throw new Error(`${name}.${method} is not implemented`);
      handlers[method] = ((call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        const started = performance.now();
        fn.call(impl, call.request).then(
          (res) => {
            logHandled(name, method, grpc.status.OK, started);
            callback(null, res);
          },
          (err: unknown) => {
            const error = toServiceError(name, method, err);
            logHandled(name, method, error.code ?? grpc.status.UNKNOWN, started);
            callback(error);
          },
        );
      }) as grpc.handleUnaryCall<unknown, unknown>;
    }
    server.addService(definition, handlers);
  }
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    );
  });
  return {
    port: bound,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

/** One "request handled" record per call, in the server span's context (its trace and span IDs). */
function logHandled(service: string, method: string, code: grpc.status, startedMs: number): void {
  log(
    code === grpc.status.OK ? 'info' : 'warn',
    `${service}/${method} handled: ${grpc.status[code] ?? code}`,
    {
      'rpc.system': 'grpc',
      'rpc.service': `hipstershop.${service}`,
      'rpc.method': method,
      'rpc.grpc.status_code': code,
      'app.duration_ms': Math.round((performance.now() - startedMs) * 10) / 10,
    },
    { stdout: false },
  );
}

function toServiceError(service: string, method: string, err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof RpcError) return { code: err.code, details: err.message };
  log('error', `${service}/${method} failed`, {}, { exception: err });
  return { code: grpc.status.INTERNAL, details: errorMessage(err) };
}

export interface ClientOptions {
  /** per-call deadline; the leaking recommendation service can take seconds per call */
  readonly deadlineMs?: number;
}

/** A client of one shop service at `addr` ("host:port") with promise-returning methods. */
export function grpcClient<K extends ShopServiceName>(
  name: K,
  addr: string,
  options: ClientOptions = {},
): ShopServices[K] {
  const Ctor = serviceClient(name);
  const client = new Ctor(addr, grpc.credentials.createInsecure());
  const deadlineMs = options.deadlineMs ?? 30_000;
  const wrapped: Record<string, (req: unknown) => Promise<unknown>> = {};
  for (const method of Object.keys(Ctor.service)) {
    const fn = (client as unknown as Record<string, grpc.requestCallback<unknown> & ((...args: unknown[]) => unknown)>)[
      method
    ];
    wrapped[method] = (req: unknown) =>
      new Promise((resolve, reject) => {
        fn.call(client, req, { deadline: Date.now() + deadlineMs }, (err: grpc.ServiceError | null, res: unknown) =>
          err ? reject(err) : resolve(res),
        );
      });
  }
  return wrapped as unknown as ShopServices[K];
}

/** The gRPC status of an error from a client call (UNKNOWN when it is not a gRPC error). */
export function grpcCode(err: unknown): grpc.status {
  if (typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'number') {
    return (err as { code: grpc.status }).code;
  }
  return grpc.status.UNKNOWN;
}

/** The server's message without grpc-js's "13 INTERNAL: " prefix. */
export function grpcDetails(err: unknown): string {
  if (typeof err === 'object' && err !== null && typeof (err as { details?: unknown }).details === 'string') {
    return (err as { details: string }).details;
  }
  return errorMessage(err);
}
