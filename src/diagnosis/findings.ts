// Findings: per service, what changed in a window and what happened around it. Reads the
// memory, restart, latency and error series through the PromQL engine, the flag changes and
// restarts from the annotations, classifies each series (trend.ts) and writes one sentence per
// finding that names the flag changes and restarts of its window.
import type { Annotation, AnnotationQuery } from '../annotations/store.js';
import { RUNTIME_METRICS, SPAN_METRICS, SUPERVISOR_METRICS } from '../names/contract.js';
import { QueryError, type MatrixSeries, type QueryService } from '../promql/value.js';
import { getLabel } from '../labels/labels.js';
import type { Querier } from '../storage/storage.js';
import {
  analyseMemory,
  analyseShift,
  sharedRise,
  type Growth,
  type LevelShift,
  type MemoryAnalysis,
  type Restart,
} from './trend.js';

export type FindingKind = 'memory_growth' | 'restarts' | 'latency_shift' | 'error_rate';

export interface FlagChange {
  readonly flag: string;
  readonly value: string;
  /** ms */
  readonly at: number;
}

export interface Finding {
  readonly service: string;
  readonly kind: FindingKind;
  /** ms */
  readonly since: number;
  readonly summary: string;
  /** memory findings: the rise's Theil–Sen slope; 0 for the other kinds */
  readonly slopeBytesPerMin: number;
  readonly restarts: number;
  readonly flagChanges: readonly FlagChange[];
  /** the attribute comparison for this service over the window, slowest 5 % selected (API) */
  readonly compareUrl: string;
  /** the same comparison's console page */
  readonly consoleUrl: string;
}

export interface FindingsSources {
  /** the engine in this thread or the worker pool */
  readonly engine: QueryService;
  readonly storage: Querier;
  readonly annotations: { query(q: AnnotationQuery): Annotation[] };
  /** formats a time for summaries; default local HH:MM */
  readonly clock?: (ms: number) => string;
}

// a p99 that doubles, by 100 ms at least: on a shared two-core machine the p99 of a quiet
// service wanders by half its value (cartservice 92 → 144 ms with every flag off)
const LATENCY_RULE = { ratio: 2, minIncrease: 100, minLevel: 200 } as const; // ms
const ERROR_RULE = { ratio: 2, minIncrease: 0.02, minLevel: 0.05 } as const; // share of calls
/** shortest rise reported as memory growth (15 collections at the 10 s interval) */
const MIN_GROWTH_STRETCH_MS = 150_000;
/** how long after a process starts its memory may rise without a finding */
const WARM_UP_MS = 5 * 60_000;
/** how the supervisor's restart annotations name an out-of-memory exit */
const OUT_OF_MEMORY = /out of memory/i;
const KIND_ORDER: readonly FindingKind[] = ['memory_growth', 'restarts', 'error_rate', 'latency_shift'];

