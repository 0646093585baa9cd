// The query pool answers as the engine does, byte for byte through the HTTP API, keeps health
// checks and small queries fast while a heavy query runs, and stops a query at its deadline.
// The worker is the compiled dist/src/promql/worker.js (npm test builds first; workerUrl()
// refuses a dist/ older than the sources).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { HttpApp } from '../api/router.js';
import { registerHealth } from '../api/health.js';
import { registerPrometheusApi } from '../api/prometheus/api.js';
import { Head } from '../tsdb/head.js';
import { labelsFromRecord } from '../labels/labels.js';
import { Engine } from './engine.js';
import { QueryPool } from './pool.js';
import type { QueryService } from './value.js';
import type { Querier } from '../storage/storage.js';

const M = 60_000;
/** Billions of steps over one sample: CPU for as long as it is allowed, little memory. */
const HEAVY = 'count_over_time((lonely > 1)[30d:1ms])';

function demoHead(): Head {
  const h = new Head();
  h.append(labelsFromRecord({ __name__: 'lonely' }), 0, 1);
  for (let i = 0; i < 50; i++) {
    const l = labelsFromRecord({ __name__: 'req_total', job: i % 2 ? 'a' : 'b', i: String(i) });
    const g = labelsFromRecord({ __name__: 'temp', i: String(i) });
    for (let t = 0; t <= 60 * M; t += 10_000) {
      h.append(l, t, (i * t) / 1000);
      if (t === 30 * M && i % 7 === 0) h.appendStale(g, t);
      else h.append(g, t, Math.sin(i + t / M) * 10);
    }
  }
  return h;
}

async function serve(head: Head, engine: QueryService): Promise<{ server: Server; base: string }> {
  const app = new HttpApp();
  registerHealth(app, () => true);
  registerPrometheusApi(app, { storage: head, engine });
  const { server, port } = await app.listen('127.0.0.1', 0);
  return { server, base: `http://127.0.0.1:${port}` };
}

async function timed(url: string): Promise<{ ms: number; status: number; body: string }> {
  const t0 = performance.now();
  const res = await fetch(url);
  const body = await res.text();
  return { ms: performance.now() - t0, status: res.status, body };
}

function p99(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)]!;
}

interface Latencies {
  health: number[];
  small: number[];
}

