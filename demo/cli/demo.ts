// `orrery demo` (what `npm start` runs): the telemetry backend in this process, then every shop
// service under the supervisor, their ports derived from --port (src/names/ports.ts), the flag and
// load-generator APIs proxied by the backend so the console talks to one origin. Restarts become
// a counter (orrery_supervisor_restarts_total{service_name}) and a chart annotation. Ctrl-C or
// SIGTERM stops everything and exits 0.
import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatFlags, parseArgs, UsageError, type FlagSpecs } from '../../src/cli/args.js';
import { demoPorts, type DemoPorts } from '../../src/names/ports.js';
import { SUPERVISOR_METRICS } from '../../src/names/contract.js';
import { packageRoot } from '../../src/server/paths.js';
import { SHOP_SERVICES } from '../topology.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { shopChildren } from '../supervisor/shop.js';

const FLAGS = {
  port: {
    type: 'port',
    env: 'ORRERY_PORT',
    default: 8080,
    help: 'console port; every other port of the demo is derived from it',
    metavar: 'PORT',
  },
  host: {
    type: 'string',
    env: 'ORRERY_HOST',
    default: '127.0.0.1',
    help: 'interface to listen on and address the services use',
    metavar: 'HOST',
  },
  users: {
    type: 'int',
    env: 'LOAD_USERS',
    default: 10,
    help: 'simulated users of the load generator (0 for none)',
    metavar: 'N',
  },
  spawnRate: { type: 'number', env: 'LOAD_SPAWN_RATE', default: 1, help: 'users started per second', metavar: 'R' },
  pauseScale: {
    type: 'number',
    env: 'LOAD_PAUSE_SCALE',
    default: 1,
    help: "scale of the 1–10 s pause between a user's tasks (0.1 = ten times busier)",
    metavar: 'X',
  },
  recommendationMemory: {
    type: 'size',
    env: 'ORRERY_RECOMMENDATION_MEMORY',
    default: '512MB',
    help: 'heap limit of recommendationservice (the leak ends in an OOM restart)',
    metavar: 'SIZE',
  },
  verbose: {
    type: 'bool',
    default: false,
    help: 'print every line of every service (default: errors and lifecycle only)',
  },
} as const satisfies FlagSpecs;

export function usage(): string {
  return `Usage: orrery demo [options]\n\nRuns the Astronomy Shop: the backend and console, every service under a supervisor, and the load generator.\n\nOptions:\n${formatFlags(FLAGS)}\n`;
}

