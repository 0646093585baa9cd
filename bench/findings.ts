// Findings figures against the whole demo (loopback only; stops by itself):
//
//   npm run bench:findings                     10 minutes with the flags off, then both loads
//   npm run bench:findings -- --minutes 30     a longer quiet run (false findings per hour)
//
// 1. `orrery demo` at its default load with every flag off for N minutes: every finding seen at
//    a poll (every 30 s, lookback 15m) is false; printed, and counted per hour (a finding present
//    at many polls counts once per service and kind).
// 2. recommendationCache on at the default load: minutes until GET /api/orrery/v1/findings names
//    the leak of recommendationservice with the flag change. The reference, measured in the same
//    run: minutes until its RSS is 32 MB above where it was at the flag (a rise one sees on a chart).
// 3. the flag off, the load generator turned up (60 users), 4 flat minutes, then the flag on
//    again: the same two times at the high load.
// Each measurement reads the findings of a window starting 3 minutes before its flag change, so
// the first rise is out of the second measurement's window.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { LEAK, RUNTIME_METRICS } from '../src/names/contract.js';
import { packageRoot } from '../src/server/paths.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const MINUTES = Number(option('--minutes', '10'));
const PORT = Number(option('--port', '21180'));
const HIGH_USERS = Number(option('--high-users', '60'));
if (!(MINUTES > 0)) throw new Error('--minutes must be a positive number');
const base = `http://127.0.0.1:${PORT}`;
const REC = 'recommendationservice';
const VISIBLE_RISE_BYTES = 32e6;
const MAX_WAIT_MS = 10 * 60_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Finding {
  readonly service: string;
  readonly kind: string;
  readonly summary: string;
  readonly flagChanges: readonly { flag: string; value: string; at: number }[];
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

async function findings(query: string): Promise<Finding[]> {
  return (await call<{ data: Finding[] }>('GET', `/api/orrery/v1/findings?${query}`)).data;
}

async function rss(): Promise<number | undefined> {
  const q = new URLSearchParams({ query: `sum(${RUNTIME_METRICS.memoryRss}{service_name="${REC}"})` });
  const body = await call<{ data: { result: { value: [number, string] }[] } }>('GET', `/api/v1/query?${q}`);
  const v = body.data.result[0]?.value[1];
  return v === undefined ? undefined : Number(v);
}

const minutesSince = (t: number): number => (Date.now() - t) / 60_000;

/** Flag on; minutes to the leak finding (window from 3 minutes before) and to a visible rise. */
async function measureLeak(load: string): Promise<{ finding: number | undefined; visible: number | undefined }> {
  const rss0 = (await rss()) ?? 0;
  await call('PUT', `/api/flags/${LEAK.flag}`, { value: 'on' });
  const onAt = Date.now();
  const windowStart = onAt - 3 * 60_000;
  let finding: number | undefined;
  let visible: number | undefined;
  while ((finding === undefined || visible === undefined) && Date.now() - onAt < MAX_WAIT_MS) {
    await sleep(10_000);
    const now = (await rss()) ?? 0;
    if (visible === undefined && now - rss0 >= VISIBLE_RISE_BYTES) visible = minutesSince(onAt);
    if (finding === undefined) {
      const lookback = `${Math.ceil((Date.now() - windowStart) / 1000)}s`;
      const leak = (await findings(`lookback=${lookback}`)).find(
        (f) =>
          f.service === REC &&
          f.kind === 'memory_growth' &&
          f.flagChanges.some((c) => c.flag === LEAK.flag && c.value === 'on' && c.at >= onAt - 60_000),
      );
      if (leak) {
        finding = minutesSince(onAt);
        console.log(`  ${load}: ${leak.summary}`);
      }
    }
  }
  await call('PUT', `/api/flags/${LEAK.flag}`, { value: 'off' });
  const fmt = (m: number | undefined): string =>
    m === undefined ? `none in ${MAX_WAIT_MS / 60_000} min` : `${m.toFixed(1)} min`;
  const ratio =
    finding !== undefined && visible !== undefined ? ` (${(finding / visible).toFixed(2)}× the reference)` : '';
  console.log(`  ${load}: leak finding ${fmt(finding)} after the flag${ratio}; RSS +32 MB (reference) ${fmt(visible)}`);
  return { finding, visible };
}

const bin = join(packageRoot(), 'dist/demo/cli/main.js');
const demo = spawn(process.execPath, [bin, 'demo', '--port', String(PORT)], { stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
let exited = false;
demo.stdout.on('data', (d: Buffer) => (output += d.toString()));
demo.stderr.on('data', (d: Buffer) => (output += d.toString()));
demo.once('exit', () => (exited = true));
const stop = async (): Promise<void> => {
  if (exited) return;
  demo.kill('SIGTERM');
  for (let i = 0; i < 300 && !exited; i++) await sleep(100);
  if (!exited) demo.kill('SIGKILL');
};
process.once('SIGINT', () => void stop().then(() => process.exit(130)));

try {
  const t0 = Date.now();
  while (!/ready in [\d.]+ s/.test(output)) {
    if (exited) throw new Error(`orrery demo exited:\n${output}`);
    if (Date.now() - t0 > 300_000) throw new Error(`orrery demo not ready in 300 s:\n${output}`);
    await sleep(200);
  }
  const users = (await call<{ targetUsers: number }>('GET', '/api/load')).targetUsers;
  console.log(`findings figures (Node ${process.version}): demo on port ${PORT}, ${users} users (default load)`);

  const quietStart = Date.now();
  const seen = new Map<string, Finding>();
  let polls = 0;
  while (Date.now() - quietStart < MINUTES * 60_000) {
    await sleep(30_000);
    for (const f of await findings('lookback=15m')) seen.set(`${f.service} ${f.kind}`, f);
    polls++;
  }
  const perHour = (seen.size * 60) / MINUTES;
  console.log(
    `flags off for ${MINUTES} min at the default load (${polls} polls): ` +
      `${seen.size} false findings, ${perHour.toFixed(1)} per hour`,
  );
  for (const f of seen.values()) console.log(`  false finding: ${f.kind}: ${f.summary}`);

  await measureLeak(`default load (${users} users)`);
  await call('PUT', '/api/load', { users: HIGH_USERS, spawnRate: 10 });
  await sleep(4 * 60_000);
  await measureLeak(`high load (${HIGH_USERS} users)`);
} finally {
  await stop();
}
