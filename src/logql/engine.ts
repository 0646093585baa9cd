// LogQL evaluation over the log store. Log queries return entries newest first (backward) or
// oldest first (forward), at most `limit`; metric queries evaluate range aggregations over
// windows (t - range, t] at each step, then vector aggregations and arithmetic per step.
import { labelsKey, type Label, type Labels } from '../labels/labels.js';
import { recordMetadata, type LogStore, type ScannedRecord } from '../logs/store.js';
import type { BinaryOp, Grouping, LogQuery, Query, SampleQuery, VectorOp } from './ast.js';
import { compilePipeline, RecordState } from './pipeline.js';

export interface LogEntry {
  readonly timeNs: number;
  readonly line: string;
  readonly stream: Labels;
  readonly metadata: Labels;
  readonly parsed: Labels;
}

export interface QueryStats {
  chunks: number;
  records: number;
  bytes: number;
  execMs: number;
}

export interface LogResult {
  readonly type: 'streams';
  readonly entries: LogEntry[];
  readonly stats: QueryStats;
}

export interface MatrixResult {
  readonly type: 'matrix';
  /** evaluation times (ms) */
  readonly steps: readonly number[];
  /** values per step; NaN where a series has no sample */
  readonly series: { readonly labels: Labels; readonly values: Float64Array }[];
  readonly stats: QueryStats;
}

export interface ScalarResult {
  readonly type: 'scalar';
  readonly steps: readonly number[];
  readonly value: number;
  readonly stats: QueryStats;
}

export type QueryResult = LogResult | MatrixResult | ScalarResult;

export interface LogQueryParams {
  readonly startNs: number;
  readonly endNs: number;
  readonly limit: number;
  readonly backward: boolean;
}

/** Evaluation errors that are the query's fault (Loki answers 400). */
export class LogQLEvalError extends Error {}

export class LogQLEngine {
  constructor(private readonly store: LogStore) {}

  /** A log query over [startNs, endNs] (both inclusive, as Loki's selection is). */
  selectLogs(q: LogQuery, p: LogQueryParams): LogResult {
    const t0 = performance.now();
    const pipe = compilePipeline(q);
    const streams = this.store.matchStreams(q.matchers);
    const state = new RecordState();
    let kept: LogEntry[] = [];
    const limit = Math.max(0, p.limit);
    let threshold = p.backward ? -Infinity : Infinity;
    const better = (a: LogEntry, b: LogEntry): number => (p.backward ? b.timeNs - a.timeNs : a.timeNs - b.timeNs);
    const trim = (): void => {
      kept.sort(better);
      kept = kept.slice(0, limit);
      if (kept.length === limit && limit > 0) threshold = kept[limit - 1]!.timeNs;
    };
    const scanned = this.store.scan(
      streams,
      p.startNs,
      p.endNs,
      p.backward,
      {
        lineContains: pipe.requiredSubstrings,
        ids: pipe.requiredIds,
        stopBefore: (minT, maxT) => {
          if (kept.length >= limit) trim();
          // every record of this chunk (and of the rest, in scan order) is outside the top `limit`
          return kept.length >= limit && (p.backward ? maxT < threshold : minT > threshold);
        },
      },
      (r) => {
        const c = r.cursor;
        if (!pipe.lineFilter(c.line)) return;
        state.reset(c.line, c.timeNs, r.stream.labels, recordMetadata(r));
        if (!pipe.rest(state)) return;
        const cat = state.categories();
        kept.push({
          timeNs: c.timeNs,
          line: state.line,
          stream: cat.stream,
          metadata: cat.metadata,
          parsed: cat.parsed,
        });
        if (kept.length >= 2 * limit + 1024) trim();
      },
    );
    trim();
    return { type: 'streams', entries: kept, stats: { ...scanned, execMs: performance.now() - t0 } };
  }

  /** A metric query at the given evaluation times (ms). */
  evalSamples(q: SampleQuery, stepsMs: readonly number[]): MatrixResult | ScalarResult {
    const t0 = performance.now();
    const stats: QueryStats = { chunks: 0, records: 0, bytes: 0, execMs: 0 };
    const v = this.evalNode(q, stepsMs, stats);
    stats.execMs = performance.now() - t0;
    if (typeof v === 'number') return { type: 'scalar', steps: stepsMs, value: v, stats };
    return { type: 'matrix', steps: stepsMs, series: v, stats };
  }

