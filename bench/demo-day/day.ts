// Steps 2 and 3 of bench:demo-day: a day of the demo's telemetry pushed in simulated time, one
// metric export interval (10 s) at a time. Before each step the backend's clock is moved to the
// step's end, then the step's requests go out, as fast as the backend answers them:
//   - the captured metric and log requests, replayed in a loop (replay.ts), each at its place in
//     the window it was captured in: the demo's series, points and log volume;
//   - spans from bench/demo-traces.ts's templates (the shop's trace shapes, every ID, time and
//     request-scoped value new) at the measured spans per minute.
// After each simulated hour `onHour` runs (the caller reads RSS and bytes on disk there).
import { performance } from 'node:perf_hooks';
import { encodeLogsRequest, encodeMetricsRequest } from '../../src/exporters/otlp/encode.js';
import { decodeTracesRequest } from '../../src/otlp/decode-protobuf.js';
import type { LogsData, MetricsData } from '../../src/otlp/model.js';
import { Template } from '../demo-traces.js';
import type { Captured, DemoShape } from './real-run.js';
import { freshLogs, shiftMetrics } from './replay.js';
import type { ServeProcess } from './backend-process.js';

export const STEP_MS = 10_000;
const HOUR_MS = 3_600_000;
const CONCURRENCY = 4;

export interface DayProgress {
  readonly hour: number;
  readonly realMs: number;
  readonly spans: number;
  readonly metricPoints: number;
  readonly logRecords: number;
  /** requests answered 429/503 and sent again */
  readonly retried: number;
}

export interface DayResult {
  readonly hours: number;
  readonly progress: readonly DayProgress[];
  /** a trace sent in the first step, to look up by ID at the end */
  readonly firstTrace: { readonly traceId: string; readonly spans: number };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function post(url: string, body: Uint8Array, counts: { retried: number }): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
    if (res.ok) {
      await res.arrayBuffer();
      return;
    }
    const text = await res.text();
    if ((res.status === 429 || res.status === 503) && attempt < 60) {
      counts.retried++;
      await sleep(1000 * Math.min(5, Number(res.headers.get('retry-after') ?? 1) || 1));
      continue;
    }
    throw new Error(`POST ${url}: ${res.status} ${text.slice(0, 300)}`);
  }
}

async function runAll(jobs: (() => Promise<void>)[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, jobs.length) }, worker));
}

/** The captured requests, looped, that fall in [from, to) of simulated time since the day's start. */
function* due<T>(
  captured: readonly Captured<T>[],
  windowMs: number,
  from: number,
  to: number,
): Generator<{ loop: number; c: Captured<T> }> {
  for (let loop = Math.floor(from / windowMs); loop * windowMs < to; loop++)
    for (const c of captured) {
      const t = loop * windowMs + c.atMs;
      if (t >= from && t < to) yield { loop, c };
    }
}

const countPoints = (d: MetricsData): number =>
  d.resourceMetrics.reduce(
    (n, rm) =>
      n +
      rm.scopeMetrics.reduce(
        (k, sm) => k + sm.metrics.reduce((j, m) => j + (m.data.type === 'empty' ? 0 : m.data.dataPoints.length), 0),
        0,
      ),
    0,
  );
const countRecords = (d: LogsData): number =>
  d.resourceLogs.reduce((n, rl) => n + rl.scopeLogs.reduce((k, sl) => k + sl.logRecords.length, 0), 0);

export async function pushDay(opts: {
  readonly backend: ServeProcess;
  readonly shape: DemoShape;
  readonly dayStartMs: number;
  readonly hours: number;
  /** stop after the hour in which this much real time has passed */
  readonly maxRealMs: number;
  readonly onHour: (p: DayProgress) => Promise<void>;
}): Promise<DayResult> {
  const { backend, shape, dayStartMs } = opts;
  const spansPerStep = (shape.spans / shape.windowMs) * STEP_MS;
  // whole traces of about 60 spans per request, from a few templates so the mix of shapes varies
  const templates = Array.from({ length: 16 }, () => new Template(60));
  let nextTemplate = 0;
  let spanDebt = 0;
  const counts = { spans: 0, metricPoints: 0, logRecords: 0, retried: 0 };
  const progress: DayProgress[] = [];
  let firstTrace: DayResult['firstTrace'] | undefined;
  const t0 = performance.now();
  const stepsPerHour = HOUR_MS / STEP_MS;
  for (let hour = 1; hour <= opts.hours; hour++) {
    for (let s = 0; s < stepsPerHour; s++) {
      const from = (hour - 1) * HOUR_MS + s * STEP_MS;
      const to = from + STEP_MS;
      await backend.setClock(dayStartMs + to);
      const jobs: (() => Promise<void>)[] = [];
      // each loop of the captured window lands one window later: times move by the same offset
      const deltaNs = (loop: number): number => (dayStartMs + loop * shape.windowMs - shape.windowStartMs) * 1e6;
      for (const { loop, c } of due(shape.metricRequests, shape.windowMs, from, to)) {
        const body = encodeMetricsRequest(shiftMetrics(c.data, deltaNs(loop)));
        counts.metricPoints += countPoints(c.data);
        jobs.push(() => post(`${backend.otlp}/v1/metrics`, body, counts));
      }
      for (const { loop, c } of due(shape.logRequests, shape.windowMs, from, to)) {
        const body = encodeLogsRequest(freshLogs(c.data, deltaNs(loop)));
        counts.logRecords += countRecords(c.data);
        jobs.push(() => post(`${backend.otlp}/v1/logs`, body, counts));
      }
      spanDebt += spansPerStep;
      for (let k = 0; spanDebt > 0; k++) {
        const t = templates[nextTemplate++ % templates.length]!;
        // spread over the step, every span ended before the clock's time
        const body = t.fresh(dayStartMs + from + ((k * 997) % STEP_MS));
        spanDebt -= t.spans;
        counts.spans += t.spans;
        if (firstTrace === undefined) {
          const spans = decodeTracesRequest(body).resourceSpans.flatMap((rs) =>
            rs.scopeSpans.flatMap((ss) => ss.spans),
          );
          const traceId = spans[0]!.traceId;
          firstTrace = { traceId, spans: spans.filter((sp) => sp.traceId === traceId).length };
        }
        jobs.push(() => post(`${backend.otlp}/v1/traces`, body, counts));
      }
      await runAll(jobs);
    }
    const p = { hour, realMs: performance.now() - t0, ...counts };
    progress.push(p);
    await opts.onHour(p);
    if (p.realMs > opts.maxRealMs) break;
  }
  return { hours: progress.length, progress, firstTrace: firstTrace! };
}
