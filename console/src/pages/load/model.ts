// The Load page's pure parts: the history of requests/s and failures/s drawn in its chart, the
// Locust-like table rows, and reading the users / spawn-rate form.
import type { EndpointStats, LoadSnapshot, LoadUpdate } from '../../api/load.js';
import type { Frame } from '../../model/frames.js';

export interface RateSample {
  /** unix seconds */
  readonly t: number;
  readonly rps: number;
  readonly failuresPerSec: number;
}

/** Appends one polled snapshot's totals, keeping the last `max` samples. */
export function appendSample(
  history: readonly RateSample[],
  snap: LoadSnapshot,
  nowMs: number,
  max = 300,
): RateSample[] {
  const t = Math.floor(nowMs / 1000);
  const sample = { t, rps: snap.totals.rps, failuresPerSec: snap.totals.failuresPerSec };
  // Two polls in the same second: the newer replaces the older, so the time axis stays ascending.
  const kept = history.length > 0 && history[history.length - 1]!.t >= t ? history.slice(0, -1) : history;
  return [...kept, sample].slice(-max);
}

export function historyFrame(history: readonly RateSample[]): Frame {
  return {
    times: history.map((s) => s.t),
    series: [
      { name: 'requests/s', metric: {}, refId: 'A', values: history.map((s) => s.rps) },
      { name: 'failures/s', metric: {}, refId: 'B', values: history.map((s) => s.failuresPerSec) },
    ],
  };
}

export interface StatsRow {
  readonly type: string;
  readonly name: string;
  readonly requests: number;
  readonly failures: number;
  /** failures as a share of requests, 0..1 */
  readonly failureShare: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly avg: number;
  readonly min: number;
  readonly max: number;
  readonly rps: number;
  readonly failuresPerSec: number;
}

function row(s: EndpointStats, type: string, name: string): StatsRow {
  return {
    type,
    name,
    requests: s.requests,
    failures: s.failures,
    failureShare: s.requests > 0 ? s.failures / s.requests : 0,
    p50: s.p50,
    p95: s.p95,
    p99: s.p99,
    avg: s.avg,
    min: s.requests > 0 ? s.min : 0,
    max: s.max,
    rps: s.rps,
    failuresPerSec: s.failuresPerSec,
  };
}

/** One row per endpoint sorted by name (then method), and Locust's "Aggregated" row last. */
export function statsRows(snap: LoadSnapshot): { rows: StatsRow[]; total: StatsRow } {
  const rows = [...snap.stats]
    .sort((a, b) => a.name.localeCompare(b.name) || a.method.localeCompare(b.method))
    .map((s) => row(s, s.method, s.name));
  return { rows, total: row(snap.totals, '', 'Aggregated') };
}

/** The form's users and spawn rate as an update, or the field that is wrong. */
export function readLoadForm(
  users: string,
  spawnRate: string,
):
  | { ok: true; update: Required<Pick<LoadUpdate, 'users' | 'spawnRate'>> }
  | { ok: false; field: string; error: string } {
  const u = Number(users);
  if (users.trim() === '' || !Number.isInteger(u) || u < 0)
    return { ok: false, field: 'users', error: 'Number of users must be a whole number, 0 or more' };
  const r = Number(spawnRate);
  if (spawnRate.trim() === '' || !Number.isFinite(r) || r <= 0)
    return { ok: false, field: 'spawnRate', error: 'Spawn rate must be a number of users per second above 0' };
  return { ok: true, update: { users: u, spawnRate: r } };
}
