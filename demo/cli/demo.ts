// `orrery demo` (what `npm start` runs): its options, the URLs once everything is ready, and the
// signals. Starting and stopping the backend and the shop is demo/run.ts. Ctrl-C or SIGTERM stops
// everything and exits 0.
import { formatFlags, parseArgs, UsageError, type FlagSpecs } from '../../src/cli/args.js';
import { demoPorts, type DemoPorts } from '../../src/names/ports.js';
import { packageRoot } from '../../src/server/paths.js';
import { parseOtlpTarget } from '../../src/exporters/otlp/target.js';
import { DemoStartError, startDemo, type RunningDemo } from '../run.js';
import { demoDataDir } from './data-dir.js';

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
  dataDir: {
    type: 'string',
    env: 'ORRERY_DATA_DIR',
    help: 'where traces, samples and annotations are kept across restarts (default: $XDG_STATE_HOME or ~/.local/state, orrery/demo-<port>)',
    metavar: 'DIR',
  },
  ephemeral: { type: 'bool', default: false, help: 'keep nothing on disk: every restart begins empty' },
  verbose: {
    type: 'bool',
    default: false,
    help: 'print every line of every service (default: errors and lifecycle only)',
  },
  otlpEndpoint: {
    type: 'string',
    env: 'ORRERY_DEMO_OTLP_ENDPOINT',
    help: "OTLP/HTTP base URL every service exports to instead of the demo's backend (a Collector, Jaeger, another orrery), e.g. http://collector:4318",
    metavar: 'URL',
  },
  backend: {
    type: 'bool',
    default: true,
    help: 'run the backend and console here (--no-backend: only the shop, flag service and load generator, to feed an existing stack)',
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
    if (f.ephemeral && f.dataDir !== undefined) throw new UsageError('--data-dir and --ephemeral exclude each other');
    try {
      ports = demoPorts(f.port);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    if (f.otlpEndpoint !== undefined) {
      let target;
      try {
        target = parseOtlpTarget(f.otlpEndpoint);
      } catch (e) {
        throw new UsageError(`--otlp-endpoint: ${(e as Error).message}`);
      }
      if (target.protocol !== 'http') {
        throw new UsageError(
          `--otlp-endpoint: the services' SDKs speak OTLP/HTTP: give an http:// or https:// URL (port 4318 on a Collector)`,
        );
      }
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
  const dataDir = demoDataDir(f, f.port);
  console.log(
    dataDir === undefined
      ? 'orrery demo: --ephemeral: nothing is kept on disk'
      : `orrery demo: data kept in ${dataDir} (--ephemeral for none)`,
  );
  // A signal during start-up stops what has started; startDemo returns once it has.
  const early = new AbortController();
  const onEarlySignal = (): void => early.abort();
  process.on('SIGINT', onEarlySignal);
  process.on('SIGTERM', onEarlySignal);
  let demo: RunningDemo;
  try {
    demo = await startDemo(
      {
        root: packageRoot(),
        host: f.host,
        ports,
        users: f.users,
        spawnRate: f.spawnRate,
        pauseScale: f.pauseScale,
        recommendationHeapMb: Math.round(f.recommendationMemory / 1024 ** 2),
        verbose: f.verbose,
        dataDir,
        backend: f.backend,
        ...(f.otlpEndpoint !== undefined ? { otlpEndpoint: f.otlpEndpoint.replace(/\/+$/, '') } : {}),
        output: (line) => console.log(line),
        warn: (line) => console.error(`orrery demo: warning: ${line}`),
      },
      early.signal,
    );
  } catch (e) {
    if (e instanceof DemoStartError) return fail(e.message, 1);
    throw e;
  } finally {
    process.off('SIGINT', onEarlySignal);
    process.off('SIGTERM', onEarlySignal);
  }
  if (early.signal.aborted) return demo.stop();
  const services = demo.services;
  const r = demo.reach.includes(':') ? `[${demo.reach}]` : demo.reach;
  const svc = demo.serviceUrl;
  const stopAll = demo.stop;
  let stopping: Promise<number> | undefined;

  const seconds = process.uptime().toFixed(1);
  const base = `http://${r}:${ports.console}`;
  const lines = demo.withBackend
    ? [
        `orrery demo: ready in ${seconds} s (${services.length} services)`,
        `  console            ${base}/`,
        `  Jaeger query API   ${base}/api/traces?service=frontend`,
        `  Prometheus API     ${base}/api/v1/query?query=up`,
        `  OTLP               gRPC ${r}:${ports.otlpGrpc}, HTTP http://${r}:${ports.otlpHttp}`,
        ...(f.otlpEndpoint !== undefined ? [`  services export to ${demo.otlpEndpoint}`] : []),
        `  shop frontend      ${svc('frontend')}/`,
        `  flags              orrery flags list --port ${ports.console}   (set: orrery flags set recommendationCache on --port ${ports.console})`,
        `  data               ${dataDir ?? 'none (--ephemeral)'}`,
        `  load               ${f.users} users at ${f.spawnRate}/s   (orrery load stats --port ${ports.console})`,
        'Ctrl-C stops everything.',
      ]
    : [
        `orrery demo: ready in ${seconds} s (${services.length} services, no backend)`,
        `  services export to ${demo.otlpEndpoint}`,
        `  shop frontend      ${svc('frontend')}/`,
        `  flags API          ${svc('featureflagservice')}/api/flags`,
        `  load API           ${svc('loadgenerator')}/api/load/stats`,
        'Ctrl-C stops everything.',
      ];
  console.log(lines.join('\n'));

  return new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      console.log(`orrery demo: ${signal} received, stopping`);
      void (stopping = stopAll()).then((code) => {
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
