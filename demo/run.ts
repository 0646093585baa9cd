// The demo's orchestration, what `orrery demo` runs: the telemetry backend in this process, then
// every shop service under the supervisor, their ports derived from the console port
// (src/names/ports.ts), the flag and load-generator APIs proxied by the backend so the console
// talks to one origin. Restarts become a counter (orrery_supervisor_restarts_total{service_name})
// and a chart annotation. It lives on the demo side: the demo uses the backend, never the reverse.
import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DemoPorts } from '../src/names/ports.js';
import type { Backend } from '../src/server/backend.js';
import { SUPERVISOR_METRICS } from '../src/names/contract.js';
import { SHOP_SERVICES, type ServiceSpec } from './topology.js';
import { Supervisor } from './supervisor/supervisor.js';
import { shopChildren } from './supervisor/shop.js';
import { createSupervisorLoggerProvider } from './telemetry/logs.js';

/** with a data directory: the trace segments and the metric blocks each take at most this */
export const DEMO_RETENTION_BYTES = 1024 ** 3;

export interface DemoSettings {
  /** the package root, where dist/ is */
  readonly root: string;
  /** interface the backend listens on */
  readonly host: string;
  readonly ports: DemoPorts;
  readonly users: number;
  readonly spawnRate: number;
  readonly pauseScale: number;
  readonly recommendationHeapMb: number;
  readonly verbose: boolean;
  /** where the backend keeps its data across restarts; none: memory only */
  readonly dataDir?: string;
  /** a line for the user (supervisor lifecycle, service errors) */
  readonly output: (line: string) => void;
  /** a warning for the user */
  readonly warn: (line: string) => void;
  /**
   * OTLP/HTTP base URL every service's SDK exports to (--otlp-endpoint: a Collector, Jaeger, another
   * orrery); default the backend's own OTLP/HTTP port
   */
  readonly otlpEndpoint?: string;
  /** start the backend in this process; default true (--no-backend: the shop alone feeds an existing stack) */
  readonly backend?: boolean;
}

export interface RunningDemo {
  /** the services started (those built) */
  readonly services: readonly ServiceSpec[];
  /** where the services are reached: loopback when the backend listens on a wildcard */
  readonly reach: string;
  /** whether the backend runs in this process (not with --no-backend) */
  readonly withBackend: boolean;
  /** where the services send their telemetry */
  readonly otlpEndpoint: string;
  /** the URL of a service by name */
  serviceUrl(name: string): string;
  /** Stops every service, then the backend; the same promise on every call. 0, or 1 if a part failed to stop. */
  stop(): Promise<number>;
}

/** Why the demo could not start, for the user (cleaned up already). */
export class DemoStartError extends Error {}

/**
 * Starts the backend and every built service. When `abort` fires during start-up, everything
 * started is stopped and the demo is returned anyway: the caller sees `abort.aborted` and awaits
 * stop(). Throws DemoStartError (after cleaning up) when a part cannot start.
 */
