// The event loop's longest stall while the TSDB writes blocks (issue 14: a 2 h cut at 100k series
// used to stop ingestion and queries for seconds). For each size, a head is filled with series of
// demo-shaped labels (the pod unique per series), one sample per series per minute (timestamps
// with a few ms of jitter, counters growing by random amounts), ending now; then
//   cut:     a maintenance pass cuts two 2 h blocks from 5.2 h of head,
//   compact: after 2 h more, a pass cuts the third block and compacts the three into one,
// while perf_hooks' monitorEventLoopDelay records the longest delay. Subject: blocks written in
// the worker thread (the default); reference in the same run: the same passes written on the
// event loop (blockWorker: false), alternated subject/reference (A B A B; one pair at the
// largest size). Prints the longest stall of each, their ratio, the pass's duration, the longest
// delay of the idle loop over a second (the floor the machine's load sets) and the load average.
//
//   npm run bench:cut                          (default --sizes=2000,20000,100000)
//   node dist/bench/cut.js --sizes=2000 --rounds=2
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import type { Labels } from '../src/labels/labels.js';
import { Head } from '../src/tsdb/head.js';
import { Tsdb } from '../src/tsdb/db.js';

const BLOCK_MS = 2 * 3600_000;
const STEP_MS = 60_000;

function seriesLabels(n: number): Labels[] {
  const names = ['rpc_server_duration_count', 'http_server_active_requests', 'process_runtime_heap_bytes'];
  const services = ['frontend', 'cartservice', 'checkoutservice', 'currencyservice', 'paymentservice'];
  return Array.from({ length: n }, (_, i) => [
    { name: '__name__', value: names[i % names.length]! },
    { name: 'job', value: services[i % services.length]! },
    { name: 'pod', value: randomUUID() },
    { name: 'route', value: `/api/${i % 17}` },
  ]);
}

/** Appends one sample per series per step in [from, to), as a scrape or OTLP export would. */
function fill(head: Head, labels: readonly Labels[], values: Float64Array, from: number, to: number): void {
  for (let t = from; t < to; t += STEP_MS) {
    for (let i = 0; i < labels.length; i++) {
      values[i]! += Math.floor(Math.random() * 20);
      const status = head.append(labels[i]!, t + (i % 7), values[i]!);
      if (status !== 'ok') throw new Error(`append refused: ${status}`);
    }
  }
}

interface Measure {
  readonly stallMs: number;
  readonly passMs: number;
  readonly blocks: number;
}

/** The longest event-loop delay while `work` runs, and how long it took. */
async function longestStall(work: () => Promise<unknown>): Promise<{ stallMs: number; ms: number }> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  // a timer keeps the loop turning, so that a blocked turn shows as one long delay
  const tick = setInterval(() => {}, 5);
  h.enable();
  // the histogram's first turns only set its baseline: let them pass before the work starts
  await new Promise((r) => setTimeout(r, 30));
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 20));
  h.disable();
  clearInterval(tick);
  return { stallMs: h.max / 1e6, ms };
}

async function measuredPass(db: Tsdb): Promise<Measure> {
  const { stallMs, ms } = await longestStall(() => db.maintain());
  return { stallMs, passMs: ms, blocks: db.blockMetas().length };
}

/** The floor at this load: the longest delay of an idle event loop over one second. */
async function idleStall(): Promise<number> {
  return (await longestStall(() => new Promise((r) => setTimeout(r, 1000)))).stallMs;
}

async function round(size: number, inWorker: boolean): Promise<{ cut: Measure; compact: Measure }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'orrery-bench-cut-'));
  const labels = seriesLabels(size);
  const values = new Float64Array(size);
  // 7.2 h ending now, starting on a 6 h compaction window so that three blocks fill it
  const start = Math.floor((Date.now() - 7.2 * 3600_000) / (3 * BLOCK_MS)) * 3 * BLOCK_MS;
  const head = new Head();
  const db = new Tsdb({ dir, head, blockDurationMs: BLOCK_MS, blockWorker: inWorker, log: () => {} });
  try {
    if (db.blocksInWorker !== inWorker) throw new Error('the block worker is missing: run npm run build:server');
    fill(head, labels, values, start, start + 2.6 * BLOCK_MS);
    const cut = await measuredPass(db);
    if (cut.blocks !== 2) throw new Error(`expected 2 blocks after the cut, got ${cut.blocks}`);
    fill(head, labels, values, start + 2.6 * BLOCK_MS, start + 3.6 * BLOCK_MS);
    const compact = await measuredPass(db);
    if (compact.blocks !== 1) throw new Error(`expected 1 compacted block, got ${compact.blocks}`);
    return { cut, compact };
  } finally {
    await db.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
}

function option(name: string, fallback: string): string {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : arg.slice(name.length + 3);
}

async function main(): Promise<void> {
  const sizes = option('sizes', '2000,20000,100000').split(',').map(Number);
  const roundsWanted = Number(option('rounds', '2'));
  const f = (x: number): string => x.toFixed(0).padStart(6);
  console.log('longest event-loop stall (ms) during a maintenance pass: worker (subject) vs event loop (reference)');
  console.log('series   phase      worker  ref    ratio  worker pass  ref pass  idle  load');
  for (const size of sizes) {
    const rounds = size >= 100_000 ? 1 : roundsWanted;
    for (let r = 0; r < rounds; r++) {
      const a = await round(size, true);
      const b = await round(size, false);
      const idle = await idleStall();
      const load = loadavg()[0]!.toFixed(2);
      for (const phase of ['cut', 'compact'] as const) {
        const w = a[phase];
        const e = b[phase];
        console.log(
          `${String(size).padStart(6)}   ${phase.padEnd(8)} ${f(w.stallMs)} ${f(e.stallMs)}  ${(w.stallMs / e.stallMs).toFixed(2).padStart(5)}x ${f(w.passMs)} ms  ${f(e.passMs)} ms ${f(idle)}  ${load}`,
        );
      }
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
