// `orrery flags` and `orrery load` from the built bin against a flag service and a load generator
// served in-process (the paths are those the backend proxies): good calls print, bad values exit
// non-zero with the service's reason, usage mistakes exit 2. Needs dist/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, promises as fsp, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlagStore } from '../demo/flags/store.js';
import { createFlagServer } from '../demo/flags/server.js';
import { LoadRunner } from '../demo/loadgen/runner.js';
import { createLoadServer } from '../demo/loadgen/server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'dist/demo/cli/main.js');

function orrery(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ORRERY_PORT: '' }, timeout: 20_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

// A server answering both /api/flags* and /api/load*, like the backend's proxies.
let server: http.Server;
let port: string;
let dir: string;
let store: FlagStore;
const runner = new LoadRunner({ baseUrl: 'http://127.0.0.1:9', users: 3, running: false });

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error('dist/ is missing: run npx tsc -p tsconfig.json first');
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'orrery-cli-test-'));
  const defaults = readFileSync(path.join(ROOT, 'demo/flags/flags.json'), 'utf8');
  await fsp.writeFile(path.join(dir, 'flags.json'), defaults);
  store = await FlagStore.open({ file: path.join(dir, 'flags.json'), log: () => undefined });
  const flags = createFlagServer({ store, log: () => undefined });
  const load = createLoadServer(runner, () => undefined);
  server = http.createServer((req, res) => (req.url?.startsWith('/api/load') ? load : flags).emit('request', req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = String((server.address() as AddressInfo).port);
});

afterAll(async () => {
  await runner.close();
  store.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('orrery flags', () => {
  it('lists the flags', async () => {
    const r = await orrery('flags', 'list', '--port', port);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^FLAG\s+VALUE\s+DESCRIPTION/);
    expect(r.stdout).toMatch(/recommendationCache\s+off\s+Turn on the recommendation service's product cache/);
  });

  it('sets on and a probability', async () => {
    let r = await orrery('flags', 'set', 'recommendationCache', 'on', '--port', port);
    expect(r).toMatchObject({ code: 0, stdout: 'recommendationCache → on\n' });
    r = await orrery('flags', 'set', 'recommendationCache', '0.5', '--port', port);
    expect(r).toMatchObject({ code: 0, stdout: 'recommendationCache → 50% on\n' });
    r = await orrery('flags', 'set', 'recommendationCache', 'off', '--port', port);
    expect(r.code).toBe(0);
  });

  it('exits non-zero with the reason on a bad value or an unknown flag', async () => {
    let r = await orrery('flags', 'set', 'recommendationCache', 'maybe', '--port', port);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /orrery flags: PUT \/api\/flags\/recommendationCache: 400 value must be "on", "off" or a probability from 0 to 1, got "maybe"/,
    );
    r = await orrery('flags', 'set', 'recommendationCache', '1.5', '--port', port);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/probability must be from 0 to 1, got 1.5/);
    r = await orrery('flags', 'set', 'noSuchFlag', 'on', '--port', port);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/400 unknown flag "noSuchFlag"/);
  });

  it('says when no demo answers', async () => {
    const r = await orrery('flags', 'list', '--port', '1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no demo answering on http:\/\/127\.0\.0\.1:1 .*orrery demo --port 1/);
  });

  it('exits 2 on usage mistakes', async () => {
    expect((await orrery('flags')).code).toBe(2);
    expect((await orrery('flags', 'set', 'recommendationCache')).code).toBe(2);
    const r = await orrery('flags', 'list', '--port', 'abc');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--port: "abc" is not a port number/);
  });
});

describe('orrery load', () => {
  it('sets users, starts, stops and shows stats', async () => {
    let r = await orrery('load', 'set', '--users', '7', '--spawn-rate', '2', '--port', port);
    expect(r).toMatchObject({ code: 0, stdout: 'stopped: 0 of 7 users, spawn rate 2/s\n' });
    r = await orrery('load', 'stats', '--port', port);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ENDPOINT\s+REQS\s+FAILS\s+RPS/);
    expect(r.stdout).toMatch(/Aggregated\s+0\s+0/);
    r = await orrery('load', 'stop', '--port', port);
    expect(r.code).toBe(0);
  });

  it('exits non-zero with the reason on bad values', async () => {
    let r = await orrery('load', 'set', '--users', '9999', '--port', port);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/400 users must be an integer from 0 to 500, got 9999/);
    r = await orrery('load', 'set', '--port', port);
    expect(r.code).toBe(2);
    r = await orrery('load', 'set', '--users', 'ten', '--port', port);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--users: "ten" is not an integer/);
    r = await orrery('load', 'jump', '--port', port);
    expect(r.code).toBe(2);
  });
});

describe('orrery demo arguments', () => {
  it('refuses a port whose block leaves the safe range', async () => {
    const r = await orrery('demo', '--port', '40000');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--port 40000 is out of range/);
    expect((await orrery('demo', '--users', '-3')).code).toBe(2);
    expect((await orrery('demo', '--recommendation-memory', 'lots')).code).toBe(2);
  });
});
