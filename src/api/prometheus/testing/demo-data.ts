// Deterministic demo-shaped metric data for the differential test and the PromQL benchmark:
// span metrics (calls, duration histogram with the spanmetrics connector's buckets) of 12
// services plus runtime metrics, at a 10 s interval with per-service phase and a few ms of
// jitter, with the awkward cases real data has: series that start late (first error), a counter
// reset (a restarted process), series that end with staleness markers and series that just stop.
import { labelsFromRecord, type Labels } from '../../../labels/labels.js';
import type { Appender, Exemplar } from '../../../storage/storage.js';
import type { WriteSeries } from './remote-write.js';
import { SPAN_METRICS } from '../../../names/contract.js';

export interface GeneratedSeries extends WriteSeries {
  readonly labels: Labels;
  readonly t: Float64Array;
  readonly v: Float64Array;
  /** 1 marks a staleness marker */
  readonly stale?: Uint8Array;
  /** exemplars (trace and span IDs), oldest first */
  readonly exemplars?: readonly Exemplar[];
}

export const SERVICES = [
  'frontend',
  'cartservice',
  'checkoutservice',
  'currencyservice',
  'emailservice',
  'paymentservice',
  'productcatalogservice',
  'recommendationservice',
  'shippingservice',
  'adservice',
  'quoteservice',
  'frauddetectionservice',
] as const;

/** The spanmetrics connector's default buckets (ms). */
const BUCKETS = SPAN_METRICS.bucketsMs;

const HEAP_SPACES = ['new_space', 'old_space', 'code_space', 'map_space', 'large_object_space'];

/** A small seeded generator (mulberry32), so that generated data can be replayed from its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoDataOptions {
  /** first sample time (ms), default: one hour before now, aligned to 10 s */
  readonly start?: number;
  readonly durationMs?: number;
  readonly intervalMs?: number;
  readonly seed?: number;
}

class Builder {
  readonly t: number[] = [];
  readonly v: number[] = [];
  readonly stale: number[] = [];
  readonly exemplars: Exemplar[] = [];
  constructor(readonly labels: Labels) {}
  add(t: number, v: number, stale = false): void {
    this.t.push(t);
    this.v.push(stale ? NaN : v);
    this.stale.push(stale ? 1 : 0);
  }
  build(): GeneratedSeries {
    const anyStale = this.stale.some((x) => x === 1);
    return {
      labels: this.labels,
      t: Float64Array.from(this.t),
      v: Float64Array.from(this.v),
      ...(anyStale ? { stale: Uint8Array.from(this.stale) } : {}),
      ...(this.exemplars.length > 0 ? { exemplars: this.exemplars } : {}),
    };
  }
}

function hex(rnd: () => number, chars: number): string {
  let out = '';
  for (let i = 0; i < chars; i++) out += '0123456789abcdef'[Math.floor(rnd() * 16)];
  return out;
}

