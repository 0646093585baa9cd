// Resident memory for 24 h of the demo at 10 users (issue 14), measured without waiting a day:
//   1. a short real run of `orrery demo --users 10 --ephemeral` measures the demo's telemetry
//      (spans and traces per minute, series, samples/s, log records per minute, the backend's RSS)
//      and captures its metric and log requests (bench/demo-day/real-run.ts);
//   2. `orrery serve --data-dir <tmp>` with the demo backend's settings (retention raised to keep
//      the day) takes a simulated day of that telemetry in time order, as fast as it answers, its
//      clock moved along with the data (bench/demo-day/day.ts, clock-preload.ts), so that
//      retention, block cutting and compaction see a day pass; RSS and bytes on disk after every
//      simulated hour, and at the end a trace by ID from hour 1 and a query_range over the day;
//   3. the reference, in the same run: an in-memory backend (no data directory) fed the same
//      first hours, and the real demo's backend RSS from step 1.
//
//   npm run bench:demo-day
//   node dist/bench/demo-day.js [--users 10] [--window 180s] [--hours 24] [--ref-hours 2] [--max-minutes 28]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from '../src/cli/args.js';
import { startServe, type ServeProcess } from './demo-day/backend-process.js';
import { pushDay, type DayProgress } from './demo-day/day.js';
import { dirBytes, loadAverage, mib, resident, type Resident } from './demo-day/proc.js';
import { instant, measureDemo } from './demo-day/real-run.js';

const HOUR_MS = 3_600_000;
const log = (line: string): void => console.log(line);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface HourSample {
  readonly progress: DayProgress;
  readonly memory: Resident;
  readonly diskBytes?: number;
  /** the backend's own accounting (self-metrics), for where the memory goes */
  readonly parts?: string;
}

/** Heap, trace store and log store bytes from the backend's /metrics. */
async function memoryParts(api: string): Promise<string> {
  const text = await (await fetch(`${api}/metrics`)).text();
  const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return (
    `heap ${mib(value('orrery_process_heap_used_bytes'))}, trace store ${mib(value('orrery_trace_store_bytes'))} ` +
    `(${value('orrery_trace_store_spans')} spans), log store ${mib(value('orrery_log_store_bytes'))}`
  );
}

/** The TSDB blocks under the data directory: their ranges (hours into the day) and levels. */
function blocks(dir: string, dayStartMs: number): string[] {
  const out: { min: number; text: string }[] = [];
  for (const e of readdirSync(dir)) {
    let meta: { minTime: number; maxTime: number; compaction: { level: number } };
    try {
      meta = JSON.parse(readFileSync(path.join(dir, e, 'meta.json'), 'utf8')) as typeof meta;
    } catch {
      continue; // not a block
    }
    const h = (ms: number): string => ((ms - dayStartMs) / HOUR_MS).toFixed(1);
    out.push({
      min: meta.minTime,
      text: `${h(meta.minTime)} h to ${h(meta.maxTime)} h (level ${meta.compaction.level})`,
    });
  }
  return out.sort((a, b) => a.min - b.min).map((b) => b.text);
}

