// The memory-leak scenario end to end, as a user of the console would see it, through the
// backend's public APIs only (Jaeger /api/traces, Prometheus /api/v1/query, /api/flags,
// /api/annotations): start `orrery demo` from dist/ with a small heap for recommendationservice and
// a busy load, turn recommendationCache on, and watch the leak grow until the out-of-memory
// restart. Bounded to a few minutes on two cores; stops everything and checks that no process is
// left behind. Needs dist/ (npm test builds it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { LEAK, SPAN_METRICS, RUNTIME_METRICS, SUPERVISOR_METRICS } from '../src/names/contract.js';
import { freeDemoPort } from './support/demo-ports.js';
import { DEMO_BIN as BIN, holdWholeDemo, spawnFastDemo, WHOLE_DEMO_WAIT_MS } from './support/whole-demo.js';

const REC = 'recommendationservice';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The whole process tree under a pid, from /proc. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  startTime: number;
  duration: number;
  processID: string;
  tags: Array<{ key: string; value: unknown }>;
}
interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

/** The leak's sequence of list lengths: n' = (n + 10) + floor((n + 10) / 4), from an empty list. */
function leakSequence(max: number): number[] {
  const out: number[] = [];
  for (let n = 0; out.length < 200;) {
    n = n + 10 + Math.floor((n + 10) / 4);
    if (n > max) break;
    out.push(n);
  }
  return out;
}

