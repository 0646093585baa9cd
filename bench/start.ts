// Start-up from a clean clone, as a new user meets it: `git clone` of this repository's HEAD into a
// temporary folder, `npm ci` (which builds, through the prepare script), then `npm start` twice,
// each timed to the console answering, the "ready" line and the first trace searchable. The
// reference, measured in the same run and the same clone: a full build (tsc -p, vite build), what
// `npm start` used to run every time. Clones what is committed; needs the network for npm ci;
// removes the clone at the end.
//
//   npm run bench:start                 (node dist/bench/start.js [--port 23180] [--keep])
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from '../src/cli/args.js';
import { packageRoot } from '../src/server/paths.js';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function timed(what: string, cmd: string, args: string[], cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return performance.now() - t0;
}

interface StartTimes {
  consoleMs?: number;
  readyMs?: number;
  traceMs?: number;
  readyLine: string;
  buildLine: string;
}

/** Signals the process group led by `pid`; it may have ended already. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

/** Runs `npm start` in `dir` until the first trace is searchable, then stops it with SIGINT. */
async function timeStart(dir: string, port: number): Promise<StartTimes> {
  const t0 = performance.now();
  const child = spawn('npm', ['start', '--', '--port', String(port)], {
    cwd: dir,
    detached: true, // its own process group, stopped as one below
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  const times: StartTimes = { readyLine: '', buildLine: '' };
  try {
    while (times.traceMs === undefined || times.readyMs === undefined) {
      const now = performance.now() - t0;
      if (now > 300_000) throw new Error(`npm start: no trace after 300 s:\n${out.slice(-3000)}`);
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${out.slice(-3000)}`);
      if (times.readyMs === undefined && /ready in/.test(out)) times.readyMs = now;
      try {
        if (times.consoleMs === undefined) {
          const r = await fetch(`${base}/`);
          if (r.ok && (await r.text()).includes('id="root"')) times.consoleMs = performance.now() - t0;
        } else if (times.traceMs === undefined) {
          const r = await fetch(`${base}/api/traces?service=frontend&limit=1&lookback=1h`);
          const body = (await r.json()) as { data?: unknown[] };
          if ((body.data?.length ?? 0) > 0) times.traceMs = performance.now() - t0;
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    if (child.pid !== undefined && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      signalGroup(child.pid, 'SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (child.exitCode === null) signalGroup(child.pid, 'SIGKILL');
    }
  }
  const lines = out.split('\n');
  times.readyLine = lines.find((l) => l.includes('ready in'))?.trim() ?? '';
  times.buildLine = lines.find((l) => l.startsWith('build:'))?.trim() ?? '';
  return times;
}

function report(run: number, t: StartTimes): string {
  return `npm start #${run}: console answering ${seconds(t.consoleMs ?? NaN)}, ready line ${seconds(t.readyMs ?? NaN)}, first trace searchable ${seconds(t.traceMs ?? NaN)} [${t.buildLine}] [${t.readyLine}]`;
}

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2), {
    port: { type: 'port', default: 23180, help: 'console port of the demo started' },
    keep: { type: 'bool', default: false, help: 'keep the clone' },
    dir: { type: 'string', help: 'time npm start in this installed clone instead of making one', metavar: 'DIR' },
  });
  if (flags.dir) {
    const t = await timeStart(flags.dir, flags.port);
    console.log(report(1, t));
    return;
  }
  const parent = mkdtempSync(path.join(tmpdir(), 'orrery-clean-clone-'));
  const dir = path.join(parent, 'orrery');
  try {
    const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: packageRoot(), encoding: 'utf8' });
    console.log(`clean clone of ${head.stdout.trim()} in ${dir}; load average ${loadAverage()}`);
    timed('git clone', 'git', ['clone', '--quiet', packageRoot(), dir], parent);
    const ci = timed('npm ci', 'npm', ['ci', '--no-audit', '--no-fund'], dir);
    console.log(`npm ci (installs, then builds dist/ and console/dist): ${seconds(ci)}`);
    for (const run of [1, 2]) {
      console.log(report(run, await timeStart(dir, flags.port)));
    }
    const full = timed('full build', 'npx', ['tsc', '-p', 'tsconfig.json'], dir);
    const vite = timed('vite build', 'npx', ['vite', 'build', '--config', 'console/vite.config.ts'], dir);
    console.log(
      `reference: a full build (tsc -p ${seconds(full)}, vite build ${seconds(vite)}) = ${seconds(full + vite)}, what every npm start ran before; load average ${loadAverage()}`,
    );
  } finally {
    if (!flags.keep) rmSync(parent, { recursive: true, force: true });
  }
}

/** The machine's load: figures from a busy machine are slower, and say so. */
function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
