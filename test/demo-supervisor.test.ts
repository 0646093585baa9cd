// The supervisor with tiny fake children: dependency order and readiness, restart with backoff
// after a kill, out-of-memory detection, the heap-limit flag, and stops that leave no process
// behind (also when the supervisor itself is SIGKILLed). Needs dist/ (npx tsc -p tsconfig.json).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, promises as fsp, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { Supervisor, backoffDelay, isNotable, startWaves, type ChildSpec } from '../demo/supervisor/supervisor.js';
import { launchArgs, shopChildren } from '../demo/supervisor/shop.js';
import { SHOP_SERVICES } from '../demo/topology.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GUARD = path.join(ROOT, 'dist/demo/supervisor/child-guard.js');

const alive = (pid: number): boolean => {
  try {
    // a zombie still has /proc/PID; count it as gone
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
};

async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000); // below the ephemeral range
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const FAKE = `
import http from 'node:http';
import fs from 'node:fs';
if (process.env.IGNORE_TERM) process.on('SIGTERM', () => {});
if (process.env.FAIL_START) { console.error('boom: cannot start'); process.exit(3); }
if (process.env.OOM) { const hoard = []; setInterval(() => { for (let i = 0; i < 20000; i++) hoard.push({ i, s: 'x' + i }); }, 1); }
setTimeout(() => {
  http.createServer((q, r) => r.end('ok')).listen(Number(process.env.PORT), '127.0.0.1', () => {
    fs.appendFileSync(process.env.EVENTS, JSON.stringify({ name: process.env.NAME, t: Date.now(), pid: process.pid, execArgv: process.execArgv }) + '\\n');
    console.log(JSON.stringify({ level: 'info', msg: 'listening' }));
  });
}, Number(process.env.LISTEN_DELAY_MS ?? 0));
`;

let dir: string;
let script: string;
let events: string;
const readEvents = (): Array<{ name: string; t: number; pid: number; execArgv: string[] }> =>
  existsSync(events)
    ? readFileSync(events, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { name: string; t: number; pid: number; execArgv: string[] })
    : [];

beforeAll(async () => {
  if (!existsSync(GUARD)) throw new Error('dist/ is missing: run npx tsc -p tsconfig.json first');
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'orrery-sup-test-'));
  script = path.join(dir, 'fake.mjs');
  events = path.join(dir, 'events.jsonl');
  await fsp.writeFile(script, FAKE);
});

afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

async function child(
  name: string,
  extra: Record<string, string> = {},
  dependsOn: string[] = [],
  nodeArgs: string[] = [],
): Promise<ChildSpec> {
  const port = await freePort();
  return {
    name,
    args: [...nodeArgs, '--import', GUARD, script],
    env: { PATH: process.env.PATH ?? '', PORT: String(port), NAME: name, EVENTS: events, ...extra },
    port,
    dependsOn,
  };
}