export function generateDemoData(opts: DemoDataOptions = {}): GeneratedSeries[] {
  const interval = opts.intervalMs ?? 10_000;
  const duration = opts.durationMs ?? 3_600_000;
  const start = opts.start ?? Math.floor((Date.now() - duration) / interval) * interval;
  const steps = Math.floor(duration / interval) + 1;
  const rnd = mulberry32(opts.seed ?? 42);
  const out: GeneratedSeries[] = [];

  SERVICES.forEach((svc, si) => {
    const phase = Math.floor(rnd() * interval);
    const base = { job: `opentelemetry-demo/${svc}`, instance: `${svc}-1`, service_name: svc };
    const times: number[] = [];
    for (let i = 0; i < steps; i++) times.push(start + i * interval + phase + Math.floor(rnd() * 7) - 3);
    const median = 3 + rnd() * 300;
    const combos: { span: string; kind: string; status: string; rate: number }[] = [];
    for (let k = 0; k < 3; k++) {
      const span =
        svc === 'frontend'
          ? `HTTP GET /api/${['products', 'cart', 'recommendations'][k]}`
          : `grpc.hipstershop.${svc}/Method${k}`;
      const rate = 0.05 + rnd() * 5;
      combos.push({ span, kind: 'SPAN_KIND_SERVER', status: 'STATUS_CODE_UNSET', rate });
      combos.push({ span, kind: 'SPAN_KIND_SERVER', status: 'STATUS_CODE_ERROR', rate: rate * (0.01 + rnd() * 0.1) });
    }
    for (let k = 0; k < 2; k++) {
      combos.push({
        span: `${svc}/client${k}`,
        kind: 'SPAN_KIND_CLIENT',
        status: 'STATUS_CODE_UNSET',
        rate: 0.1 + rnd() * 2,
      });
    }
    for (const [ci, c] of combos.entries()) {
      const labels = { ...base, span_name: c.span, span_kind: c.kind, status_code: c.status };
      const calls = new Builder(labelsFromRecord({ ...labels, __name__: 'traces_span_metrics_calls_total' }));
      const count = new Builder(
        labelsFromRecord({ ...labels, __name__: 'traces_span_metrics_duration_milliseconds_count' }),
      );
      const sum = new Builder(
        labelsFromRecord({ ...labels, __name__: 'traces_span_metrics_duration_milliseconds_sum' }),
      );
      const buckets = [...BUCKETS.map(String), '+Inf'].map(
        (le) =>
          new Builder(
            labelsFromRecord({ ...labels, __name__: 'traces_span_metrics_duration_milliseconds_bucket', le }),
          ),
      );
      const cum = new Array<number>(buckets.length).fill(0);
      const perBucket = new Array<number>(buckets.length).fill(0);
      let n = 0;
      let s = 0;
      let started = false;
      // One shipping endpoint goes away at 45 min and says so with staleness markers.
      const endAt = svc === 'shippingservice' && ci === 0 ? Math.floor(steps * 0.75) : steps;
      for (let i = 0; i < steps; i++) {
        const t = times[i]!;
        if (i === endAt) {
          for (const b of [calls, count, sum, ...buckets]) b.add(t, NaN, true);
          break;
        }
        if (i > endAt) break;
        const calls10s = Math.floor(rnd() * 2 * c.rate * (interval / 1000) + 0.5);
        for (let k = 0; k < calls10s; k++) {
          // log-normal latency around the service's median
          const u = Math.max(1e-9, rnd());
          const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
          const lat = median * Math.exp(0.9 * z);
          s += Math.round(lat * 1000) / 1000;
          n++;
          let b = 0;
          while (b < BUCKETS.length && lat > BUCKETS[b]!) b++;
          perBucket[b]!++;
          // Every minute, the last span of the interval becomes an exemplar of its bucket.
          if (i % 6 === 0 && k === calls10s - 1) {
            buckets[b]!.exemplars.push({
              labels: labelsFromRecord({ span_id: hex(rnd, 16), trace_id: hex(rnd, 32) }),
              value: Math.round(lat * 1000) / 1000,
              t: t - Math.floor(rnd() * 5000),
            });
          }
        }
        // cumulative bucket counts, as le buckets are
        let acc = 0;
        for (let b = 0; b < cum.length; b++) {
          acc += perBucket[b]!;
          cum[b] = acc;
        }
        // As the connector does, a series exists only once something was counted.
        if (!started && n === 0) continue;
        started = true;
        calls.add(t, n);
        count.add(t, n);
        sum.add(t, s);
        buckets.forEach((b, bi) => b.add(t, cum[bi]!));
      }
      if (started) for (const b of [calls, count, sum, ...buckets]) out.push(b.build());
    }

    // Runtime metrics. The recommendation service restarts at 40 min (counter reset, memory drop);
    // the ad service stops reporting at 50 min without staleness markers.
    const restartAt = svc === 'recommendationservice' ? Math.floor(steps * (2 / 3)) : -1;
    const stopAt = svc === 'adservice' ? Math.floor(steps * (5 / 6)) : steps;
    const cpu = ['user', 'system'].map(
      (mode) => new Builder(labelsFromRecord({ ...base, __name__: 'process_cpu_time_seconds_total', cpu_mode: mode })),
    );
    const mem = new Builder(labelsFromRecord({ ...base, __name__: 'process_memory_usage' }));
    const heap = HEAP_SPACES.map(
      (space) =>
        new Builder(
          labelsFromRecord({ ...base, __name__: 'v8js_memory_heap_used_bytes', v8js_heap_space_name: space }),
        ),
    );
    const loop = new Builder(labelsFromRecord({ ...base, __name__: 'nodejs_eventloop_delay_p99_seconds' }));
    const recs =
      svc === 'recommendationservice'
        ? ['catalog', 'cached'].map(
            (rt) =>
              new Builder(
                labelsFromRecord({ ...base, __name__: 'app_recommendations_counter_total', recommendation_type: rt }),
              ),
          )
        : [];
    const cpuVal = [0, 0];
    let memVal = 60e6 + si * 1e6;
    const heapVal = HEAP_SPACES.map((_, h) => 1e6 * (h + 1));
    const recVal = [0, 0];
    for (let i = 0; i < Math.min(steps, stopAt); i++) {
      const t = times[i]!;
      if (i === restartAt) {
        cpuVal[0] = cpuVal[1] = 0;
        recVal[0] = recVal[1] = 0;
        memVal = 60e6;
      }
      cpuVal[0]! += Math.round(rnd() * 300000) / 1e6;
      cpuVal[1]! += Math.round(rnd() * 80000) / 1e6;
      cpu[0]!.add(t, cpuVal[0]!);
      cpu[1]!.add(t, cpuVal[1]!);
      memVal += Math.floor((rnd() - 0.3) * 200_000) * (svc === 'recommendationservice' ? 4 : 1);
      mem.add(t, memVal);
      heap.forEach((b, h) => {
        heapVal[h] = Math.max(0, heapVal[h]! + Math.floor((rnd() - 0.5) * 64_000));
        b.add(t, heapVal[h]!);
      });
      loop.add(t, Math.round((0.01 + rnd() * 0.02) * 1e6) / 1e6);
      recs.forEach((b, r) => {
        recVal[r]! += Math.floor(rnd() * 5);
        b.add(t, recVal[r]!);
      });
    }
    for (const b of [...cpu, mem, ...heap, loop, ...recs]) out.push(b.build());
  });
  return out;
}

