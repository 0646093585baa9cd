// Per-endpoint request statistics in Locust's manner: response times are kept as counts of
// rounded values (exact below 100 ms, then 2 significant digits), so percentiles stay accurate
// with bounded memory however long the run; requests per second come from a sliding window of
// whole seconds.

export interface EndpointStats {
  name: string;
  method: string;
  requests: number;
  failures: number;
  /** requests per second over the last window */
  rps: number;
  /** failures per second over the last window */
  failuresPerSec: number;
  avg: number;
  min: number;
  max: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface ErrorStats {
  method: string;
  name: string;
  error: string;
  occurrences: number;
}

/** Locust's rounding: <100 ms exact, <1 s to 10 ms, <10 s to 100 ms, above to 1 s. */
export function roundResponseTime(ms: number): number {
  const v = Math.max(0, Math.round(ms));
  if (v < 100) return v;
  if (v < 1000) return Math.round(v / 10) * 10;
  if (v < 10_000) return Math.round(v / 100) * 100;
  return Math.round(v / 1000) * 1000;
}

/** The value at percentile q (0..1) of a histogram of rounded times. */
export function percentile(counts: ReadonlyMap<number, number>, total: number, q: number): number {
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * total));
  const keys = [...counts.keys()].sort((a, b) => a - b);
  let seen = 0;
  for (const k of keys) {
    seen += counts.get(k) ?? 0;
    if (seen >= rank) return k;
  }
  return keys[keys.length - 1] ?? 0;
}

const WINDOW_S = 10;

class Entry {
  requests = 0;
  failures = 0;
  totalMs = 0;
  min = Infinity;
  max = 0;
  readonly times = new Map<number, number>();
  /** per-second counts, keyed by unix second, pruned to the window */
  readonly perSecond = new Map<number, { req: number; fail: number }>();

  constructor(
    readonly method: string,
    readonly name: string,
  ) {}

  record(ms: number, failed: boolean, nowMs: number): void {
    this.requests++;
    if (failed) this.failures++;
    this.totalMs += ms;
    this.min = Math.min(this.min, ms);
    this.max = Math.max(this.max, ms);
    const r = roundResponseTime(ms);
    this.times.set(r, (this.times.get(r) ?? 0) + 1);
    const sec = Math.floor(nowMs / 1000);
    const slot = this.perSecond.get(sec) ?? { req: 0, fail: 0 };
    slot.req++;
    if (failed) slot.fail++;
    this.perSecond.set(sec, slot);
    for (const k of this.perSecond.keys()) if (k < sec - WINDOW_S - 1) this.perSecond.delete(k);
  }

  /** Rates over the last WINDOW_S complete seconds (the current second is still filling). */
  rates(nowMs: number): { rps: number; fps: number } {
    const cur = Math.floor(nowMs / 1000);
    let req = 0;
    let fail = 0;
    for (const [k, v] of this.perSecond) {
      if (k < cur && k >= cur - WINDOW_S) {
        req += v.req;
        fail += v.fail;
      }
    }
    return { rps: req / WINDOW_S, fps: fail / WINDOW_S };
  }

  snapshot(nowMs: number): EndpointStats {
    const { rps, fps } = this.rates(nowMs);
    return {
      name: this.name,
      method: this.method,
      requests: this.requests,
      failures: this.failures,
      rps: round2(rps),
      failuresPerSec: round2(fps),
      avg: this.requests ? round2(this.totalMs / this.requests) : 0,
      min: this.requests ? round2(this.min) : 0,
      max: round2(this.max),
      p50: percentile(this.times, this.requests, 0.5),
      p95: percentile(this.times, this.requests, 0.95),
      p99: percentile(this.times, this.requests, 0.99),
    };
  }

  mergeInto(total: Entry): void {
    total.requests += this.requests;
    total.failures += this.failures;
    total.totalMs += this.totalMs;
    total.min = Math.min(total.min, this.min);
    total.max = Math.max(total.max, this.max);
    for (const [k, v] of this.times) total.times.set(k, (total.times.get(k) ?? 0) + v);
    for (const [k, v] of this.perSecond) {
      const s = total.perSecond.get(k) ?? { req: 0, fail: 0 };
      s.req += v.req;
      s.fail += v.fail;
      total.perSecond.set(k, s);
    }
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

const MAX_ERROR_KINDS = 100;

export class RequestStats {
  private entries = new Map<string, Entry>();
  private errors = new Map<string, ErrorStats>();

  constructor(private readonly now: () => number = Date.now) {}

  record(method: string, name: string, ms: number, error?: string): void {
    const key = `${method} ${name}`;
    let e = this.entries.get(key);
    if (!e) this.entries.set(key, (e = new Entry(method, name)));
    e.record(ms, error !== undefined, this.now());
    if (error !== undefined) {
      const ek = `${key} ${error}`;
      const found = this.errors.get(ek);
      if (found) found.occurrences++;
      else if (this.errors.size < MAX_ERROR_KINDS) this.errors.set(ek, { method, name, error, occurrences: 1 });
    }
  }

  endpoints(): EndpointStats[] {
    const now = this.now();
    return [...this.entries.values()]
      .map((e) => e.snapshot(now))
      .sort((a, b) => a.name.localeCompare(b.name) || a.method.localeCompare(b.method));
  }

  totals(): EndpointStats {
    const total = new Entry('', 'Aggregated');
    for (const e of this.entries.values()) e.mergeInto(total);
    return total.snapshot(this.now());
  }

  errorList(): ErrorStats[] {
    return [...this.errors.values()].sort((a, b) => b.occurrences - a.occurrences);
  }

  reset(): void {
    this.entries = new Map();
    this.errors = new Map();
  }
}