/** Polls /healthz and a small query until `until` settles. */
async function pollWhile(base: string, until: Promise<unknown>): Promise<Latencies> {
  const out: Latencies = { health: [], small: [] };
  let done = false;
  void until.finally(() => (done = true));
  const poll = async (url: string, into: number[]): Promise<void> => {
    while (!done) {
      const r = await timed(url);
      expect(r.status).toBe(200);
      into.push(r.ms);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await Promise.all([
    poll(`${base}/healthz`, out.health),
    poll(`${base}/api/v1/query?query=sum(req_total)&time=3600`, out.small),
  ]);
  return out;
}

/** Latencies with no heavy query (the reference of the same run), then while `heavy` runs. */
async function duringHeavy(base: string, heavy: string) {
  // Warm: every worker has started and answered before anything is measured.
  for (let i = 0; i < 10; i++) await Promise.all([timed(`${base}/healthz`), timed(`${base}/api/v1/query?query=1`)]);
  const idle = await pollWhile(base, new Promise((r) => setTimeout(r, 1000)));
  const started = performance.now();
  const heavyRun = timed(`${base}${heavy}`);
  const busy = await pollWhile(base, heavyRun);
  const answer = await heavyRun;
  return { answer, elapsed: performance.now() - started, idle, busy };
}

describe('QueryPool', () => {
  const head = demoHead();
  const pool = new QueryPool({ workers: 2 });
  // Every query through a worker, however small (the default pool evaluates small ones itself).
  const workersOnly = new QueryPool({ workers: 2, inlineWork: 0 });
  let viaPool: { server: Server; base: string };
  let viaWorkers: { server: Server; base: string };
  let inThread: { server: Server; base: string };

  beforeAll(async () => {
    viaPool = await serve(head, pool);
    viaWorkers = await serve(head, workersOnly);
    inThread = await serve(head, new Engine());
  });

  afterAll(async () => {
    await pool.shutdown();
    await workersOnly.shutdown();
    viaPool.server.close();
    viaWorkers.server.close();
    inThread.server.close();
  });

  it('answers byte for byte as the engine in this thread', async () => {
    const queries = [
      'sum by (job) (rate(req_total[5m]))',
      'temp',
      'temp offset 10m',
      'temp @ 1200',
      'max_over_time(temp[10m:1m])',
      'avg_over_time(temp[7m] @ end() offset 3m)',
      'sum_over_time(rate(req_total[5m])[20m:2m] offset 1m)',
      'timestamp(temp @ 600)',
      'topk(3, temp) or bottomk(2, temp)',
      'temp > 5 and on (i) req_total',
      'absent(nothing)',
      '1 + 2',
      '"s"',
      'req_total[2m]',
      'histogram_quantile(0.9, rate(req_total[5m]))',
      'sum(temp) / count(temp)',
      // Selectors sharing one selection (shared-selections.ts), the narrower ones filtering it.
      'sum by (job) (rate(req_total{job="a"}[5m])) / sum by (job) (rate(req_total[5m]))',
      'temp{i=~"1.*", i!="12"} - on (i) temp{nothing=""} + on (i) temp{i!~"2|3"}',
      'temp + temp',
      'nonsense(',
      'rate(temp)',
    ];
    for (const q of queries) {
      for (const path of [
        `/api/v1/query?query=${encodeURIComponent(q)}&time=1800`,
        `/api/v1/query_range?query=${encodeURIComponent(q)}&start=600&end=3600&step=60`,
      ]) {
        const [a, w, b] = await Promise.all([
          timed(viaPool.base + path),
          timed(viaWorkers.base + path),
          timed(inThread.base + path),
        ]);
        expect(a.status, path).toBe(b.status);
        expect(a.body, path).toBe(b.body);
        expect(w.status, path).toBe(b.status);
        expect(w.body, path).toBe(b.body);
      }
    }
  });

  it('evaluates small queries without a subquery in this thread, the others in a worker', async () => {
    const counting = new QueryPool({ workers: 1, inlineWork: 20_000 });
    try {
      const range = (q: string): Promise<unknown> => counting.rangeQuery(head, q, 0, 60 * M, 60_000);
      // One series of 361 samples over 61 steps: small.
      await range('temp{i="3"}');
      expect(counting.inlined).toBe(1);
      // A subquery's cost is not bounded by what it selects.
      await range('max_over_time(temp{i="3"}[10m:10s])');
      // 50 series of 361 samples: above 20,000.
      await range('sum(temp)');
      expect(counting.inlined).toBe(1);
    } finally {
      await counting.shutdown();
    }
  });

  it('keeps /healthz and a small query fast while a heavy query runs, and stops it at its deadline', async () => {
    const r = await duringHeavy(viaPool.base, `/api/v1/query?query=${encodeURIComponent(HEAVY)}&timeout=3s`);
    const f = (l: number[]): string =>
      `${p99(l).toFixed(1)} ms (median ${[...l].sort((a, b) => a - b)[l.length >> 1]!.toFixed(1)}, n ${l.length})`;
    const figures =
      `heavy ${r.elapsed.toFixed(0)} ms; p99 idle / during: /healthz ${f(r.idle.health)} / ${f(r.busy.health)}, ` +
      `small query ${f(r.idle.small)} / ${f(r.busy.small)}`;
    console.log(`pool: ${figures}`);
    expect(r.answer.status).toBe(503);
    expect(r.answer.body).toBe(
      '{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}',
    );
    // The deadline is 3 s after the request arrived. Seen by the client, the answer also waits
    // for HTTP (the /healthz latency); the pool's own overshoot is bounded in the next test.
    expect(r.elapsed).toBeGreaterThanOrEqual(2990);
    expect(r.elapsed - 3000, figures).toBeLessThan(500 + p99(r.busy.health));
    expect(r.busy.health.length).toBeGreaterThan(20);
    // In this thread both would wait for the whole heavy query (next test). /healthz needs only
    // the event loop: under 200 ms, or within three times the latency measured just before
    // without the heavy query when other work loads the machine. The small query also needs a
    // CPU for its worker while the heavy one holds one of the two cores here: under 500 ms.
    expect(p99(r.busy.health), figures).toBeLessThan(Math.max(200, 3 * p99(r.idle.health)));
    expect(p99(r.busy.small), figures).toBeLessThan(Math.max(500, 3 * p99(r.idle.small)));
  }, 30_000);

  it('stops a query at its deadline', async () => {
    const overshoots: number[] = [];
    for (const timeoutMs of [300, 1000]) {
      const t0 = performance.now();
      await expect(pool.instantQuery(head, HEAVY, 0, { timeoutMs })).rejects.toMatchObject({
        errorType: 'timeout',
        message: 'query timed out in expression evaluation',
      });
      overshoots.push(performance.now() - t0 - timeoutMs);
    }
    console.log(`timeout overshoot: ${overshoots.map((x) => x.toFixed(1)).join(', ')} ms`);
    for (const x of overshoots) {
      expect(x).toBeGreaterThanOrEqual(-1);
      expect(x).toBeLessThan(500);
    }
  });

  it('the same heavy query in this thread stalls /healthz (what the pool prevents)', async () => {
    const r = await duringHeavy(inThread.base, `/api/v1/query?query=${encodeURIComponent(HEAVY)}&timeout=1s`);
    console.log(
      `in thread: heavy ${r.elapsed.toFixed(0)} ms; worst /healthz ${Math.max(...r.busy.health).toFixed(0)} ms`,
    );
    expect(Math.max(...r.busy.health)).toBeGreaterThan(500);
  }, 30_000);

  it('terminates a worker that goes on past its deadline, replaces it and keeps answering', async () => {
    // A stand-in worker speaking the pool's protocol: 'spin' never returns (no clock checks).
    const script = `
      import { parentPort } from 'node:worker_threads';
      parentPort.on('message', (r) => {
        if (r.query === 'spin') for (;;) {}
        parentPort.postMessage({ id: r.id, ok: true, value: { type: 'scalar', t: r.start, v: 42 } });
      });`;
    const spinning = new QueryPool({
      workers: 1,
      workerUrl: new URL(`data:text/javascript,${encodeURIComponent(script)}`),
      inlineWork: 0, // these queries are small: without this they would not reach the worker
    });
    try {
      const t0 = performance.now();
      await expect(spinning.instantQuery(head, 'spin', 0, { timeoutMs: 300 })).rejects.toMatchObject({
        errorType: 'timeout',
        message: 'query timed out in expression evaluation',
      });
      const overshoot = performance.now() - t0 - 300;
      console.log(`stuck worker: answered ${overshoot.toFixed(1)} ms past the deadline`);
      expect(overshoot).toBeLessThan(500);
      // The next query waits for the replacement (after the grace period), then gets its answer.
      expect(await spinning.instantQuery(head, 'ok', 5)).toEqual({ type: 'scalar', t: 5, v: 42 });
      expect(spinning.restarts).toBe(1);
      expect(spinning.stats()).toEqual({ busy: 0, queued: 0 });
    } finally {
      await spinning.shutdown();
    }
  });

  it('fails queries, without respawning in a loop, when workers cannot start', async () => {
    const broken = new QueryPool({
      workers: 2,
      workerUrl: new URL('data:text/javascript,throw new Error("no")'),
      inlineWork: 0, // a query as small as this one would not need a worker
    });
    try {
      await expect(broken.instantQuery(head, '1', 0)).rejects.toMatchObject({ errorType: 'internal' });
      await new Promise((r) => setTimeout(r, 300));
      expect(broken.restarts).toBeLessThanOrEqual(2);
    } finally {
      await broken.shutdown();
    }
  });

  it('times out queries that wait for a busy pool', async () => {
    const one = new QueryPool({ workers: 1 });
    try {
      const t0 = performance.now();
      const heavy = one.instantQuery(head, HEAVY, 0, { timeoutMs: 1500 });
      // A waiting query selects its data only when a worker takes it: the queue holds no copies.
      let selects = 0;
      const counting: Querier = {
        select: (ms, mint, maxt) => {
          selects++;
          return head.select(ms, mint, maxt);
        },
        series: (ms, mint, maxt) => head.series(ms, mint, maxt),
        labelNames: (ms, mint, maxt) => head.labelNames(ms, mint, maxt),
        labelValues: (n, ms, mint, maxt) => head.labelValues(n, ms, mint, maxt),
      };
      const waiting = one.instantQuery(counting, 'sum(req_total)', 60 * M, { timeoutMs: 300 });
      await expect(waiting).rejects.toMatchObject({ errorType: 'timeout' });
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(selects).toBe(0);
      await expect(heavy).rejects.toMatchObject({ errorType: 'timeout' });
    } finally {
      await one.shutdown();
    }
  });

  it('fails a query that outgrows the worker heap as one holding too many samples', async () => {
    const small = new QueryPool({ workers: 1, workerHeapMb: 64 });
    try {
      await expect(small.instantQuery(head, 'count_over_time(vector(1)[30d:1ms])', 0)).rejects.toMatchObject({
        errorType: 'execution',
        message: 'query processing would load too many samples into memory in query execution',
      });
      expect(small.restarts).toBe(1);
      expect((await small.instantQuery(head, '1', 0)).type).toBe('scalar');
    } finally {
      await small.shutdown();
    }
  }, 30_000);

  it('evaluates a 100,000-term chain and refuses nesting beyond the limit', async () => {
    expect(await pool.instantQuery(head, '1' + ' + 1'.repeat(99_999), 0)).toEqual({ type: 'scalar', t: 0, v: 100_000 });
    await expect(pool.instantQuery(head, '('.repeat(2000) + '1' + ')'.repeat(2000), 0)).rejects.toMatchObject({
      errorType: 'bad_data',
      message: '1:513: parse error: expression nested too deeply (the limit is 512 levels)',
    });
  });

  it('refuses bad queries before selecting anything, with the engine messages', async () => {
    await expect(pool.instantQuery(head, 'sum(', 0)).rejects.toMatchObject({ errorType: 'bad_data' });
    await expect(pool.rangeQuery(head, 'temp[5m]', 0, M, M)).rejects.toMatchObject({
      errorType: 'bad_data',
      message: 'invalid expression type "range vector" for range query, must be Scalar or instant Vector',
    });
  });
});
