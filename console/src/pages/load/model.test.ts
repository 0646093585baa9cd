import { describe, expect, it } from 'vitest';
import type { EndpointStats, LoadSnapshot } from '../../api/load.js';
import { appendSample, historyFrame, readLoadForm, statsRows } from './model.js';

const stats = (name: string, method: string, requests: number, failures: number, rps = 1): EndpointStats => ({
  name,
  method,
  requests,
  failures,
  rps,
  failuresPerSec: failures > 0 ? 0.5 : 0,
  avg: 10,
  min: 2,
  max: 40,
  p50: 8,
  p95: 30,
  p99: 39,
});

const snapshot = (rps: number, failures = 0): LoadSnapshot => ({
  running: true,
  users: 2,
  targetUsers: 2,
  spawnRate: 1,
  stats: [
    stats('/api/products', 'GET', 10, failures),
    stats('/api/cart', 'POST', 4, 0),
    stats('/api/cart', 'GET', 3, 0),
  ],
  totals: { ...stats('Aggregated', '', 17, failures, rps), failuresPerSec: failures },
  errors: [],
});

describe('load page model', () => {
  it('keeps an ascending, bounded history of the totals', () => {
    let h = appendSample([], snapshot(5), 10_000);
    h = appendSample(h, snapshot(6), 10_500); // same second: replaces
    h = appendSample(h, snapshot(7, 1), 12_000);
    expect(h).toEqual([
      { t: 10, rps: 6, failuresPerSec: 0 },
      { t: 12, rps: 7, failuresPerSec: 1 },
    ]);
    for (let i = 0; i < 10; i++) h = appendSample(h, snapshot(i), 20_000 + i * 1000, 4);
    expect(h.map((s) => s.t)).toEqual([26, 27, 28, 29]);
    const frame = historyFrame(h);
    expect(frame.times).toEqual([26, 27, 28, 29]);
    expect(frame.series.map((s) => s.name)).toEqual(['requests/s', 'failures/s']);
  });

  it('lists endpoints by name and method with an Aggregated row and failure shares', () => {
    const { rows, total } = statsRows(snapshot(3, 5));
    expect(rows.map((r) => `${r.type} ${r.name}`)).toEqual(['GET /api/cart', 'POST /api/cart', 'GET /api/products']);
    expect(rows[2]!.failureShare).toBe(0.5);
    expect(total.name).toBe('Aggregated');
    expect(total.requests).toBe(17);
  });

  it('reads the form, naming the wrong field', () => {
    expect(readLoadForm('10', '2.5')).toEqual({ ok: true, update: { users: 10, spawnRate: 2.5 } });
    expect(readLoadForm('1.5', '1')).toMatchObject({ ok: false, field: 'users' });
    expect(readLoadForm('', '1')).toMatchObject({ ok: false, field: 'users' });
    expect(readLoadForm('3', '0')).toMatchObject({ ok: false, field: 'spawnRate' });
  });
});