function hhmm(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** Runs a range query, giving its series by service_name (none when the query fails). */
async function byService(
  src: FindingsSources,
  query: string,
  startMs: number,
  endMs: number,
  stepMs: number,
): Promise<Map<string, MatrixSeries>> {
  const out = new Map<string, MatrixSeries>();
  let value;
  try {
    value = await src.engine.rangeQuery(src.storage, query, startMs, endMs, stepMs);
  } catch (err) {
    if (err instanceof QueryError) return out; // a timeout or a limit: that signal is just missing
    throw err;
  }
  if (value.type !== 'matrix') return out;
  for (const s of value.series) {
    const service = getLabel(s.metric, 'service_name');
    if (service !== '') out.set(service, s);
  }
  return out;
}

/**
 * How much a counter rose over the window and when it first did; a fall (a reset) counts as a
 * rise from 0, and so does a series that first appears inside the window (created at its first
 * increment, as the supervisor's per-service counter is).
 */
function counterRises(
  s: MatrixSeries,
  startMs: number,
  stepMs: number,
): { count: number; firstAt: number | undefined } {
  let total = 0;
  let firstAt: number | undefined;
  if (s.t.length > 0 && s.t[0]! > startMs + stepMs && s.v[0]! > 0) {
    total += s.v[0]!;
    firstAt = s.t[0]!;
  }
  for (let i = 1; i < s.v.length; i++) {
    const d = s.v[i]! - s.v[i - 1]!;
    const rise = d >= 0 ? d : s.v[i]!;
    if (rise > 0) {
      total += rise;
      firstAt ??= s.t[i]!;
    }
  }
  return { count: Math.round(total), firstAt };
}

/**
 * The series without the steps that repeat the previous step's sample (`stamps`: the time of the
 * freshest sample at each step, ms per step time). A range query fills a step without a new sample
 * with the last one for up to the lookback delta, so a process that stopped sending (collapsing
 * in garbage collection before an out-of-memory exit, then dead until its successor's first
 * export) would show its last value as a flat top over a minute or more: no rise for the trend.
 */
function withoutRepeats(s: MatrixSeries, stamps: MatrixSeries | undefined): MatrixSeries {
  if (stamps === undefined) return s;
  const stampAt = new Map<number, number>();
  for (let i = 0; i < stamps.t.length; i++) stampAt.set(stamps.t[i]!, stamps.v[i]!);
  const t: number[] = [];
  const v: number[] = [];
  let previous: number | undefined;
  for (let i = 0; i < s.t.length; i++) {
    const stamp = stampAt.get(s.t[i]!);
    if (stamp !== undefined && stamp === previous) continue;
    previous = stamp;
    t.push(s.t[i]!);
    v.push(s.v[i]!);
  }
  return { metric: s.metric, t, v };
}

function flagChanges(annotations: readonly Annotation[]): FlagChange[] {
  const out: FlagChange[] = [];
  for (const a of annotations) {
    if (!a.tags.includes('flag')) continue;
    const arrow = a.text.indexOf('→');
    const flag = a.tags.find((t) => t !== 'flag') ?? (arrow > 0 ? a.text.slice(0, arrow).trim() : a.text);
    const value = arrow >= 0 ? a.text.slice(arrow + 1).trim() : a.text;
    out.push({ flag, value, at: a.time });
  }
  return out.sort((a, b) => a.at - b.at);
}

function flagSentence(changes: readonly FlagChange[], clock: (ms: number) => string): string {
  return changes
    .map((c) => {
      const how = c.value === 'on' || c.value === 'off' ? `switched ${c.value}` : `set to ${c.value}`;
      return `${c.flag} was ${how} at ${clock(c.at)}`;
    })
    .join(', ');
}

function megabytes(bytes: number): string {
  const mb = bytes / 1e6;
  return mb >= 10 ? String(Math.round(mb)) : String(Math.round(mb * 10) / 10);
}

function latency(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms)} ms`;
}

function compareQuery(service: string, startMs: number, endMs: number): string {
  const q = new URLSearchParams({
    service,
    start: String(Math.floor(startMs * 1000)),
    end: String(Math.ceil(endMs * 1000)),
    select: 'slowest',
    percent: '5',
  });
  return q.toString();
}

/**
 * A memory rise worth a finding. Without a restart the supervisor reported: a drop is a GC giving
 * memory back (the rise before it was no leak), a rise must last MIN_GROWTH_STRETCH_MS, and a
 * process that started inside the window is warming up (caches, compiled code) for its first
 * WARM_UP_MS. Restarts confirm a sawtooth whatever its teeth's length.
 */
function confirmedGrowth(
  series: MatrixSeries,
  memory: MemoryAnalysis,
  restarts: number,
  startMs: number,
  stepMs: number,
): Growth | undefined {
  const g = memory.growth;
  if (g === undefined) return undefined;
  if (restarts > 0) return g;
  if (memory.drops.length > 0) return undefined;
  const last = series.t[series.t.length - 1]!;
  if (last - g.sinceMs < MIN_GROWTH_STRETCH_MS) return undefined;
  if (warmingUp(series, g.sinceMs, startMs, stepMs)) return undefined;
  return g;
}

/**
 * Whether a change since `sinceMs` falls in the warm-up of a process that started inside the
 * window (its series begins after the window's start): caches filling, code being compiled, the
 * first calls slower or faster than the later ones.
 */
function warmingUp(series: MatrixSeries, sinceMs: number, startMs: number, stepMs: number): boolean {
  const first = series.t[0]!;
  return first > startMs + stepMs && sinceMs - first < WARM_UP_MS;
}

/** Every finding of the window [startMs, endMs], by kind then service. */
export async function findFindings(src: FindingsSources, startMs: number, endMs: number): Promise<Finding[]> {
  const clock = src.clock ?? hhmm;
  // the collection interval is 10 s; wider windows are sampled more coarsely
  const stepMs = Math.max(10_000, Math.ceil((endMs - startMs) / 240 / 1000) * 1000);
  const rateWindow = `${Math.max(60, (4 * stepMs) / 1000)}s`;
  // a p99 needs many calls: over a minute of a quiet service it is its slowest call or two, and
  // one slow checkout would read as a shift
  const latencyWindow = `${Math.max(300, (4 * stepMs) / 1000)}s`;
  const range = (q: string): Promise<Map<string, MatrixSeries>> => byService(src, q, startMs, endMs, stepMs);

  const [rss, heap, rssStamps, heapStamps, restartCounter, p99, errors] = await Promise.all([
    range(`sum by (service_name) (${RUNTIME_METRICS.memoryRss})`),
    range(`sum by (service_name) (${RUNTIME_METRICS.heapUsed})`),
    // seconds since the epoch, as timestamp() gives them
    range(`max by (service_name) (timestamp(${RUNTIME_METRICS.memoryRss})) * 1000`),
    range(`max by (service_name) (timestamp(${RUNTIME_METRICS.heapUsed})) * 1000`),
    range(`sum by (service_name) (${SUPERVISOR_METRICS.restarts})`),
    range(
      `histogram_quantile(0.99, sum by (service_name, le) (rate(${SPAN_METRICS.durationBucket}[${latencyWindow}])))`,
    ),
    range(
      `sum by (service_name) (rate(${SPAN_METRICS.calls}{status_code="STATUS_CODE_ERROR"}[${rateWindow}]))` +
        ` / sum by (service_name) (rate(${SPAN_METRICS.calls}[${rateWindow}]))`,
    ),
  ]);
  const inWindow = src.annotations.query({ from: startMs, to: endMs });
  const flags = flagChanges(inWindow);
  const flagText = flags.length > 0 ? `; ${flagSentence(flags, clock)}` : '';

  const services = new Set([...rss.keys(), ...heap.keys(), ...restartCounter.keys(), ...p99.keys(), ...errors.keys()]);
  // a busy machine slows every service together: a p99 shift counts beyond what they all share
  const latencyShared = sharedRise([...p99.values()]);
  const findings: Finding[] = [];
  for (const service of services) {
    const base = {
      service,
      flagChanges: flags,
      compareUrl: `/api/orrery/v1/compare?${compareQuery(service, startMs, endMs)}`,
      consoleUrl: `/diagnosis/compare?${compareQuery(service, startMs, endMs)}`,
    };
    // restarts: the supervisor's word (its annotations and counter); a drop alone may be a GC
    const restartNotes = inWindow.filter((a) => a.tags.includes('restart') && a.tags.includes(service));
    const supervised: Restart[] = restartNotes.map((a) => ({ at: a.time, outOfMemory: OUT_OF_MEMORY.test(a.text) }));
    const oom = supervised.filter((r) => r.outOfMemory).length;
    const counterSeries = restartCounter.get(service);
    const counter = counterSeries ? counterRises(counterSeries, startMs, stepMs) : { count: 0, firstAt: undefined };
    // RSS speaks for the whole process; the heap series only when a service has no RSS
    const rssSeries = rss.get(service);
    const heapSeries = heap.get(service);
    const memorySeries = rssSeries
      ? withoutRepeats(rssSeries, rssStamps.get(service))
      : heapSeries && withoutRepeats(heapSeries, heapStamps.get(service));
    const memory = memorySeries ? analyseMemory(memorySeries.t, memorySeries.v, supervised) : undefined;
    const restarts = Math.max(restartNotes.length, counter.count);
    const restartText =
      restarts === 0
        ? ''
        : `, ${restarts} ${oom === restarts ? 'out-of-memory ' : ''}restart${restarts === 1 ? '' : 's'}`;
    const growth =
      memorySeries && memory ? confirmedGrowth(memorySeries, memory, restarts, startMs, stepMs) : undefined;
    if (growth) {
      findings.push({
        ...base,
        kind: 'memory_growth',
        since: growth.sinceMs,
        summary: `${service}: memory rising ${megabytes(growth.slopePerMin)} MB/min since ${clock(growth.sinceMs)}${restartText}${flagText}`,
        slopeBytesPerMin: Math.round(growth.slopePerMin),
        restarts,
      });
    } else if (restarts > 0) {
      const firstRestart = Math.min(
        ...restartNotes.map((a) => a.time),
        ...(memory?.drops ?? []),
        counter.firstAt ?? endMs,
      );
      findings.push({
        ...base,
        kind: 'restarts',
        since: firstRestart,
        summary: `${service}: ${restarts} ${oom === restarts ? 'out-of-memory ' : ''}restart${restarts === 1 ? '' : 's'} since ${clock(firstRestart)}${flagText}`,
        slopeBytesPerMin: 0,
        restarts,
      });
    }
    const lat = p99.get(service);
    const latShift: LevelShift | undefined = lat ? analyseShift(lat.t, lat.v, LATENCY_RULE, latencyShared) : undefined;
    if (latShift && !warmingUp(lat!, latShift.sinceMs, startMs, stepMs)) {
      findings.push({
        ...base,
        kind: 'latency_shift',
        since: latShift.sinceMs,
        summary: `${service}: p99 latency ${latency(latShift.after)}, up from ${latency(latShift.before)}, since ${clock(latShift.sinceMs)}${restartText}${flagText}`,
        slopeBytesPerMin: 0,
        restarts,
      });
    }
    const err = errors.get(service);
    const errShift = err ? analyseShift(err.t, err.v, ERROR_RULE) : undefined;
    if (errShift && !warmingUp(err!, errShift.sinceMs, startMs, stepMs)) {
      findings.push({
        ...base,
        kind: 'error_rate',
        since: errShift.sinceMs,
        summary: `${service}: ${Math.round(errShift.after * 100)}% of calls fail, up from ${Math.round(errShift.before * 100)}%, since ${clock(errShift.sinceMs)}${flagText}`,
        slopeBytesPerMin: 0,
        restarts,
      });
    }
  }
  return findings.sort(
    (a, b) =>
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
      (a.service < b.service ? -1 : a.service > b.service ? 1 : 0),
  );
}
