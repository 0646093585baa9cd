// Demo figures: start-up time, memory footprint at steady state, and time from turning the
// recommendationCache flag on to the first out-of-memory restart. Loopback only; stops by itself.
//
//   npm run bench:demo                         start-up and footprint, 10 users
//   npm run bench:demo -- --oom --users 50     also the time to the first OOM restart
//
// Memory is reported as contracts.md asks: the sum of Pss over every process of the demo (Node
// processes share the pages of the node binary, so summed RSS counts them many times), next to RSS,
// and per process. The first restart after the flag goes on counts as the leak's out-of-memory
// restart only when the supervisor's reason (its restart annotation) says out of memory.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/server/paths.js';
import { SHOP_SERVICES } from '../demo/topology.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const PORT = Number(option('--port', '21080'));
const USERS = option('--users', '10');
const SETTLE_S = Number(option('--settle', '120'));
const OOM = args.includes('--oom');
const base = `http://127.0.0.1:${PORT}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function json(path: string, init?: RequestInit): Promise<unknown> {
  const res = await fetch(base + path, init);
  return res.json();
}

async function promValue(query: string): Promise<number | undefined> {
  const body = (await json(`/api/v1/query?${new URLSearchParams({ query })}`)) as {
    data?: { result?: { value: [number, string] }[] };
  };
  const v = body.data?.result?.[0]?.value[1];
  return v === undefined ? undefined : Number(v);
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry), ...childrenOf(Number(entry)));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** What a process of the demo is: the shop service whose entry it runs, or its command line. */
function processName(pid: number, root: number): string {
  if (pid === root) return 'orrery demo (backend, console, supervisor)';
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  const service = SHOP_SERVICES.find((s) => argv.some((a) => a.endsWith(s.entry)));
  return service?.name ?? argv.filter(Boolean).join(' ').slice(0, 60);
}

interface ProcessMemory {
  name: string;
  pssKb: number;
  rssKb: number;
}

function footprint(root: number): { processes: ProcessMemory[]; pssKb: number; rssKb: number } {
  const processes: ProcessMemory[] = [];
  for (const pid of [root, ...childrenOf(root)]) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      processes.push({
        name: processName(pid, root),
        pssKb: Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0),
        rssKb: Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0),
      });
    } catch {
      // gone
    }
  }
  const sum = (k: 'pssKb' | 'rssKb'): number => processes.reduce((n, p) => n + p[k], 0);
  return { processes, pssKb: sum('pssKb'), rssKb: sum('rssKb') };
}

/** The supervisor's annotation for the first restart of a service, whose text gives the reason. */
async function firstRestart(service: string): Promise<string | undefined> {
  const notes = (await json('/api/annotations?tags=restart')) as { tags: string[]; text: string }[];
  return notes.find((a) => a.tags.includes(service) && a.text.includes('(#1)'))?.text;
}

const started = Date.now();
const demo = spawn(
  process.execPath,
  // --ephemeral: a run must not find the restarts and samples of an earlier one.
  [join(packageRoot(), 'dist/demo/cli/main.js'), 'demo', '--port', String(PORT), '--users', USERS, '--ephemeral'],
  { stdio: ['ignore', 'pipe', 'pipe'] },
);
let log = '';
demo.stdout.on('data', (d: Buffer) => (log += d.toString()));
demo.stderr.on('data', (d: Buffer) => (log += d.toString()));
const deadline = Date.now() + 40 * 60_000;

try {
  let consoleMs: number | undefined;
  let traceMs: number | undefined;
  while (traceMs === undefined) {
    if (Date.now() > started + 180_000) throw new Error(`demo not ready after 180 s:\n${log}`);
    try {
      if (consoleMs === undefined) {
        const res = await fetch(`${base}/`);
        if (res.ok && (await res.text()).includes('id="root"')) consoleMs = Date.now() - started;
      } else {
        const body = (await json('/api/traces?service=frontend&limit=1&lookback=1h')) as { data?: unknown[] };
        if ((body.data?.length ?? 0) > 0) traceMs = Date.now() - started;
      }
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  console.log(
    `orrery demo --users ${USERS}: console answering after ${(consoleMs! / 1000).toFixed(1)} s, first trace searchable after ${(traceMs / 1000).toFixed(1)} s`,
  );
  console.log(
    `  (${
      log
        .split('\n')
        .find((l) => l.includes('ready in'))
        ?.trim() ?? 'no ready line'
    })`,
  );

  await sleep(SETTLE_S * 1000);
  const fp = footprint(demo.pid!);
  const mb = (kb: number): string => (kb / 1024).toFixed(0).padStart(6);
  console.log(
    `steady state ${SETTLE_S} s later: ${fp.processes.length} processes, PSS ${(fp.pssKb / 1024).toFixed(0)} MB in total, RSS summed ${(fp.rssKb / 1024).toFixed(0)} MB`,
  );
  console.log(`  ${'process'.padEnd(44)} PSS MB RSS MB`);
  for (const p of [...fp.processes].sort((a, b) => b.pssKb - a.pssKb))
    console.log(`  ${p.name.padEnd(44)} ${mb(p.pssKb)} ${mb(p.rssKb)}`);

  if (OOM) {
    const flagOn = Date.now();
    await json('/api/flags/recommendationCache', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: 'on' }),
    });
    for (;;) {
      if (Date.now() > deadline) throw new Error('no out-of-memory restart within 40 minutes');
      await sleep(5000);
      const restarts = await promValue('orrery_supervisor_restarts_total{service_name="recommendationservice"}').catch(
        () => undefined,
      );
      if ((restarts ?? 0) >= 1) {
        const minutes = ((Date.now() - flagOn) / 60_000).toFixed(2);
        // A restart is the leak's only when the supervisor says the child ran out of memory.
        const reason = await firstRestart('recommendationservice');
        if (reason === undefined || !/restarted \(#1\): out of memory/.test(reason)) {
          console.log(
            `flag on → first restart of recommendationservice after ${minutes} min, NOT out of memory: ${reason ?? 'no restart annotation'}`,
          );
          process.exitCode = 1;
        } else
          console.log(`flag on → first out-of-memory restart of recommendationservice: ${minutes} min (${reason})`);
        break;
      }
    }
  }
} finally {
  demo.kill('SIGTERM');
  const code = await new Promise((r) => demo.once('exit', r));
  console.log(`demo stopped (exit ${String(code)})`);
}