  private evalNode(q: SampleQuery, steps: readonly number[], stats: QueryStats): Series[] | number {
    switch (q.type) {
      case 'literal':
        return q.value;
      case 'vector':
        return [{ labels: [], values: new Float64Array(steps.length).fill(q.value) }];
      case 'range':
        return this.rangeAggregation(q, steps, stats);
      case 'vectorAgg': {
        const inner = this.evalNode(q.expr, steps, stats);
        if (typeof inner === 'number') throw new LogQLEvalError(`parse error : unexpected literal in ${q.op}`);
        return aggregate(q.op, q.param, q.grouping, inner, steps.length);
      }
      case 'binary': {
        const l = this.evalNode(q.lhs, steps, stats);
        const r = this.evalNode(q.rhs, steps, stats);
        return binary(q.op, l, r, steps.length);
      }
    }
  }

  private rangeAggregation(
    q: Extract<SampleQuery, { type: 'range' }>,
    steps: readonly number[],
    stats: QueryStats,
  ): Series[] {
    if (steps.length === 0) return [];
    const pipe = compilePipeline(q.log);
    const streams = this.store.matchStreams(q.log.matchers);
    const firstMs = steps[0]!;
    const lastMs = steps[steps.length - 1]!;
    const startNs = firstMs * 1e6 - q.offsetNs - q.rangeNs;
    const endNs = lastMs * 1e6 - q.offsetNs;
    const bytes = q.op === 'bytes_over_time' || q.op === 'bytes_rate';
    const samples = new Map<string, { labels: Labels; t: number[]; v: number[] }>();
    const state = new RecordState();
    const addSample = (r: ScannedRecord, labels: Label[]): void => {
      const key = labelsKey(labels);
      let s = samples.get(key);
      if (!s) samples.set(key, (s = { labels, t: [], v: [] }));
      s.t.push(r.cursor.timeNs);
      s.v.push(bytes ? Buffer.byteLength(state.line, 'utf8') : 1);
    };
    const scanned = this.store.scan(
      streams,
      startNs,
      endNs,
      false,
      { lineContains: pipe.requiredSubstrings, ids: pipe.requiredIds },
      (r) => {
        const c = r.cursor;
        // the window is (t - range, t]: a record exactly at the start of the scan belongs to no step
        if (c.timeNs <= startNs) return;
        if (!pipe.lineFilter(c.line)) return;
        state.reset(c.line, c.timeNs, r.stream.labels, recordMetadata(r));
        if (!pipe.rest(state)) return;
        addSample(r, state.allLabels());
      },
    );
    stats.chunks += scanned.chunks;
    stats.records += scanned.records;
    stats.bytes += scanned.bytes;

    const rangeS = q.rangeNs / 1e9;
    const out: Series[] = [];
    for (const s of samples.values()) {
      // records arrive per chunk, not globally in time order: sort once, then prefix sums
      const order = s.t.map((_, i) => i).sort((a, b) => s.t[a]! - s.t[b]!);
      const ts = order.map((i) => s.t[i]!);
      const prefix = new Float64Array(ts.length + 1);
      for (let i = 0; i < order.length; i++) prefix[i + 1] = prefix[i]! + s.v[order[i]!]!;
      const values = new Float64Array(steps.length).fill(NaN);
      let any = false;
      for (let k = 0; k < steps.length; k++) {
        const hi = steps[k]! * 1e6 - q.offsetNs;
        const lo = hi - q.rangeNs;
        const a = upperBound(ts, lo);
        const b = upperBound(ts, hi);
        const n = b - a;
        if (q.op === 'absent_over_time') continue;
        if (n === 0) continue;
        const sum = prefix[b]! - prefix[a]!;
        values[k] = q.op === 'count_over_time' || q.op === 'bytes_over_time' ? sum : sum / rangeS;
        any = true;
      }
      if (any) out.push({ labels: s.labels, values });
    }
    if (q.op === 'absent_over_time') return absentOverTime(q.log, samples, steps, q.rangeNs, q.offsetNs);
    return out;
  }

  /** Dispatches a parsed query: log queries need LogQueryParams, metric queries steps. */
  run(q: Query, p: LogQueryParams, stepsMs: readonly number[]): QueryResult {
    return q.type === 'log' ? this.selectLogs(q, p) : this.evalSamples(q, stepsMs);
  }
}

interface Series {
  labels: Labels;
  values: Float64Array;
}