/** Appends generated series to an Orrery appender. */
export function appendAll(app: Appender, data: readonly GeneratedSeries[]): number {
  let n = 0;
  for (const s of data) {
    for (let i = 0; i < s.t.length; i++) {
      if (s.stale && s.stale[i] === 1) app.appendStale(s.labels, s.t[i]!);
      else app.append(s.labels, s.t[i]!, s.v[i]!);
      n++;
    }
    for (const e of s.exemplars ?? []) app.appendExemplar(s.labels, e);
  }
  return n;
}

/** Splits series into time windows (remote write requests), oldest first, so Prometheus sees data in order. */
export function timeWindows(data: readonly GeneratedSeries[], windowMs: number): WriteSeries[][] {
  let min = Infinity;
  let max = -Infinity;
  for (const s of data) {
    if (s.t.length === 0) continue;
    min = Math.min(min, s.t[0]!);
    max = Math.max(max, s.t[s.t.length - 1]!);
  }
  const out: WriteSeries[][] = [];
  for (let w = min; w <= max; w += windowMs) {
    const batch: WriteSeries[] = [];
    for (const s of data) {
      let lo = 0;
      while (lo < s.t.length && s.t[lo]! < w) lo++;
      let hi = lo;
      while (hi < s.t.length && s.t[hi]! < w + windowMs) hi++;
      if (hi > lo) {
        const ex = (s.exemplars ?? []).filter((e) => e.t >= w && e.t < w + windowMs);
        batch.push({
          labels: s.labels,
          t: s.t.subarray(lo, hi),
          v: s.v.subarray(lo, hi),
          ...(s.stale ? { stale: s.stale.subarray(lo, hi) } : {}),
          ...(ex.length > 0 ? { exemplars: ex } : {}),
        });
      }
    }
    out.push(batch);
  }
  return out;
}
