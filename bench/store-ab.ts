// The trace store's CPU per span, in process: this build's TraceStore.consumeTraces against another
// build's (a copy of an older dist/), on the same demo batches (bench/demo-traces.ts: every ID,
// time and request ID fresh), the two alternated round by round so that load from other jobs
// falls on both alike. Each batch is decoded outside the timing; CPU time is the process's.
// Run: npm run -s build:server && cp -r dist /tmp/old-dist  (before a change), then after it:
//   node dist/bench/store-ab.js --base /tmp/old-dist [--batches 200] [--rounds 16]
import { loadavg } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { TracesData } from '../src/otlp/model.js';
import { decodeTracesRequest } from '../src/otlp/decode-protobuf.js';
import { TraceStore, type TraceStoreOptions } from '../src/traces/store.js';
import { Template } from './demo-traces.js';

interface Store {
  consumeTraces(batch: TracesData): void;
}
type StoreClass = new (opts: TraceStoreOptions) => Store;

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    batches: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '16' },
  },
});
if (values.base === undefined) throw new Error('store-ab: --base DIR (another build of dist/) is required');
const baseUrl = pathToFileURL(path.resolve(values.base, 'src', 'traces', 'store.js')).href;
const Base = ((await import(baseUrl)) as { TraceStore: StoreClass }).TraceStore;
const builds: [string, StoreClass][] = [
  ['base', Base],
  ['this', TraceStore],
];

const templates = Array.from({ length: 8 }, () => new Template(512));
const t0 = Date.now() - 600_000;
const bodies: Buffer[] = [];
let spans = 0;
for (let i = 0; i < Number(values.batches); i++) {
  const t = templates[i % templates.length]!;
  bodies.push(t.fresh(t0 + i * 20));
  spans += t.spans;
}

/** CPU ms one fresh store spends consuming every batch. */
function run(Store: StoreClass): number {
  const store = new Store({ budgetBytes: 64 * 1024 * 1024, now: () => t0 + 600_000 });
  let us = 0;
  for (const body of bodies) {
    const batch = decodeTracesRequest(body);
    const c = process.cpuUsage();
    store.consumeTraces(batch);
    const d = process.cpuUsage(c);
    us += d.user + d.system;
  }
  return us / 1000;
}

const ms = new Map<string, number[]>(builds.map(([name]) => [name, []]));
for (let r = 0; r < Number(values.rounds); r++)
  for (const [name, Store] of r % 2 === 0 ? builds : [...builds].reverse()) ms.get(name)!.push(run(Store));
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
for (const [name, a] of ms)
  console.log(
    `${name}: median ${median(a).toFixed(0)} ms = ${Math.round((spans / median(a)) * 1000)} spans per CPU-second (best ${Math.min(...a).toFixed(0)} ms)`,
  );
const [b, n] = [ms.get('base')!, ms.get('this')!];
console.log(
  `${spans} spans x ${values.rounds} rounds: this/base CPU ${(median(n) / median(b)).toFixed(3)} (median), ${(Math.min(...n) / Math.min(...b)).toFixed(3)} (best); load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