async function checkAnswers(
  backend: ServeProcess,
  dayStartMs: number,
  hours: number,
  firstTrace: { traceId: string; spans: number },
): Promise<void> {
  const trace = (await (await fetch(`${backend.api}/api/traces/${firstTrace.traceId}`)).json()) as {
    data?: { spans: unknown[] }[];
  };
  const found = trace.data?.[0]?.spans.length ?? 0;
  log(
    `  trace ${firstTrace.traceId} from hour 1 by ID: ${found} of ${firstTrace.spans} spans ${found === firstTrace.spans ? 'found' : 'MISSING'}`,
  );
  if (found !== firstTrace.spans) process.exitCode = 1;
  const end = dayStartMs + hours * HOUR_MS;
  const params = new URLSearchParams({
    query: 'count({__name__=~".+"})',
    start: String(dayStartMs / 1000 + 3600),
    end: String(end / 1000),
    step: '3600',
  });
  const t0 = performance.now();
  const res = (await (await fetch(`${backend.api}/api/v1/query_range?${params}`)).json()) as {
    status: string;
    error?: string;
    data?: { result: { values: [number, string][] }[] };
  };
  const values = res.data?.result[0]?.values ?? [];
  const ms = performance.now() - t0;
  if (res.status !== 'success' || values.length < hours) process.exitCode = 1;
  const at = (i: number): string =>
    values[i] ? `${values[i]![1]} at ${((values[i]![0] * 1000 - dayStartMs) / HOUR_MS).toFixed(1)} h` : 'none';
  log(
    `  query_range count({__name__=~".+"}) over the ${hours} h, step 1 h: ${res.status} ${res.error ?? ''}, ${values.length} points in ${ms.toFixed(0)} ms (${at(0)}, ${at(Math.floor(values.length / 2))}, ${at(values.length - 1)})`,
  );
  // how often the backend wrote its self-metrics in simulated time (the demo: every 10 s, 360 an hour)
  const perHour = await instant(backend.api, 'max(count_over_time(orrery_tsdb_head_series[1h]))', end);
  log(`  self-metrics samples per series in the last simulated hour: ${perHour} (the demo in real time: 360)`);
}

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2), {
    users: { type: 'int', default: 10, help: 'load generator users in the real run' },
    warmup: { type: 'duration', default: '30s', help: 'real run: load before measuring' },
    window: { type: 'duration', default: '180s', help: 'real run: the measured (and captured) window' },
    hours: { type: 'int', default: 24, help: 'simulated hours for the disk-backed backend' },
    refHours: { type: 'int', default: 2, help: 'simulated hours for the in-memory reference' },
    maxMinutes: {
      type: 'number',
      default: 28,
      help: 'disk-backed run: stop after the hour in which this much real time passed',
    },
    spanMetricsInterval: {
      type: 'string',
      default: '100ms',
      help: 'the backends’ span metrics and self-metrics interval (real time; the least serve takes)',
    },
    lockWait: { type: 'duration', default: '10m', help: 'real run: longest wait for the whole-demo tests’ lock' },
    keep: { type: 'bool', default: false, help: 'keep the data directory' },
  });
  const started = Date.now();
  log(`bench:demo-day ${new Date().toISOString()}, load average ${loadAverage()}, ${JSON.stringify(flags)}`);

  log(
    `1. real run: orrery demo --users ${flags.users} --ephemeral, ${flags.window / 1000} s measured after ${flags.warmup / 1000} s`,
  );
  const shape = await measureDemo({
    users: flags.users,
    warmupMs: flags.warmup,
    windowMs: flags.window,
    lockWaitMs: flags.lockWait,
    log,
  });
  const perMin = (n: number): string => ((n * 60_000) / shape.windowMs).toFixed(0);
  log(
    `  through the proxy: ${perMin(shape.spans)} spans/min, ${perMin(shape.traces)} traces/min (${(shape.spans / Math.max(1, shape.traces)).toFixed(1)} spans/trace, ${(shape.spanBytes / Math.max(1, shape.spans)).toFixed(0)} B/span on the wire), ` +
      `${perMin(shape.metricPoints)} metric points/min in ${shape.metricRequests.length} requests, ${perMin(shape.logRecords)} log records/min`,
  );
  log(
    `  the backend's own figures: ${shape.backend.series} series, ${shape.backend.samplesPerSec.toFixed(0)} samples/s appended, ` +
      `${shape.backend.spansPerMin.toFixed(0)} spans/min and ${shape.backend.logRecordsPerMin.toFixed(0)} log records/min accepted`,
  );
  const rss = shape.rss.map((r) => r.memory.rssBytes);
  const demoRss = shape.rss.at(-1)!.memory;
  log(
    `  demo process (backend, console, supervisor) RSS over the window: ${mib(rss[0]!)} → ${mib(demoRss.rssBytes)} MiB (max ${mib(Math.max(...rss))}, VmHWM ${mib(demoRss.hwmBytes)})`,
  );

  const dayStartMs = Math.floor((Date.now() - flags.hours * HOUR_MS) / 60_000) * 60_000;
  const serveArgs = ['--retention', `${flags.hours + 1}h`, '--span-metrics-interval', flags.spanMetricsInterval];
  const sampleLine = (s: HourSample): string =>
    `  ${String(s.progress.hour).padStart(2)} h  RSS ${mib(s.memory.rssBytes).padStart(7)} MiB  HWM ${mib(s.memory.hwmBytes).padStart(7)} MiB` +
    (s.diskBytes !== undefined ? `  disk ${mib(s.diskBytes).padStart(7)} MiB` : '') +
    (s.parts !== undefined ? `  [${s.parts} MiB]` : '') +
    `  (${(s.progress.realMs / 1000).toFixed(0)} s real, ${s.progress.spans} spans, ${s.progress.metricPoints} points, ${s.progress.logRecords} log records, ${s.progress.retried} retried)`;

  log(
    `2. reference: orrery serve ${serveArgs.join(' ')} (in memory, no data directory), ${flags.refHours} simulated hours`,
  );
  const ref: HourSample[] = [];
  const memBackend = await startServe({ clockStartMs: dayStartMs, extraArgs: serveArgs });
  try {
    await pushDay({
      backend: memBackend,
      shape,
      dayStartMs,
      hours: flags.refHours,
      maxRealMs: Infinity,
      onHour: async (progress) => {
        const s = { progress, memory: resident(memBackend.pid) };
        ref.push(s);
        log(sampleLine(s));
      },
    });
  } finally {
    await memBackend.stop();
  }

  const dataDir = mkdtempSync(path.join(tmpdir(), 'orrery-demo-day-'));
  log(
    `3. orrery serve --data-dir ${dataDir} ${serveArgs.join(' ')}, ${flags.hours} simulated hours (at most ~${flags.maxMinutes} min)`,
  );
  const disk: HourSample[] = [];
  const diskBackend = await startServe({ clockStartMs: dayStartMs, dataDir, extraArgs: serveArgs });
  try {
    const day = await pushDay({
      backend: diskBackend,
      shape,
      dayStartMs,
      hours: flags.hours,
      maxRealMs: flags.maxMinutes * 60_000,
      onHour: async (progress) => {
        const memory = resident(diskBackend.pid);
        const s = { progress, memory, diskBytes: dirBytes(dataDir).total, parts: await memoryParts(diskBackend.api) };
        disk.push(s);
        log(sampleLine(s));
      },
    });
    await sleep(15_000);
    const settled = resident(diskBackend.pid);
    log(`  15 s after the last push: RSS ${mib(settled.rssBytes)} MiB, HWM ${mib(settled.hwmBytes)} MiB`);
    await checkAnswers(diskBackend, dayStartMs, day.hours, day.firstTrace);
    const queried = resident(diskBackend.pid);
    log(`  after the queries: RSS ${mib(queried.rssBytes)} MiB, HWM ${mib(queried.hwmBytes)} MiB`);
    const bytes = dirBytes(dataDir);
    log(
      `  on disk: ${mib(bytes.total)} MiB (${[...bytes.byEntry]
        .filter(([, n]) => n > 4096)
        .map(([e, n]) => `${e.length > 12 ? 'block ' + e.slice(0, 6) + '…' : e} ${mib(n)}`)
        .join(', ')})`,
    );
    log(`  blocks: ${blocks(dataDir, dayStartMs).join('; ') || 'none'}`);
  } finally {
    await diskBackend.stop();
    if (!flags.keep) rmSync(dataDir, { recursive: true, force: true });
  }

  log(`summary (load average ${loadAverage()}, ${((Date.now() - started) / 60_000).toFixed(1)} min in all)`);
  const curve = [1, 2, 6, 12, 24]
    .filter((h) => h <= disk.length)
    .map((h) => `${h} h ${mib(disk[h - 1]!.memory.rssBytes)}`);
  log(`  disk-backed RSS (MiB): ${curve.join(', ')}; VmHWM at the end ${mib(disk.at(-1)!.memory.hwmBytes)}`);
  for (const r of ref) {
    const d = disk[r.progress.hour - 1];
    if (d)
      log(
        `  at ${r.progress.hour} h: disk-backed ${mib(d.memory.rssBytes)} MiB / in-memory ${mib(r.memory.rssBytes)} MiB = ${(d.memory.rssBytes / r.memory.rssBytes).toFixed(2)}x`,
      );
  }
  const last = disk.at(-1)!;
  log(
    `  disk-backed after ${last.progress.hour} h / real demo process after ${shape.windowMs / 1000} s: ${(last.memory.rssBytes / demoRss.rssBytes).toFixed(2)}x`,
  );
  if (disk.length >= 4) {
    const a = disk[1]!;
    const slope = (last.memory.rssBytes - a.memory.rssBytes) / (last.progress.hour - a.progress.hour);
    log(`  slope from 2 h to ${last.progress.hour} h: ${mib(slope)} MiB per simulated hour`);
  }
}

await main();