function fail(message: string, code: number): number {
  console.error(`orrery demo: ${message}`);
  return code;
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  let ports: DemoPorts;
  try {
    parsed = parseArgs(argv, FLAGS);
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
    const f = parsed.flags;
    if (f.users < 0 || f.users > 500) throw new UsageError('--users must be from 0 to 500');
    if (!(f.spawnRate > 0 && f.spawnRate <= 100)) throw new UsageError('--spawn-rate must be above 0 and at most 100');
    if (!(f.pauseScale > 0 && f.pauseScale <= 100))
      throw new UsageError('--pause-scale must be above 0 and at most 100');
    if (f.recommendationMemory < 16 * 1024 ** 2) throw new UsageError('--recommendation-memory must be at least 16MB');
    try {
      ports = demoPorts(f.port);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`orrery demo: ${err.message}\n\n${usage()}`);
    return 2;
  }
  if (parsed.help) {
    console.log(usage());
    return 0;
  }
  const f = parsed.flags;
  const root = packageRoot();
  const host = f.host;
  // The backend listens on --host; the services listen where they can be reached (HOST, see
  // serviceEnv): the same address, or loopback when --host is a wildcard.
  const reach = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const r = reach.includes(':') ? `[${reach}]` : reach;
  const svc = (name: string): string => `http://${r}:${ports.services[name]}`;

  // Which services are built; a missing one is skipped with a warning rather than failing all.
  if (!existsSync(path.join(root, 'dist/demo/telemetry/register.js'))) {
    return fail(`${path.join(root, 'dist/demo/telemetry/register.js')} is missing: build first (npm run build)`, 1);
  }
  const services = SHOP_SERVICES.filter((s) => {
    const ok = existsSync(path.join(root, s.entry));
    if (!ok) console.error(`orrery demo: warning: ${s.name} is not built (${s.entry} missing); running without it`);
    return ok;
  });

  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'orrery-demo-'));
  const { createBackend } = await import('../../src/server/backend.js');
  const backend = createBackend({
    host,
    port: ports.console,
    otlpHttpPort: ports.otlpHttp,
    otlpGrpcPort: ports.otlpGrpc,
    proxies: { '/api/flags': svc('featureflagservice'), '/api/load': svc('loadgenerator') },
  });
  try {
    await backend.start();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    await fsp.rm(tmp, { recursive: true, force: true });
    const hint = e.code === 'EADDRINUSE' ? ` (is another demo running? pick another block of ports with --port)` : '';
    return fail(`cannot start the backend: ${e.message}${hint}`, 1);
  }

  // The restart counter starts at 0 for every service, so increase() sees the first restart.
  const restarts = backend.selfMetrics.counter(
    SUPERVISOR_METRICS.restarts,
    'Restarts of demo services by the supervisor.',
  );
  for (const s of services) restarts.inc({ service_name: s.name }, 0);

  const supervisor = new Supervisor({
    host: reach,
    verbose: f.verbose,
    output: (line) => console.log(line),
    children: shopChildren({
      root,
      consolePort: ports.console,
      services,
      host: reach,
      recommendationHeapMb: Math.round(f.recommendationMemory / 1024 ** 2),
      extraEnv: {
        featureflagservice: {
          FLAGS_FILE: path.join(tmp, 'flags.json'),
          ANNOTATIONS_URL: `http://${r}:${ports.console}/api/annotations`,
        },
        loadgenerator: {
          LOAD_USERS: String(f.users),
          LOAD_SPAWN_RATE: String(f.spawnRate),
          LOAD_PAUSE_SCALE: String(f.pauseScale),
        },
      },
    }),
    onRestart: (service, count, reason) => {
      restarts.inc({ service_name: service });
      backend.annotations.add({
        time: Date.now(),
        tags: ['restart', service],
        text: `${service} restarted (#${count}): ${reason}`,
      });
    },
  });

  let stopping: Promise<number> | undefined;
  const stopAll = (): Promise<number> =>
    (stopping ??= (async () => {
      let code = 0;
      await supervisor.stop().catch((e: unknown) => {
        console.error(`orrery demo: error stopping services: ${(e as Error).message}`);
        code = 1;
      });
      await backend.stop().catch((e: unknown) => {
        console.error(`orrery demo: error stopping the backend: ${(e as Error).message}`);
        code = 1;
      });
      await fsp.rm(tmp, { recursive: true, force: true });
      return code;
    })());

  let signalled: NodeJS.Signals | undefined;
  const onEarlySignal = (s: NodeJS.Signals): void => {
    signalled = s;
    void stopAll();
  };
  process.on('SIGINT', onEarlySignal);
  process.on('SIGTERM', onEarlySignal);
  try {
    await supervisor.start();
  } catch (e) {
    process.off('SIGINT', onEarlySignal);
    process.off('SIGTERM', onEarlySignal);
    const code = await stopAll();
    if (signalled) return code;
    return fail((e as Error).message, 1);
  }
  process.off('SIGINT', onEarlySignal);
  process.off('SIGTERM', onEarlySignal);
  if (signalled) return stopAll();

  const seconds = process.uptime().toFixed(1);
  const base = `http://${r}:${ports.console}`;
  const lines = [
    `orrery demo: ready in ${seconds} s (${services.length} services)`,
    `  console            ${base}/`,
    `  Jaeger query API   ${base}/api/traces?service=frontend`,
    `  Prometheus API     ${base}/api/v1/query?query=up`,
    `  OTLP               gRPC ${r}:${ports.otlpGrpc}, HTTP http://${r}:${ports.otlpHttp}`,
    `  shop frontend      ${svc('frontend')}/`,
    `  flags              orrery flags list --port ${ports.console}   (set: orrery flags set recommendationCache on)`,
    `  load               ${f.users} users at ${f.spawnRate}/s   (orrery load stats --port ${ports.console})`,
    'Ctrl-C stops everything.',
  ];
  console.log(lines.join('\n'));

  return new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      console.log(`orrery demo: ${signal} received, stopping`);
      void stopAll().then((code) => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        console.log('orrery demo: stopped');
        // A client's keep-alive socket must not keep the process alive after everything stopped.
        setTimeout(() => process.exit(code), 1500).unref();
        resolve(code);
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
