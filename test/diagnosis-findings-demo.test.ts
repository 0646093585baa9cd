// The findings against the whole demo, through the backend's public APIs only: `orrery demo` at
// its default load with every flag off gives no finding for 10 minutes (each false finding is
// printed); then the load generator is turned up, recommendationCache is switched on, and within
// 3 minutes the leak finding names recommendationservice and the flag change (the minutes are
// printed). One test of ordered steps; needs dist/ (vitest's global setup builds it).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { LEAK } from '../src/names/contract.js';
import { packageRoot } from '../src/server/paths.js';
import { freeDemoPort } from './support/demo-ports.js';
import { DEMO_BIN, holdWholeDemo, WHOLE_DEMO_WAIT_MS } from './support/whole-demo.js';

const REC = 'recommendationservice';
const QUIET_MS = 10 * 60_000;
const LEAK_DEADLINE_MS = 3 * 60_000;
/** the load generator turned up: about the busy load of the fast demo (20 users at 0.3 pause) */
const HIGH_LOAD = { users: 60, spawnRate: 10 };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Finding {
  service: string;
  kind: string;
  since: number;
  summary: string;
  flagChanges: { flag: string; value: string; at: number }[];
  consoleUrl: string;
}

describe('findings with the whole demo', () => {
  let demo: ChildProcess | undefined;
  let exitCode: number | null | undefined;
  let output = '';
  let release: (() => void) | undefined;

  afterAll(async () => {
    if (demo && exitCode === undefined) {
      demo.kill('SIGTERM');
      const deadline = Date.now() + 30_000;
      while (exitCode === undefined && Date.now() < deadline) await sleep(100);
      if (exitCode === undefined) demo.kill('SIGKILL');
    }
    release?.();
  }, 60_000);

  it(
    'gives no finding for 10 quiet minutes, then the leak finding within 3 minutes of the flag',
    async () => {
      // 1. the demo at its default load, every flag off
      release = await holdWholeDemo();
      if (!existsSync(DEMO_BIN)) throw new Error('dist/ is missing: run npm run build:server');
      const port = await freeDemoPort();
      const base = `http://127.0.0.1:${port}`;
      const t0 = Date.now();
      demo = spawn(process.execPath, [DEMO_BIN, 'demo', '--port', String(port)], {
        cwd: packageRoot(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      demo.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      demo.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      demo.once('exit', (code) => (exitCode = code));
      while (!/ready in [\d.]+ s/.test(output)) {
        if (exitCode !== undefined) throw new Error(`orrery demo exited with ${exitCode}:\n${output}`);
        if (Date.now() - t0 > 240_000) throw new Error(`orrery demo not ready in 240 s:\n${output}`);
        await sleep(200);
      }
      const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
        const r = await fetch(base + path, {
          method,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await r.text();
        if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
        return JSON.parse(text) as T;
      };
      const findings = async (): Promise<Finding[]> =>
        (await call<{ data: Finding[] }>('GET', '/api/orrery/v1/findings?lookback=15m')).data;
      const flags = await call<{ key: string; value: unknown }[]>('GET', '/api/flags');
      expect(flags.filter((f) => f.value !== 'off' && f.value !== 0).map((f) => f.key)).toEqual([]);
      const load = await call<{ targetUsers: number }>('GET', '/api/load');
      console.log(
        `[findings] demo on port ${port} ready in ${((Date.now() - t0) / 1000).toFixed(0)} s, ${load.targetUsers} users`,
      );

      // 2. ten minutes with every flag off: no finding at any poll
      const quietStart = Date.now();
      const falseFindings = new Map<string, Finding>();
      let polls = 0;
      while (Date.now() - quietStart < QUIET_MS) {
        await sleep(30_000);
        for (const f of await findings()) falseFindings.set(`${f.service} ${f.kind}`, f);
        polls++;
      }
      console.log(`[findings] flags off for 10 min (${polls} polls): ${falseFindings.size} false findings`);
      for (const f of falseFindings.values()) console.log(`[findings]   false finding: ${f.kind}: ${f.summary}`);
      expect([...falseFindings.keys()]).toEqual([]);

      // 3. high load, the flag on: the leak finding with the flag change within 3 minutes
      await call('PUT', '/api/load', HIGH_LOAD);
      const on = await call<{ value: unknown }>('PUT', `/api/flags/${LEAK.flag}`, { value: 'on' });
      expect(on.value).toBe('on');
      const onAt = Date.now();
      let leak: Finding | undefined;
      let last: Finding[] = [];
      while (!leak && Date.now() - onAt < LEAK_DEADLINE_MS) {
        await sleep(10_000);
        last = await findings();
        leak = last.find(
          (f) =>
            f.service === REC &&
            f.kind === 'memory_growth' &&
            f.flagChanges.some((c) => c.flag === LEAK.flag && c.value === 'on'),
        );
      }
      const minutes = (Date.now() - onAt) / 60_000;
      console.log(
        leak
          ? `[findings] leak finding ${minutes.toFixed(1)} min after the flag: ${leak.summary}`
          : `[findings] no leak finding ${minutes.toFixed(1)} min after the flag; last: ${JSON.stringify(last)}`,
      );
      expect(leak, 'the leak finding of recommendationservice with the flag change').toBeDefined();
      expect(leak!.summary).toMatch(/^recommendationservice: memory rising .* recommendationCache was switched on at/);
      expect(leak!.consoleUrl).toMatch(/^\/diagnosis\/compare\?service=recommendationservice&/);
    },
    WHOLE_DEMO_WAIT_MS + 1_800_000,
  );
});