describe('supervisor helpers', () => {
  it('orders by dependencies and rejects cycles', () => {
    const waves = startWaves([
      { name: 'c', args: [], env: {}, dependsOn: ['a', 'b'] },
      { name: 'a', args: [], env: {} },
      { name: 'b', args: [], env: {}, dependsOn: ['a'] },
    ]);
    expect(waves.map((w) => w.map((c) => c.name))).toEqual([['a'], ['b'], ['c']]);
    expect(() => startWaves([{ name: 'a', args: [], env: {}, dependsOn: ['a'] }])).toThrow(/cycle/);
    expect(() => startWaves([{ name: 'a', args: [], env: {}, dependsOn: ['zz'] }])).toThrow(/unknown service zz/);
  });

  it('backs off exponentially with a cap', () => {
    const b = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 30_000 };
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, b))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it('shows only notable lines when quiet', () => {
    expect(isNotable('{"level":"error","msg":"x"}')).toBe(true);
    expect(isNotable('{"level":"info","msg":"error in name only"}')).toBe(false);
    expect(isNotable('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory')).toBe(true);
    expect(isNotable(' 1: 0xb8d0a3 node::OOMErrorHandler(char const*, v8::OOMDetails const&) [node]')).toBe(false);
    expect(isNotable('listening on 8080')).toBe(false);
  });

  it('builds the launch contract, flag service first, recommendationservice under a heap limit', () => {
    const kids = shopChildren({ root: '/r', consolePort: 8080 });
    expect(kids.map((k) => k.name)).toEqual(SHOP_SERVICES.map((s) => s.name));
    const rec = kids.find((k) => k.name === 'recommendationservice')!;
    expect(rec.args).toEqual([
      '--max-semi-space-size=1',
      '--optimize-for-size',
      '--import',
      '/r/dist/demo/supervisor/child-guard.js',
      '--import',
      '/r/dist/demo/telemetry/register.js',
      '--max-old-space-size=512',
      '/r/dist/demo/services/recommendation/main.js',
    ]);
    expect(rec.env).toMatchObject({
      MALLOC_ARENA_MAX: '2',
      OTEL_SERVICE_NAME: 'recommendationservice',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
    });
    expect(rec.dependsOn).toEqual(['featureflagservice', 'productcatalogservice']);
    expect(
      shopChildren({ root: '/r', consolePort: 8080, recommendationHeapMb: 64 }).find(
        (k) => k.name === 'recommendationservice',
      )!.args,
    ).toContain('--max-old-space-size=64');
    expect(kids.find((k) => k.name === 'frontend')!.args.some((a) => a.startsWith('--max-old-space-size'))).toBe(false);
    expect(startWaves(kids)[0]!.map((k) => k.name)).toContain('featureflagservice');
    expect(launchArgs('/r', 'x.js', undefined, '/t.js')).not.toContain('/r/dist/demo/telemetry/register.js');
  });
});

