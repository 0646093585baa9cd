// Ingest benchmark: the backend (`orrery serve`, built) runs as its own process pinned to core 0;
// a sender process pinned to core 1 posts demo-shaped traces (the load generator's six kinds of
// user action, 6-24 spans per trace, the shop's service and span names, HTTP and gRPC attributes)
// as OTLP/HTTP protobuf, 512 spans per request over several keep-alive connections, for a fixed
// time. Every span sent is new: IDs, timestamps, durations, a request ID per span, user, session,
// order and transaction IDs, products and amounts are rewritten before each send
// (bench/demo-traces.ts). Prints accepted spans/s, the backend's peak RSS (VmHWM) and the memory
// per stored span: the trace store's own estimate and the RSS growth divided by spans, next to the
// OTLP bytes per span sent as the reference measured in the same run.
//
//   npm run bench:ingest                       (defaults: 20 s, 8 connections)
//   node dist/bench/ingest.js --duration 30s --connections 4
//   node dist/bench/ingest.js --memory-limit 200MB --trace-budget 1GiB   (does the limit hold?)
//   npm run bench:ingest -- --decode-only     (issue 14: orrery serve --data-dir against a receiver
//                                              that only decodes with protobufjs, and against
//                                              itself without a trace store, alternated
//                                              --rounds times; spans/s, per CPU-second, ratios;
//                                              --profile DIR keeps the backend's CPU profiles)
//   npm run bench:ingest -- --wal             (write-ahead logs on against off, in the same run:
//                                              spans/s, and samples/s of demo-shaped OTLP metrics
//                                              from bench/demo-metrics.ts; prints the ratios)
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from '../src/cli/args.js';
import { theilSenSlope } from '../src/diagnosis/stats.js';
import { metricValue, procCpuSeconds, procStatus, startBackend, type RunningBackend } from './backend-process.js';
import { startDecodeOnlyReceiver } from './decode-only-receiver.js';
import { runSender, type SenderResult, type SenderSignal } from './sender.js';

interface BenchFlags {
  duration: number;
  connections: number;
  batch: number;
  traceBudget: string;
  memoryLimit: string | undefined;
  seriesPerMetric: number;
}

/** `orrery serve` pinned to core 0 with the run's budget and limit, ready. */
function backend(
  flags: BenchFlags,
  extra: readonly string[],
  nodeArgs: readonly string[] = [],
): Promise<RunningBackend> {
  return startBackend({
    nodeArgs,
    args: [
      '--trace-budget',
      flags.traceBudget,
      '--retention',
      '2h',
      ...(flags.memoryLimit !== undefined ? ['--memory-limit', flags.memoryLimit] : []),
      ...extra,
    ],
  });
}

/** The sender pinned to core 1 for the configured time; its tally. */
function sendTo(flags: BenchFlags, httpPort: number, signal: SenderSignal): Promise<SenderResult> {
  return runSender({
    url: `http://127.0.0.1:${httpPort}/v1/${signal}`,
    signal,
    durationMs: flags.duration,
    connections: flags.connections,
    batch: flags.batch,
    seriesPerMetric: flags.seriesPerMetric,
  });
}

/** Bytes of the regular files under dir. */
function duBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += duBytes(p);
    else if (e.isFile()) n += statSync(p).size;
  }
  return n;
}

