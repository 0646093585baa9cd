// `orrery load set|stats|start|stop|reset`: the demo's load generator through the backend's
// /api/load proxy.
import { formatFlags, parseArgs, UsageError, type FlagSpecs } from '../../src/cli/args.js';
import { demoApi, DemoApiError } from './flags.js';

const FLAGS = {
  port: { type: 'port', env: 'ORRERY_PORT', default: 8080, help: 'console port of the running demo', metavar: 'PORT' },
  host: { type: 'string', env: 'ORRERY_HOST', default: '127.0.0.1', help: 'host of the running demo', metavar: 'HOST' },
  users: { type: 'int', help: 'simulated users (0..500), for set', metavar: 'N' },
  spawnRate: { type: 'number', help: 'users started per second, for set', metavar: 'R' },
  json: { type: 'bool', default: false, help: "print the API's JSON" },
} as const satisfies FlagSpecs;

export function usage(): string {
  return [
    'Usage: orrery load set --users N [--spawn-rate R] [options]',
    '       orrery load stats|start|stop|reset [options]',
    '',
    'Reads or changes the load generator of a running demo.',
    '',
    'Options:',
    formatFlags(FLAGS),
    '',
  ].join('\n');
}

interface Row {
  name: string;
  method: string;
  requests: number;
  failures: number;
  rps: number;
  avg: number;
  p50: number;
  p95: number;
  p99: number;
}

interface Snapshot {
  running: boolean;
  users: number;
  targetUsers: number;
  spawnRate: number;
  stats: Row[];
  totals: Row;
}

function summary(s: Snapshot): string {
  return `${s.running ? 'running' : 'stopped'}: ${s.users} of ${s.targetUsers} users, spawn rate ${s.spawnRate}/s`;
}

function table(s: Snapshot): string {
  const rows = [...s.stats, s.totals];
  const w = Math.max(8, ...rows.map((r) => `${r.method} ${r.name}`.length)) + 2;
  const num = (v: number | string, n = 9): string => String(v).padStart(n);
  const out = [
    `${'ENDPOINT'.padEnd(w)}${num('REQS')}${num('FAILS')}${num('RPS')}${num('AVG ms')}${num('P50')}${num('P95')}${num('P99')}`,
  ];
  for (const r of rows)
    out.push(
      `${`${r.method} ${r.name}`.trim().padEnd(w)}${num(r.requests)}${num(r.failures)}${num(r.rps)}${num(Math.round(r.avg))}${num(r.p50)}${num(r.p95)}${num(r.p99)}`,
    );
  return out.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv, FLAGS);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`orrery load: ${err.message}\n\n${usage()}`);
    return 2;
  }
  if (parsed.help) {
    console.log(usage());
    return 0;
  }
  const f = parsed.flags;
  const [sub, ...rest] = parsed.positionals;
  const bad = (why: string): number => {
    console.error(`orrery load: ${why}\n\n${usage()}`);
    return 2;
  };
  if (rest.length) return bad(`unexpected argument ${rest[0]}`);
  const base = `http://${f.host.includes(':') ? `[${f.host}]` : f.host}:${f.port}`;
  let body: Record<string, unknown> | undefined;
  let method = 'PUT';
  let path = '/api/load';
  switch (sub) {
    case 'set':
      if (f.users === undefined && f.spawnRate === undefined) return bad('set needs --users and/or --spawn-rate');
      body = {};
      if (f.users !== undefined) body.users = f.users;
      if (f.spawnRate !== undefined) body.spawnRate = f.spawnRate;
      break;
    case 'start':
    case 'stop':
      body = { running: sub === 'start' };
      break;
    case 'stats':
      method = 'GET';
      break;
    case 'reset':
      method = 'DELETE';
      path = '/api/load/stats';
      break;
    default:
      return bad(sub === undefined ? 'missing subcommand' : `unknown subcommand ${sub}`);
  }
  if (sub !== 'set' && (f.users !== undefined || f.spawnRate !== undefined))
    return bad(`--users and --spawn-rate go with set, not ${sub}`);
  try {
    const { json } = await demoApi(base, method, path, body);
    const s = json as Snapshot;
    if (f.json) console.log(JSON.stringify(s, null, 2));
    else console.log(sub === 'stats' ? `${summary(s)}\n\n${table(s)}` : summary(s));
    return 0;
  } catch (e) {
    if (!(e instanceof DemoApiError)) throw e;
    console.error(`orrery load: ${e.message}`);
    return 1;
  }
}