describe('the memory-leak scenario', () => {
  let demo: ChildProcess;
  let base: string;
  let output = '';
  const seenPids = new Set<number>();
  let watcher: NodeJS.Timeout | undefined;
  let exitCode: number | null | undefined;
  /** when this test's demo was started (after waiting for the whole-demo lock) */
  let t0 = 0;
  let readyS = 0;
  let firstTraceS = 0;

  const get = async <T>(p: string): Promise<T> => {
    const r = await fetch(base + p, { signal: AbortSignal.timeout(20_000) });
    if (!r.ok) throw new Error(`GET ${p}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  /** One instant value of a PromQL expression (undefined when the result is empty). */
  const promValue = async (expr: string, timeS?: number): Promise<number | undefined> => {
    const q = new URLSearchParams({ query: expr });
    if (timeS !== undefined) q.set('time', String(timeS));
    const r = await get<{ data: { resultType: string; result: Array<{ value: [number, string] }> } }>(
      `/api/v1/query?${q}`,
    );
    const v = r.data.result[0]?.value[1];
    return v === undefined ? undefined : Number(v);
  };
  const traces = async (params: Record<string, string>): Promise<JaegerTrace[]> =>
    (await get<{ data: JaegerTrace[] }>(`/api/traces?${new URLSearchParams(params)}`)).data;
  const leakSpans = (ts: JaegerTrace[], hit: boolean): JaegerSpan[] =>
    ts.flatMap((t) =>
      t.spans.filter(
        (s) =>
          s.operationName === LEAK.spanName &&
          t.processes[s.processID]?.serviceName === REC &&
          s.tags.some((g) => g.key === LEAK.cacheHit && g.value === hit),
      ),
    );
  const tag = (s: JaegerSpan, key: string): unknown => s.tags.find((g) => g.key === key)?.value;

  let releaseDemo: (() => void) | undefined;
  beforeAll(async () => {
    releaseDemo = await holdWholeDemo();
    t0 = Date.now();
    if (!existsSync(BIN)) throw new Error('dist/ is missing: run npx tsc -p tsconfig.json first');
    const port = await freeDemoPort();
    base = `http://127.0.0.1:${port}`;
    demo = spawnFastDemo(port);
    demo.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    demo.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    demo.once('exit', (code) => (exitCode = code));
    // Remember every process of the demo, restarted ones included, to check none is left.
    watcher = setInterval(() => {
      if (demo.pid) for (const p of descendants(demo.pid)) seenPids.add(p);
    }, 500);
    while (!/ready in [\d.]+ s/.test(output)) {
      if (exitCode !== undefined) throw new Error(`orrery demo exited with ${exitCode}:\n${output}`);
      if (Date.now() - t0 > 180_000) throw new Error(`orrery demo not ready in 180 s:\n${output}`);
      await sleep(200);
    }
    readyS = (Date.now() - t0) / 1000;
    for (;;) {
      const found = await traces({ service: REC, limit: '1', lookback: '1h' }).catch(() => []);
      if (found.length) break;
      if (Date.now() - t0 > 240_000) throw new Error('no recommendationservice trace searchable');
      await sleep(500);
    }
    firstTraceS = (Date.now() - t0) / 1000;
    console.log(
      `[scenario] demo on port ${port}: ready in ${readyS.toFixed(1)} s, first trace searchable at ${firstTraceS.toFixed(1)} s`,
    );
  }, WHOLE_DEMO_WAIT_MS + 900_000);

  afterAll(async () => {
    if (demo && exitCode === undefined) {
      demo.kill('SIGTERM');
      const deadline = Date.now() + 30_000;
      while (exitCode === undefined && Date.now() < deadline) await sleep(100);
      if (exitCode === undefined) demo.kill('SIGKILL');
    }
    if (watcher) clearInterval(watcher);
    await sleep(500);
    const left = [...seenPids].filter(alive);
    for (const p of left) process.kill(p, 'SIGKILL'); // never leave them, even when failing
    releaseDemo?.();
    expect(exitCode).toBe(0);
    expect(seenPids.size).toBeGreaterThanOrEqual(13);
    expect(left).toEqual([]);
  }, 60_000);

  it('shows the leak through traces and metrics, ending in an out-of-memory restart', async () => {
    const sel = `service_name="${REC}",span_name="${LEAK.spanName}"`;
    const sumQ = `sum(${SPAN_METRICS.durationSum}{${sel}})`;
    const countQ = `sum(${SPAN_METRICS.durationCount}{${sel}})`;
    const memQ = `${RUNTIME_METRICS.memoryRss}{service_name="${REC}"}`;
    const restartQ = `${SUPERVISOR_METRICS.restarts}{service_name="${REC}"}`;

    // Flag off: the baseline mean of get_product_list over a window after warm-up (the first calls
    // of freshly started processes are slow and would inflate it).
    const countAt = async (t?: number): Promise<number> => (await promValue(countQ, t)) ?? 0;
    while ((await countAt()) < 10) {
      expect(Date.now() - t0, 'get_product_list span metrics with the flag off').toBeLessThan(300_000);
      await sleep(2000);
    }
    const tA = Date.now() / 1000;
    const countA = await countAt(tA);
    const sumA = (await promValue(sumQ, tA))!;
    while ((await countAt()) < countA + 20 || Date.now() / 1000 - tA < 20) {
      expect(Date.now() - t0, 'more get_product_list calls with the flag off').toBeLessThan(400_000);
      await sleep(2000);
    }
    const tOn = Date.now() / 1000;
    const countOn0 = await countAt(tOn);
    const sumOn0 = (await promValue(sumQ, tOn))!;
    const countOff = countOn0 - countA;
    const meanOff = (sumOn0 - sumA) / countOff;
    const memOff = (await promValue(memQ, tOn))!;
    expect(await promValue(restartQ, tOn)).toBe(0);
    const put = await fetch(`${base}/api/flags/${LEAK.flag}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"value":"on"}',
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ key: LEAK.flag, value: 'on' });

    // Flag on: wait for the out-of-memory restart, the counter the supervisor feeds.
    while (((await promValue(restartQ)) ?? 0) < 1) {
      expect(Date.now() / 1000 - tOn, `OOM restart after the flag went on\n${output.slice(-3000)}`).toBeLessThan(420);
      await sleep(3000);
    }
    const tRestart = Date.now() / 1000;
    const minutes = (tRestart - tOn) / 60;
    console.log(`[scenario] first OOM restart ${minutes.toFixed(2)} min after the flag went on`);
    expect(output).toMatch(
      /\[supervisor\] recommendationservice exited \(code .*, signal .*, out of memory\), restart #1 in/,
    );
    const notes = await get<Array<{ tags: string[]; text: string; time: number }>>(`/api/annotations?tags=restart`);
    const restartNote = notes.find((a) => a.tags.includes(REC));
    expect(restartNote?.text).toMatch(/recommendationservice restarted \(#1\): out of memory/);
    const flagNotes = await get<Array<{ text: string }>>(`/api/annotations?tags=flag`);
    expect(flagNotes.map((a) => a.text)).toContain('recommendationCache → on');

    // Mean duration of get_product_list, off vs on: the second half of the flag-on period, when the
    // list is long (span metrics are cumulative in the backend, so restarts do not reset them).
    const tMid = tOn + (tRestart - tOn) / 2;
    const countLate = (await countAt(tRestart)) - (await countAt(tMid));
    const meanLate = ((await promValue(sumQ, tRestart))! - (await promValue(sumQ, tMid))!) / countLate;
    console.log(
      `[scenario] get_product_list mean ${meanOff.toFixed(1)} ms off (${countOff} calls), ${meanLate.toFixed(1)} ms in the 2nd half with the flag on (${countLate} calls)`,
    );
    expect(countLate).toBeGreaterThan(5);
    expect(meanLate).toBeGreaterThan(meanOff);

    // Memory rose with the flag on (RSS as exported by the service's host metrics).
    const memMax = (await promValue(`max_over_time(${memQ}[${Math.ceil(tRestart - tOn) + 15}s])`, tRestart))!;
    console.log(
      `[scenario] ${REC} RSS ${(memOff / 2 ** 20).toFixed(0)} MB at flag on, peak ${(memMax / 2 ** 20).toFixed(0)} MB`,
    );
    // The service exports every 10 s and the list grows fastest just before the OOM, so the highest
    // exported sample can be well below the real peak (seen: +18 MB to +104 MB): the check asks for
    // a clear rise (10 MB, a twelfth of the heap limit), not for the peak.
    expect(memMax).toBeGreaterThan(memOff + 10 * 2 ** 20);

    // Traces: misses and hits exist; a miss's app.products.count follows the ~1.25x growth.
    const window = {
      service: REC,
      limit: '500',
      start: String(Math.floor(tOn * 1e6)),
      end: String(Math.floor(tRestart * 1e6)),
    };
    const misses = leakSpans(await traces({ ...window, tags: JSON.stringify({ [LEAK.cacheHit]: 'false' }) }), false);
    const hits = leakSpans(await traces({ ...window, tags: JSON.stringify({ [LEAK.cacheHit]: 'true' }) }), true);
    expect(misses.length).toBeGreaterThan(3);
    expect(hits.length).toBeGreaterThan(3);
    const seq = leakSequence(1e9);
    const counts = [...new Set(misses.map((s) => Number(tag(s, LEAK.productsCount))))].sort((a, b) => a - b);
    for (const c of counts) expect(seq, `app.products.count ${c} on a miss`).toContain(c);
    const ratios = counts.flatMap((c, i) =>
      i > 0 && seq.indexOf(c) === seq.indexOf(counts[i - 1]!) + 1 && c > 1000 ? [c / counts[i - 1]!] : [],
    );
    console.log(
      `[scenario] ${misses.length} misses, ${hits.length} hits; largest app.products.count ${counts[counts.length - 1]}; consecutive growth ${ratios.map((r) => r.toFixed(3)).join(' ')}`,
    );
    expect(ratios.length).toBeGreaterThan(0);
    for (const r of ratios) {
      expect(r).toBeGreaterThan(1.2);
      expect(r).toBeLessThan(1.3);
    }
    // Misses are slower than the flag-off calls once the list is long: the biggest list's span
    // takes longer than the off-mean.
    const biggest = misses.reduce((a, b) =>
      Number(tag(b, LEAK.productsCount)) > Number(tag(a, LEAK.productsCount)) ? b : a,
    );
    expect(biggest.duration / 1000).toBeGreaterThan(meanOff);

    // After the restart, the list starts small again.
    let small: JaegerSpan | undefined;
    while (!small) {
      const after = leakSpans(
        await traces({
          service: REC,
          limit: '100',
          start: String(Math.floor(tRestart * 1e6)),
          end: String(Math.floor(Date.now() * 1e3)),
          tags: JSON.stringify({ [LEAK.cacheHit]: 'false' }),
        }),
        false,
      );
      small = after.find((s) => Number(tag(s, LEAK.productsCount)) <= 100);
      if (!small) {
        expect(Date.now() / 1000 - tRestart, 'a small app.products.count after the restart').toBeLessThan(240);
        await sleep(2000);
      }
    }
    console.log(
      `[scenario] a small product list again ${(Date.now() / 1000 - tRestart).toFixed(1)} s after the restart was counted`,
    );
    expect(seq.slice(0, 5)).toContain(Number(tag(small, LEAK.productsCount)));
  }, 720_000);
});