/** WAL on against off, for spans and for samples, each on a fresh backend in this run. */
async function compareWal(flags: BenchFlags): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'orrery-bench-wal-'));
  const rows: {
    signal: SenderSignal;
    wal: boolean;
    perSec: number;
    perCpu: number;
    diskBytes: number;
    items: number;
  }[] = [];
  try {
    for (const signal of ['traces', 'metrics'] as const) {
      for (const wal of [false, true]) {
        const dataDir = path.join(root, `${signal}-${wal ? 'wal' : 'mem'}`);
        const b = await backend(flags, wal ? ['--data-dir', dataDir] : []);
        try {
          await new Promise((r) => setTimeout(r, 1000));
          const cpuBefore = await metricValue(b.api, 'process_cpu_seconds_total');
          const s = await sendTo(flags, b.httpPort, signal);
          const busy = (await metricValue(b.api, 'process_cpu_seconds_total')) - cpuBefore;
          const item = signal === 'traces' ? 'spans' : 'samples';
          const diskBytes = wal ? duBytes(dataDir) : 0;
          rows.push({
            signal,
            wal,
            perSec: s.accepted / s.secs,
            perCpu: s.accepted / busy,
            diskBytes,
            items: s.accepted,
          });
          console.log(
            `${signal.padEnd(7)} WAL ${wal ? 'on ' : 'off'}: ${s.accepted} ${item} in ${s.secs.toFixed(1)} s = ${Math.round(s.accepted / s.secs)} ${item}/s, ` +
              `${Math.round(s.accepted / busy)} per backend CPU-second (${((busy / s.secs) * 100).toFixed(0)}% of its core); refused ${s.refused}, failed ${s.failed}` +
              (wal
                ? `; data dir ${(diskBytes / 2 ** 20).toFixed(1)} MiB = ${(diskBytes / s.accepted).toFixed(1)} bytes per ${item.slice(0, -1)}`
                : ''),
          );
        } finally {
          await b.stop();
        }
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  for (const signal of ['traces', 'metrics'] as const) {
    const off = rows.find((r) => r.signal === signal && !r.wal)!;
    const on = rows.find((r) => r.signal === signal && r.wal)!;
    const item = signal === 'traces' ? 'spans' : 'samples';
    console.log(
      `${item}: WAL on / off = ${(on.perSec / off.perSec).toFixed(2)}x ${item}/s, ${(on.perCpu / off.perCpu).toFixed(2)}x per backend CPU-second (goal: within 15 %, i.e. >= 0.85x)`,
    );
  }
}

interface RunFigures {
  readonly perSec: number;
  readonly perCpu: number;
  /** share of its core the process used */
  readonly busy: number;
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 1000));

/**
 * Issue 14's speed goal: `orrery serve --data-dir` against a receiver that only decodes
 * (bench/decode-only-receiver.ts), each pinned to core 0 in turn, the same sender on core 1,
 * alternated (A B C A B C) so that all see the same machine. CPU from /proc for each. The third,
 * `orrery serve --data-dir --no-local-traces`, is the same backend without its trace store
 * (decoding, limits, span metrics and their write-ahead log): the floor that any trace store adds
 * its own cost to.
 */
async function compareDecodeOnly(flags: BenchFlags, rounds: number, profileDir: string | undefined): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'orrery-bench-decode-only-'));
  const orrery: RunFigures[] = [];
  const storeless: RunFigures[] = [];
  const reference: RunFigures[] = [];
  const figures = (s: SenderResult, cpu: number): RunFigures => ({
    perSec: s.accepted / s.secs,
    perCpu: s.accepted / cpu,
    busy: cpu / s.secs,
  });
  const line = (label: string, s: SenderResult, f: RunFigures): string =>
    `${label}: ${s.accepted} spans in ${s.secs.toFixed(1)} s = ${Math.round(f.perSec)} spans/s, ${Math.round(f.perCpu)} per CPU-second (${(f.busy * 100).toFixed(0)}% of its core); refused ${s.refused}, failed ${s.failed}`;
  const runOrrery = async (label: string, dataDir: string, extra: readonly string[]): Promise<RunFigures> => {
    const prof = profileDir !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const b = await backend(flags, ['--data-dir', dataDir, ...extra], prof);
    try {
      await settle();
      const cpu0 = procCpuSeconds(b.pid);
      const s = await sendTo(flags, b.httpPort, 'traces');
      const f = figures(s, procCpuSeconds(b.pid) - cpu0);
      console.log(line(label, s, f));
      return f;
    } finally {
      await b.stop();
    }
  };
  try {
    for (let r = 1; r <= rounds; r++) {
      orrery.push(await runOrrery(`round ${r}, orrery serve --data-dir`, path.join(root, `round-${r}`), []));
      const ref = await startDecodeOnlyReceiver(0);
      let stopped = false;
      try {
        await settle();
        const cpu0 = procCpuSeconds(ref.pid);
        const s = await runSender({
          url: `http://127.0.0.1:${ref.port}/v1/traces`,
          durationMs: flags.duration,
          connections: flags.connections,
          batch: flags.batch,
        });
        const f = figures(s, procCpuSeconds(ref.pid) - cpu0);
        reference.push(f);
        stopped = true;
        const decoded = await ref.stop();
        console.log(line(`round ${r}, decode-only receiver (protobufjs)`, s, f) + `; decoded ${decoded} spans`);
      } finally {
        if (!stopped) await ref.stop();
      }
      storeless.push(
        await runOrrery(
          `round ${r}, orrery serve --data-dir --no-local-traces (no trace store)`,
          path.join(root, `round-${r}-storeless`),
          ['--no-local-traces'],
        ),
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const mean = (xs: RunFigures[], f: (x: RunFigures) => number) => xs.reduce((n, x) => n + f(x), 0) / xs.length;
  const ratios = (xs: RunFigures[]): string => {
    const perRound = xs.map((o, i) => (o.perCpu / reference[i]!.perCpu).toFixed(2)).join(', ');
    return `${(mean(xs, (x) => x.perSec) / mean(reference, (x) => x.perSec)).toFixed(2)}x spans/s, ${(mean(xs, (x) => x.perCpu) / mean(reference, (x) => x.perCpu)).toFixed(2)}x spans per CPU-second (rounds: ${perRound})`;
  };
  console.log(`orrery / decode-only over ${rounds} rounds: ${ratios(orrery)}; goal ≥ 1.0`);
  console.log(`orrery without its trace store / decode-only: ${ratios(storeless)}`);
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}

/**
 * Samples the backend's RSS and stored spans every second while sending; stop() gives the robust
 * slope (bytes of RSS per stored span) over the samples after the first third of the run, when
 * the fixed costs have been paid, or undefined with fewer than 5 samples there.
 */
function sampleGrowth(api: string, pid: number): { stop: () => number | undefined } {
  const samples: { spans: number; rss: number }[] = [];
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    metricValue(api, 'orrery_trace_store_spans')
      .then((spans) => samples.push({ spans, rss: procStatus(pid, 'VmRSS') }))
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, 1000);
  return {
    stop: () => {
      clearInterval(timer);
      const late = samples.slice(Math.floor(samples.length / 3)).filter((x) => Number.isFinite(x.spans));
      if (late.length < 5) return undefined;
      return theilSenSlope(
        late.map((x) => x.spans),
        late.map((x) => x.rss),
      );
    },
  };
}

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2), {
    duration: { type: 'duration', default: '20s', help: 'how long to send' },
    connections: { type: 'int', default: 8, help: 'concurrent keep-alive connections' },
    batch: { type: 'int', default: 512, help: 'spans per request' },
    seriesPerMetric: {
      type: 'int',
      default: 50,
      help: 'with --wal: series per metric of each connection (8 metrics: 400 points per request)',
    },
    wal: { type: 'bool', default: false, help: 'compare write-ahead logs on (--data-dir) against off' },
    decodeOnly: {
      type: 'bool',
      default: false,
      help: 'compare orrery serve --data-dir against a receiver that only decodes with protobufjs, alternated',
    },
    rounds: { type: 'int', default: 2, help: 'with --decode-only: rounds of the two, alternated' },
    profile: {
      type: 'string',
      help: 'with --decode-only: write CPU profiles of the backend (node --cpu-prof) to this directory',
    },
    traceBudget: { type: 'string', default: '4GiB', help: 'backend --trace-budget' },
    memoryLimit: {
      type: 'string',
      help: 'backend --memory-limit (then the peak RSS shows whether the limit holds under this load)',
    },
    dataDir: {
      type: 'string',
      help: 'backend --data-dir (an empty directory): also prints the trace store bytes on disk per span',
    },
  });
  if (flags.decodeOnly) {
    console.log(
      `orrery serve --data-dir against a decode-only receiver, each on core 0 in turn for ${flags.duration / 1000}s over ${flags.connections} connections (sender on core 1), ${flags.batch} spans per request`,
    );
    await compareDecodeOnly(flags, flags.rounds, flags.profile);
    return;
  }
  if (flags.wal) {
    console.log(
      `write-ahead logs on (--data-dir) against off: each case on a fresh backend (core 0) for ${flags.duration / 1000}s over ${flags.connections} connections (sender on core 1); traces ${flags.batch} spans per request, metrics ${8 * flags.seriesPerMetric} points per request`,
    );
    await compareWal(flags);
    return;
  }
  const b = await backend(flags, flags.dataDir !== undefined ? ['--data-dir', flags.dataDir] : []);
  const api = b.api;
  let stored = { spans: 0, wireBytesPerSpan: 0 };
  try {
    const pid = b.pid;
    await new Promise((r) => setTimeout(r, 1000));
    const rssBefore = procStatus(pid, 'VmRSS');
    const cpuBefore = await metricValue(api, 'process_cpu_seconds_total');
    console.log(
      `backend pid ${pid} on core 0, RSS at rest ${(rssBefore / 2 ** 20).toFixed(1)} MiB; sending for ${flags.duration / 1000}s over ${flags.connections} connections, ${flags.batch} spans per request (sender on core 1)`,
    );
    const growth = sampleGrowth(api, pid);
    const s = await sendTo(flags, b.httpPort, 'traces');
    const slope = growth.stop();
    const backendAccepted = await metricValue(api, 'otelcol_receiver_accepted_spans_total', 'transport="http"');
    const storedSpans = await metricValue(api, 'orrery_trace_store_spans');
    const storeBytes = await metricValue(api, 'orrery_trace_store_bytes');
    const dropped = await metricValue(api, 'orrery_trace_store_dropped_spans_total');
    const rssAfter = procStatus(pid, 'VmRSS');
    const hwm = procStatus(pid, 'VmHWM');
    const cpu = await metricValue(api, 'process_cpu_seconds_total');
    const mib = (b: number): string => (b / 2 ** 20).toFixed(1);
    console.log(
      `requests ${s.requests} (avg ${(s.avgBatchBytes / 1024).toFixed(0)} KiB, ${Math.round(s.bytes / s.sentSpans)} OTLP bytes per span), refused spans ${s.refused}, failed spans ${s.failed}; sender CPU ${s.senderCpu.toFixed(1)} s (${s.genSecs.toFixed(1)} s making fresh requests)`,
    );
    console.log(
      `accepted: ${s.accepted} spans in ${s.secs.toFixed(1)} s = ${Math.round(s.accepted / s.secs)} spans/s (backend counted ${backendAccepted})`,
    );
    const busy = cpu - cpuBefore;
    console.log(
      `backend CPU while sending: ${busy.toFixed(1)} s of ${s.secs.toFixed(1)} s (${((busy / s.secs) * 100).toFixed(0)}% of its core) → ${Math.round(s.accepted / busy)} spans per backend CPU-second (capacity on one idle core)`,
    );
    if (busy / s.secs < 0.8)
      console.log(
        'note: the backend core was not saturated (sender-bound or a loaded machine); spans/s above understates capacity',
      );
    console.log(
      `trace store: ${storedSpans} spans, ${mib(storeBytes)} MiB by its estimate = ${Math.round(storeBytes / storedSpans)} bytes/span; dropped ${dropped}`,
    );
    console.log(
      `backend RSS: ${mib(rssBefore)} → ${mib(rssAfter)} MiB, peak (VmHWM) ${mib(hwm)} MiB; RSS growth per stored span ${Math.round((rssAfter - rssBefore) / storedSpans)} bytes (includes span metrics, GC headroom and allocator slack)`,
    );
    console.log(
      `memory per span against the wire: store estimate ${(storeBytes / storedSpans / (s.bytes / s.sentSpans)).toFixed(2)}x, RSS growth ${((rssAfter - rssBefore) / storedSpans / (s.bytes / s.sentSpans)).toFixed(2)}x the OTLP protobuf bytes of a span`,
    );
    if (slope !== undefined)
      console.log(
        `RSS per added span once running (Theil-Sen slope of RSS against stored spans, sampled every second after the first third of the run; ` +
          `excludes the fixed costs above: young generation, span-metric series, code): ${Math.round(slope)} bytes = ` +
          `${(slope / (s.bytes / s.sentSpans)).toFixed(2)}x the OTLP protobuf bytes of a span`,
      );
    stored = { spans: storedSpans, wireBytesPerSpan: s.bytes / s.sentSpans };
  } finally {
    await b.stop();
  }
  if (flags.dataDir !== undefined && stored.spans > 0) {
    // after a clean shutdown every stored span is in a sealed segment file
    const dir = path.join(flags.dataDir, 'traces', 'segments');
    const files = readdirSync(dir).filter((f) => f.endsWith('.seg'));
    const bytes = files.reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
    console.log(
      `trace store on disk: ${files.length} segment files, ${(bytes / 2 ** 20).toFixed(1)} MiB = ${Math.round(bytes / stored.spans)} bytes/span = ${(bytes / stored.spans / stored.wireBytesPerSpan).toFixed(2)}x the OTLP protobuf bytes of a span`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