describe('supervisor with fake children', () => {
  it('starts in dependency order, restarts a killed child with backoff, and stops cleanly', async () => {
    const lines: string[] = [];
    const restarts: Array<[string, number, string]> = [];
    const a = await child('a', { LISTEN_DELAY_MS: '300' });
    const b = await child('b', {}, ['a'], ['--max-old-space-size=77']);
    const sup = new Supervisor({
      children: [b, a],
      backoff: { initialMs: 200, maxMs: 5000, resetAfterMs: 60_000 },
      output: (l) => lines.push(l),
      onRestart: (s, n, r) => restarts.push([s, n, r]),
    });
    await sup.start();
    const ev = readEvents();
    const ea = ev.find((e) => e.name === 'a')!;
    const eb = ev.find((e) => e.name === 'b')!;
    expect(eb.t).toBeGreaterThanOrEqual(ea.t); // b waited for a's port
    expect(eb.execArgv).toContain('--max-old-space-size=77');

    const first = sup.list().find((c) => c.name === 'b')!.pid!;
    process.kill(first, 'SIGKILL');
    await until(() => restarts.length === 1, 3000, 'first restart');
    expect(restarts[0]).toEqual(['b', 1, 'signal SIGKILL']);
    expect(lines.some((l) => l === '[supervisor] b exited (code null, signal SIGKILL), restart #1 in 200ms')).toBe(
      true,
    );
    await until(
      () =>
        (sup.list().find((c) => c.name === 'b')!.pid ?? first) !== first && lines.some((l) => l.includes('b is back')),
      5000,
      'b back',
    );
    const second = sup.list().find((c) => c.name === 'b')!.pid!;
    process.kill(second, 'SIGKILL');
    await until(() => restarts.length === 2, 3000, 'second restart');
    expect(lines.some((l) => l.endsWith('restart #2 in 400ms'))).toBe(true);
    await until(() => lines.filter((l) => l.includes('b is back')).length === 2, 5000, 'b back again');

    const pids = sup.pids();
    expect(pids).toHaveLength(2);
    await sup.stop();
    for (const pid of [...pids, first, second]) expect(alive(pid)).toBe(false);
  });

  it('detects an out-of-memory exit under a heap limit, and logs it as an error record', async () => {
    const restarts: Array<[string, number, string]> = [];
    const lines: string[] = [];
    const exporter = new InMemoryLogRecordExporter();
    const logs = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    const c = await child('hog', { OOM: '1' }, [], ['--max-old-space-size=24']);
    const sup = new Supervisor({
      children: [c],
      backoff: { initialMs: 5000 },
      output: (l) => lines.push(l),
      onRestart: (s, n, r) => restarts.push([s, n, r]),
      logger: logs.getLogger('supervisor'),
    });
    await sup.start();
    await until(() => restarts.length === 1, 20_000, 'oom exit');
    expect(restarts[0]![2]).toMatch(/^out of memory \((signal SIGABRT|code \d+)\)$/);
    expect(lines.some((l) => /hog exited \(.*out of memory\), restart #1 in 5s/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith('hog | ') && /heap out of memory/.test(l))).toBe(true);
    const [exit] = exporter.getFinishedLogRecords();
    expect(exit?.severityText).toBe('ERROR');
    expect(String(exit?.body)).toMatch(/^hog exited: out of memory \(.*\); restart #1 in 5s$/);
    expect(exit?.attributes).toMatchObject({
      'app.service.name': 'hog',
      'app.process.out_of_memory': true,
      'app.restart.count': 1,
      'app.restart.delay_ms': 5000,
    });
    expect(String(exit?.attributes['app.process.fatal_error'])).toMatch(/heap out of memory|heap limit/i);
    await sup.stop();
    expect(sup.pids()).toEqual([]);
  }, 30_000);

  it('reports a child that dies before it is ready, with its output', async () => {
    const c = await child('broken', { FAIL_START: '1' });
    const sup = new Supervisor({ children: [c], output: () => undefined, readinessTimeoutMs: 5000 });
    await expect(sup.start()).rejects.toThrow(
      /broken did not become ready: broken exited \(code 3, signal null\) before it was ready; last output:\n {2}boom: cannot start/,
    );
  });

  it('reports a child that never opens its port', async () => {
    const c = await child('slow', { LISTEN_DELAY_MS: '60000' });
    const sup = new Supervisor({ children: [c], output: () => undefined, readinessTimeoutMs: 700 });
    await expect(sup.start()).rejects.toThrow(
      /slow did not become ready: no TCP answer on 127\.0\.0\.1:\d+ within 1 s/,
    );
    expect(sup.pids()).toEqual([]);
  });

  it('kills a child that ignores SIGTERM', async () => {
    const lines: string[] = [];
    const c = await child('stubborn', { IGNORE_TERM: '1' });
    const sup = new Supervisor({ children: [c], stopTimeoutMs: 500, output: (l) => lines.push(l) });
    await sup.start();
    const [pid] = sup.pids();
    const t0 = Date.now();
    await sup.stop();
    const stopMs = Date.now() - t0;
    console.log(`[supervisor] a child ignoring SIGTERM was killed ${stopMs} ms into stop() (stop timeout 500 ms)`);
    // Generous for a loaded machine; a stop that waited for the child would never end.
    expect(stopMs).toBeLessThan(10_000);
    expect(alive(pid!)).toBe(false);
    expect(lines.some((l) => l.includes('stubborn did not stop within 500 ms; killing it'))).toBe(true);
  });

  it('children exit when the supervisor is SIGKILLed', async () => {
    const a = await child('orphan-a');
    const b = await child('orphan-b', { IGNORE_TERM: '1' }); // exits by the guard's fallback
    const driver = path.join(dir, 'driver.mjs');
    await fsp.writeFile(
      driver,
      `import { Supervisor } from ${JSON.stringify(path.join(ROOT, 'dist/demo/supervisor/supervisor.js'))};
       const sup = new Supervisor({ children: ${JSON.stringify([a, b])}, output: () => {} });
       await sup.start();
       console.log(JSON.stringify(sup.pids()));
       setInterval(() => {}, 1000);`,
    );
    const proc = spawn(process.execPath, [driver], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pids = await new Promise<number[]>((resolve, reject) => {
      let buf = '';
      proc.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]!) as number[]);
      });
      proc.once('exit', (code) => reject(new Error(`driver exited ${code}`)));
    });
    expect(pids).toHaveLength(2);
    for (const p of pids) expect(alive(p)).toBe(true);
    proc.kill('SIGKILL');
    await until(() => pids.every((p) => !alive(p)), 5000, 'orphans to exit');
  });
});