/** index of the first element > x in a sorted array */
function upperBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function absentOverTime(
  log: LogQuery,
  samples: Map<string, { t: number[] }>,
  steps: readonly number[],
  rangeNs: number,
  offsetNs: number,
): Series[] {
  const all = [...samples.values()].flatMap((s) => s.t).sort((a, b) => a - b);
  const values = new Float64Array(steps.length).fill(NaN);
  let any = false;
  for (let k = 0; k < steps.length; k++) {
    const hi = steps[k]! * 1e6 - offsetNs;
    if (upperBound(all, hi) - upperBound(all, hi - rangeNs) === 0) {
      values[k] = 1;
      any = true;
    }
  }
  // absent's labels: the selector's equality matchers, as Prometheus's absent takes them
  const labels = log.matchers
    .filter((m) => m.type === '=')
    .map((m) => ({ name: m.name, value: m.value }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return any ? [{ labels, values }] : [];
}

function groupLabels(labels: Labels, g: Grouping | undefined): Label[] {
  if (!g) return [];
  const set = new Set(g.labels);
  return labels.filter((l) => (g.without ? !set.has(l.name) : set.has(l.name)));
}

function aggregate(
  op: VectorOp,
  param: number | undefined,
  g: Grouping | undefined,
  input: Series[],
  n: number,
): Series[] {
  const groups = new Map<string, { labels: Label[]; members: Series[] }>();
  for (const s of input) {
    const labels = groupLabels(s.labels, g);
    const key = labelsKey(labels);
    let grp = groups.get(key);
    if (!grp) groups.set(key, (grp = { labels, members: [] }));
    grp.members.push(s);
  }
  const out: Series[] = [];
  if (op === 'topk' || op === 'bottomk') {
    const k = Math.floor(param ?? 0);
    if (k < 1) return [];
    for (const grp of groups.values()) {
      const picked = grp.members.map((s) => ({ labels: s.labels, values: new Float64Array(n).fill(NaN) }));
      for (let t = 0; t < n; t++) {
        const idx = grp.members.map((s, i) => i).filter((i) => !Number.isNaN(grp.members[i]!.values[t]!));
        idx.sort((a, b) => {
          const d = grp.members[b]!.values[t]! - grp.members[a]!.values[t]!;
          return op === 'topk' ? d : -d;
        });
        for (const i of idx.slice(0, k)) picked[i]!.values[t] = grp.members[i]!.values[t]!;
      }
      for (const p of picked) if (p.values.some((v) => !Number.isNaN(v))) out.push(p);
    }
    return out;
  }
  for (const grp of groups.values()) {
    const values = new Float64Array(n).fill(NaN);
    for (let t = 0; t < n; t++) {
      let count = 0;
      let sum = 0;
      let min = Infinity;
      let max = -Infinity;
      let mean = 0;
      let m2 = 0;
      for (const s of grp.members) {
        const v = s.values[t]!;
        if (Number.isNaN(v)) continue;
        count++;
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
        const d = v - mean;
        mean += d / count;
        m2 += d * (v - mean);
      }
      if (count === 0) continue;
      values[t] =
        op === 'sum'
          ? sum
          : op === 'avg'
            ? sum / count
            : op === 'min'
              ? min
              : op === 'max'
                ? max
                : op === 'count'
                  ? count
                  : op === 'stdvar'
                    ? m2 / count
                    : Math.sqrt(m2 / count);
    }
    out.push({ labels: grp.labels, values });
  }
  return out;
}

function applyOp(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
    case '^':
      return a ** b;
  }
}

function binary(op: BinaryOp, l: Series[] | number, r: Series[] | number, n: number): Series[] | number {
  if (typeof l === 'number' && typeof r === 'number') return applyOp(op, l, r);
  if (typeof l === 'number' || typeof r === 'number') {
    const series = (typeof l === 'number' ? r : l) as Series[];
    return series.map((s) => {
      const values = new Float64Array(n);
      for (let t = 0; t < n; t++) {
        const v = s.values[t]!;
        values[t] = Number.isNaN(v) ? NaN : typeof l === 'number' ? applyOp(op, l, v) : applyOp(op, v, r as number);
      }
      return { labels: s.labels, values };
    });
  }
  // vector ⊕ vector: one-to-one on identical label sets
  const right = new Map(r.map((s) => [labelsKey(s.labels), s]));
  const out: Series[] = [];
  for (const s of l) {
    const o = right.get(labelsKey(s.labels));
    if (!o) continue;
    const values = new Float64Array(n);
    let any = false;
    for (let t = 0; t < n; t++) {
      const a = s.values[t]!;
      const b = o.values[t]!;
      values[t] = Number.isNaN(a) || Number.isNaN(b) ? NaN : applyOp(op, a, b);
      if (!Number.isNaN(values[t]!)) any = true;
    }
    if (any) out.push({ labels: s.labels, values });
  }
  return out;
}
