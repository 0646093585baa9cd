// The load generator: task weights and pauses, Locust-like stats, and the control API against a
// fake frontend that records what it is asked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TASKS, pauseMs, pickTask, type ShopClient } from '../demo/loadgen/tasks.js';
import { RequestStats, percentile, roundResponseTime } from '../demo/loadgen/stats.js';
import { LoadRunner, validateUpdate } from '../demo/loadgen/runner.js';
import { createLoadServer } from '../demo/loadgen/server.js';
import { waitUntil } from './support/poll.js';

describe('tasks', () => {
  it('has the demo weights', () => {
    expect(Object.fromEntries(TASKS.map((t) => [t.name, t.weight]))).toEqual({
      index: 1,
      browse_product: 10,
      get_recommendations: 3,
      get_ads: 3,
      view_cart: 3,
      add_to_cart: 2,
      checkout: 1,
      checkout_multi: 1,
    });
  });

  it('picks tasks in proportion to their weights', () => {
    const n = 48_000;
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const t = pickTask(TASKS, Math.random);
      counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    }
    for (const t of TASKS) {
      const expected = (n * t.weight) / 24;
      expect(Math.abs((counts.get(t.name) ?? 0) - expected)).toBeLessThan(5 * Math.sqrt(expected) + 10);
    }
    // deterministic edges
    expect(pickTask(TASKS, () => 0).name).toBe('index');
    expect(pickTask(TASKS, () => 0.999999).name).toBe('checkout_multi');
  });

  it('pauses 1 to 10 s, scaled', () => {
    expect(pauseMs(() => 0)).toBe(1000);
    expect(pauseMs(() => 1)).toBe(10_000);
    expect(pauseMs(() => 0.5, 0.1)).toBeCloseTo(550);
  });

  it('calls /api/recommendations only from get_recommendations', async () => {
    for (const task of TASKS) {
      const paths: string[] = [];
      const client: ShopClient = { request: async (_m, _n, p) => (paths.push(p), true) };
      for (let i = 0; i < 20; i++) await task.run({ sessionId: 's1', random: Math.random, client });
      const recs = paths.filter((p) => p.startsWith('/api/recommendations'));
      if (task.name === 'get_recommendations') {
        expect(recs).toHaveLength(20);
        expect(recs[0]).toMatch(/^\/api\/recommendations\?productIds=[0-9A-Z]{10}&sessionId=s1$/);
      } else expect(recs).toEqual([]);
    }
  });
});

describe('stats', () => {
  it('rounds like Locust and computes percentiles', () => {
    expect(roundResponseTime(42.4)).toBe(42);
    expect(roundResponseTime(456)).toBe(460);
    expect(roundResponseTime(4567)).toBe(4600);
    expect(roundResponseTime(45_678)).toBe(46_000);
    const counts = new Map<number, number>();
    for (let i = 1; i <= 100; i++) counts.set(i, 1);
    expect(percentile(counts, 100, 0.5)).toBe(50);
    expect(percentile(counts, 100, 0.95)).toBe(95);
    expect(percentile(counts, 100, 0.99)).toBe(99);
    expect(percentile(new Map(), 0, 0.5)).toBe(0);
  });

  it('keeps per-endpoint counts, failures, a sliding rps and totals', () => {
    let now = 1_000_000;
    const s = new RequestStats(() => now);
    for (let sec = 0; sec < 20; sec++) {
      for (let i = 0; i < 5; i++) s.record('GET', '/api/products/[id]', 10 + i);
      s.record('GET', '/api/recommendations', 200, sec % 2 ? 'HTTP 500' : undefined);
      now += 1000;
    }
    const eps = s.endpoints();
    const prod = eps.find((e) => e.name === '/api/products/[id]')!;
    expect(prod).toMatchObject({ requests: 100, failures: 0, rps: 5, p50: 12, min: 10, max: 14 });
    const rec = eps.find((e) => e.name === '/api/recommendations')!;
    expect(rec).toMatchObject({ requests: 20, failures: 10, rps: 1, failuresPerSec: 0.5, avg: 200 });
    expect(s.totals()).toMatchObject({ name: 'Aggregated', requests: 120, failures: 10, rps: 6 });
    expect(s.errorList()).toEqual([
      { method: 'GET', name: '/api/recommendations', error: 'HTTP 500', occurrences: 10 },
    ]);
    now += 60_000; // idle: the window empties
    expect(s.totals().rps).toBe(0);
    s.reset();
    expect(s.endpoints()).toEqual([]);
  });
});