export async function startDemo(s: DemoSettings, abort?: AbortSignal): Promise<RunningDemo> {
  const { root, ports } = s;
  const reach = s.host === '0.0.0.0' || s.host === '::' ? '127.0.0.1' : s.host;
  const r = reach.includes(':') ? `[${reach}]` : reach;
  const serviceUrl = (name: string): string => `http://${r}:${ports.services[name]}`;

  // Which services are built; a missing one is skipped with a warning rather than failing all.
  const register = path.join(root, 'dist/demo/telemetry/register.js');
  if (!existsSync(register)) throw new DemoStartError(`${register} is missing: build first (npm run build)`);
  const services = SHOP_SERVICES.filter((svc) => {
    const ok = existsSync(path.join(root, svc.entry));
    if (!ok) s.warn(`${svc.name} is not built (${svc.entry} missing); running without it`);
    return ok;
  });

  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'orrery-demo-'));
  const withBackend = s.backend !== false;
  const otlpEndpoint = s.otlpEndpoint ?? `http://${r}:${ports.otlpHttp}`;
  let backend: Backend | undefined;
  if (withBackend) {
    const { createBackend } = await import('../src/server/backend.js');
    backend = createBackend({
      host: s.host,
      port: ports.console,
      otlpHttpPort: ports.otlpHttp,
      otlpGrpcPort: ports.otlpGrpc,
      dataDir: s.dataDir,
      // 15 days by default with a data dir; the per-port directory also stays laptop-sized
      ...(s.dataDir !== undefined ? { retentionBytes: DEMO_RETENTION_BYTES } : {}),
      proxies: { '/api/flags': serviceUrl('featureflagservice'), '/api/load': serviceUrl('loadgenerator') },
    });
    try {
      await backend.start();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      await fsp.rm(tmp, { recursive: true, force: true });
      const hint = e.code === 'EADDRINUSE' ? ` (is another demo running? pick another block of ports with --port)` : '';
      throw new DemoStartError(`cannot start the backend: ${e.message}${hint}`);
    }
  }

  // The restart counter starts at 0 for every service, so increase() sees the first restart.
  const restarts = backend?.selfMetrics.counter(
    SUPERVISOR_METRICS.restarts,
    'Restarts of demo services by the supervisor.',
  );
  for (const svc of services) restarts?.inc({ service_name: svc.name }, 0);

  const supervisorLogs = createSupervisorLoggerProvider(otlpEndpoint);
  const supervisor = new Supervisor({
    logger: supervisorLogs.getLogger('supervisor'),
    host: reach,
    verbose: s.verbose,
    output: s.output,
    children: shopChildren({
      root,
      consolePort: ports.console,
      services,
      host: reach,
      recommendationHeapMb: s.recommendationHeapMb,
      commonEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint },
      extraEnv: {
        featureflagservice: {
          FLAGS_FILE: path.join(tmp, 'flags.json'),
          // flag changes become chart markers in the backend's annotations (none without it)
          ...(backend ? { ANNOTATIONS_URL: `http://${r}:${ports.console}/api/annotations` } : {}),
        },
        loadgenerator: {
          LOAD_USERS: String(s.users),
          LOAD_SPAWN_RATE: String(s.spawnRate),
          LOAD_PAUSE_SCALE: String(s.pauseScale),
        },
      },
    }),
    onRestart: (service, count, reason) => {
      restarts?.inc({ service_name: service });
      backend?.annotations.add({
        time: Date.now(),
        tags: ['restart', service],
        text: `${service} restarted (#${count}): ${reason}`,
      });
    },
  });

  let stopping: Promise<number> | undefined;
  const stop = (): Promise<number> =>
    (stopping ??= (async () => {
      let code = 0;
      await supervisor.stop().catch((e: unknown) => {
        s.warn(`error stopping services: ${(e as Error).message}`);
        code = 1;
      });
      // the last exit records go out while the backend still listens (bounded: it may be gone)
      await Promise.race([
        supervisorLogs.shutdown().catch(() => undefined),
        new Promise((r) => setTimeout(r, 2000).unref()),
      ]);
      await backend?.stop().catch((e: unknown) => {
        s.warn(`error stopping the backend: ${(e as Error).message}`);
        code = 1;
      });
      await fsp.rm(tmp, { recursive: true, force: true });
      return code;
    })());
  const demo: RunningDemo = { services, reach, withBackend, otlpEndpoint, serviceUrl, stop };

  const onAbort = (): void => void stop();
  abort?.addEventListener('abort', onAbort);
  try {
    await supervisor.start();
  } catch (e) {
    await stop();
    if (abort?.aborted) return demo;
    throw new DemoStartError((e as Error).message);
  } finally {
    abort?.removeEventListener('abort', onAbort);
  }
  if (abort?.aborted) await stop();
  return demo;
}