describe('control API validation', () => {
  it.each([
    [{ users: -1 }, /users must be an integer from 0 to 500/],
    [{ users: 501 }, /users/],
    [{ users: 2.5 }, /users/],
    [{ users: '10' }, /users/],
    [{ spawnRate: 0 }, /spawnRate/],
    [{ spawnRate: 1000 }, /spawnRate/],
    [{ running: 'yes' }, /running must be true or false/],
    [{ user: 5 }, /unknown field\(s\) user/],
    [[], /object/],
  ])('refuses %j', (body, reason) => {
    const r = validateUpdate(body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(reason);
  });

  it('accepts a good update', () => {
    expect(validateUpdate({ users: 0, spawnRate: 0.5, running: false })).toEqual({
      ok: true,
      update: { users: 0, spawnRate: 0.5, running: false },
    });
  });
});

describe('runner against a fake frontend', () => {
  let frontend: http.Server;
  let seen: string[] = [];
  let runner: LoadRunner;
  let api: http.Server;
  let apiBase: string;

  beforeAll(async () => {
    frontend = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => {
        const fail = req.url?.startsWith('/api/checkout');
        res.writeHead(fail ? 503 : 200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => frontend.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(frontend.address() as AddressInfo).port}`;
    runner = new LoadRunner({ baseUrl: base, users: 4, spawnRate: 20, pauseScale: 0.01, running: false });
    api = createLoadServer(runner, () => undefined);
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    apiBase = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await runner.close();
    api.closeAllConnections();
    frontend.closeAllConnections();
    await new Promise((r) => api.close(r));
    await new Promise((r) => frontend.close(r));
  });

  const put = async (body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const r = await fetch(`${apiBase}/api/load`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  };

  it('starts, ramps, records stats, changes users and stops', async () => {
    const snap = (await (await fetch(`${apiBase}/api/load`)).json()) as {
      running: boolean;
      users: number;
      targetUsers: number;
    };
    expect(snap).toMatchObject({ running: false, users: 0, targetUsers: 4 });
    expect((await put({ running: true })).status).toBe(200);
    type Full = typeof snap & {
      stats: Array<{ name: string; method: string; requests: number; failures: number; p50: number }>;
      totals: { requests: number };
    };
    let full: Full | undefined;
    const productPage = (f: Full): boolean => f.stats.some((x) => x.name === '/api/products/[id]' && x.requests > 0);
    const recommendations = (): boolean => seen.some((x) => x.startsWith('GET /api/recommendations?productIds='));
    // Ramp to 4 users at 20/s, then run until there are enough requests to see every kind asserted.
    const rampMs = await waitUntil(
      '4 users, more than 20 requests, a product page and a recommendations request',
      async () => {
        full = (await (await fetch(`${apiBase}/api/load`)).json()) as Full;
        return full.users === 4 && full.totals.requests > 20 && productPage(full) && recommendations();
      },
      20_000,
    );
    console.log(`[loadgen] 4 users and ${full!.totals.requests} requests ${rampMs.toFixed(0)} ms after start`);
    expect(full!.users).toBe(4);
    expect(full!.totals.requests).toBeGreaterThan(20);
    expect(productPage(full!)).toBe(true);
    for (const x of full!.stats) if (x.name === '/api/checkout') expect(x.failures).toBe(x.requests);
    expect(recommendations()).toBe(true);

    const bad = await put({ users: 9999 });
    expect(bad.status).toBe(400);
    expect(String(bad.json.error)).toMatch(/users must be/);

    await put({ users: 1 });
    await waitUntil('the users to go down to 1', () => runner.snapshot().users === 1, 10_000);
    expect(runner.snapshot().users).toBe(1);

    await put({ running: false });
    const count = seen.length;
    expect(runner.snapshot()).toMatchObject({ running: false, users: 0 });
    // close() resolves once every user's loop has ended, so no loop went on to a new task. Each loop
    // running at the stop finishes only its current task: at most checkout_multi's 9 requests
    // (4 × product page + add to cart, then checkout), for at most 4 loops (the live user and three
    // retired by users: 1 that may still be finishing theirs).
    await runner.close();
    console.log(`[loadgen] ${seen.length - count} requests after the stop`);
    expect(seen.length - count).toBeLessThanOrEqual(4 * 9);
    const reset = await fetch(`${apiBase}/api/load/stats`, { method: 'DELETE' });
    expect(((await reset.json()) as { totals: { requests: number } }).totals.requests).toBe(0);
    seen = [];
  });
});
