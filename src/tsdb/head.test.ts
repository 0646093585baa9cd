import { afterEach, describe, expect, it, vi } from 'vitest';
import { SelfMetrics } from '../selfmetrics/registry.js';
import { DEFAULT_MAX_FUTURE_MS, Head } from './head.js';
import { compareLabels, labelsFromRecord, type Labels } from '../labels/labels.js';
import { newMatcher } from '../labels/matcher.js';

const L = (r: Record<string, string>): Labels => labelsFromRecord(r);
const eq = (n: string, v: string) => newMatcher('=', n, v);
/** name{a="1",b="2"} of a label set, for looking up collected self-metrics */
function labelsKeyOf(labels: Labels): string {
  const name = labels.find((l) => l.name === '__name__')!.value;
  const rest = labels.filter((l) => l.name !== '__name__').map((l) => `${l.name}="${l.value}"`);
  return rest.length > 0 ? `${name}{${rest.join(',')}}` : name;
}

describe('Head', () => {
  it('appends and selects across many chunks, in label order', () => {
    const h = new Head();
    const a = L({ __name__: 'up', job: 'b' });
    const b = L({ __name__: 'up', job: 'a' });
    for (let i = 0; i < 1000; i++) {
      h.append(a, i * 10_000, i);
      h.append(b, i * 10_000 + 5, i * 0.5);
    }
    const r = h.select([eq('__name__', 'up')], 0, 1e12);
    expect(r.map((s) => s.labels[1]!.value)).toEqual(['a', 'b']);
    expect(r[0]!.t.length).toBe(1000);
    expect(r[1]!.v[999]).toBe(999);
    expect(r[0]!.stale).toBeUndefined();
    // Range bounds are inclusive.
    const part = h.select([eq('job', 'b')], 20_000, 50_000);
    expect([...part[0]!.t]).toEqual([20_000, 30_000, 40_000, 50_000]);
    expect(h.select([eq('job', 'b')], 1e11, 2e11)).toEqual([]);
    const st = h.stats();
    expect(st.series).toBe(2);
    expect(st.samples).toBe(2000);
    expect(st.chunks).toBe(2 * Math.ceil(1000 / 120));
  });

  it('flags staleness markers and keeps NaN samples as plain NaN', () => {
    const h = new Head();
    const a = L({ __name__: 'x' });
    h.append(a, 1000, 1);
    h.append(a, 2000, NaN);
    h.appendStale(a, 3000);
    h.append(a, 4000, 4);
    const [s] = h.select([eq('__name__', 'x')], 0, 5000);
    expect([...s!.t]).toEqual([1000, 2000, 3000, 4000]);
    expect([...s!.stale!]).toEqual([0, 0, 1, 0]);
    expect(Number.isNaN(s!.v[1])).toBe(true);
    expect(Number.isNaN(s!.v[2])).toBe(true);
    // A marker for an unknown series creates nothing.
    h.appendStale(L({ __name__: 'nope' }), 1000);
    expect(h.stats().series).toBe(1);
  });

  it('scans the series select answers, one at a time, each decoded into reused columns', () => {
    const h = new Head();
    // Series of different lengths in an order unlike their label order, some with markers:
    // a series scanned after a longer one, or after one with markers, must not see their leftovers.
    for (let k = 0; k < 30; k++) {
      const labels = L({ __name__: 'x', inst: String((k * 7) % 30) });
      const n = 5 + ((k * 37) % 400);
      for (let i = 0; i < n; i++) {
        if (k % 4 === 0 && i % 50 === 3) h.appendStale(labels, i * 1000);
        else h.append(labels, i * 1000, k * 1000 + i);
      }
    }
    const copy = (x: { labels: Labels; t: Float64Array; v: Float64Array; stale?: Uint8Array }) => ({
      labels: x.labels,
      t: [...x.t],
      v: [...x.v],
      stale: x.stale ? [...x.stale] : undefined,
    });
    for (const [mint, maxt] of [
      [0, 1e9],
      [50_000, 180_000],
      [100_000, 100_000],
    ] as const) {
      const scanned: ReturnType<typeof copy>[] = [];
      h.scan([eq('__name__', 'x')], mint, maxt, (s) => void scanned.push(copy(s)));
      const selected = h.select([eq('__name__', 'x')], mint, maxt).map(copy);
      expect(scanned).toEqual(selected);
      expect(scanned.length).toBeGreaterThan(0);
    }
    // A visit returning false ends the scan.
    let visits = 0;
    h.scan([eq('__name__', 'x')], 0, 1e9, () => ++visits < 3);
    expect(visits).toBe(3);
  });

  it('rejects and counts out-of-order samples; ignores exact duplicates', () => {
    const h = new Head();
    const a = L({ __name__: 'x' });
    expect(h.append(a, 2000, 1)).toBe('ok');
    expect(h.append(a, 1000, 5)).toBe('out-of-order');
    expect(h.append(a, 2000, 1)).toBe('ok'); // the same sample again: a harmless retry
    expect(h.append(a, 2000, 2)).toBe('duplicate');
    expect(h.appendStale(a, 1500)).toBe('out-of-order');
    expect(h.append(a, 3000, 3)).toBe('ok');
    const [s] = h.select([eq('__name__', 'x')], 0, 5000);
    expect([...s!.v]).toEqual([1, 3]);
    expect(h.stats().outOfOrderSamples).toBe(2);
    expect(h.stats().duplicateSamples).toBe(1);
  });

  it('drops whole old chunks and empty series under retention', () => {
    let clock = 0;
    const h = new Head({ retentionMs: 3_600_000, samplesPerChunk: 120, now: () => clock });
    const a = L({ __name__: 'x', i: 'a' });
    const gone = L({ __name__: 'x', i: 'gone' });
    h.append(gone, 0, 1);
    for (let t = 0; t <= 3 * 3_600_000; t += 10_000) {
      clock = t;
      h.append(a, t, t);
    }
    h.applyRetention();
    const st = h.stats();
    expect(st.series).toBe(1);
    const [s] = h.select([eq('__name__', 'x')], 0, 1e12);
    // Whatever remains starts no more than one chunk (120 samples) before the cutoff.
    const cutoff = 2 * 3_600_000;
    expect(s!.t[0]!).toBeLessThanOrEqual(cutoff);
    expect(s!.t[0]!).toBeGreaterThan(cutoff - 120 * 10_000);
    expect(st.samples).toBe(s!.t.length);
    expect(h.labelValues('i', [], -Infinity, Infinity)).toEqual(['a']);
    expect(h.series([eq('i', 'gone')], -Infinity, Infinity)).toEqual([]);
    // The removed series can come back as a new one.
    clock += 10_000;
    h.append(gone, clock, 2);
    expect(h.series([eq('i', 'gone')], -Infinity, Infinity).length).toBe(1);
  });

  it('keeps every series when one sample is dated a year ahead: retention follows the clock', () => {
    const HOUR = 3_600_000;
    const now = 1_700_000_000_000;
    const h = new Head({ retentionMs: 2 * HOUR, now: () => now });
    for (let k = 0; k < 50; k++) {
      for (let t = now - HOUR; t <= now; t += 60_000) h.append(L({ __name__: 'g', k: String(k) }), t, k);
    }
    const future = L({ __name__: 'g', k: 'future' });
    expect(h.append(future, now + 365 * 24 * HOUR, 1)).toBe('too-far-in-future');
    h.applyRetention();
    expect(h.stats().series).toBe(50);
    expect(h.stats().tooFarInFutureSamples).toBe(1);
    expect(h.maxTime()).toBe(now);
    // The refused sample created no series, so the index does not list it either.
    expect(h.labelValues('k', [], -Infinity, Infinity)).not.toContain('future');
  });

  it('accepts samples up to maxFutureMs ahead of the clock and refuses later ones', () => {
    const now = 1_700_000_000_000;
    const a = L({ __name__: 'x' });
    const h = new Head({ now: () => now });
    expect(h.append(a, now + DEFAULT_MAX_FUTURE_MS, 1)).toBe('ok');
    expect(h.append(a, now + DEFAULT_MAX_FUTURE_MS + 1, 2)).toBe('too-far-in-future');
    expect(h.appendStale(a, now + DEFAULT_MAX_FUTURE_MS + 1)).toBe('too-far-in-future');
    const strict = new Head({ now: () => now, maxFutureMs: 0 });
    expect(strict.append(a, now + 1, 1)).toBe('too-far-in-future');
    expect(strict.append(a, now, 1)).toBe('ok');
    expect(strict.stats().tooFarInFutureSamples).toBe(1);
  });

  it('never refuses a sample by an outdated clock reading', () => {
    let clock = 1_700_000_000_000;
    const a = L({ __name__: 'x' });
    const h = new Head({ now: () => clock, maxFutureMs: 60_000, retentionMs: 3_600_000 });
    expect(h.append(a, clock, 1)).toBe('ok');
    clock += 2 * 3_600_000; // the head has not read its clock since
    expect(h.append(a, clock + 30_000, 2)).toBe('ok');
    clock += 10 * 60_000;
    const b = L({ __name__: 'y' });
    expect(h.append(b, clock + 59_000, 1)).toBe('ok');
    expect(h.append(b, clock + 61_000, 2)).toBe('too-far-in-future');
  });

  it('expires data as the clock advances, even when no newer sample arrives', () => {
    let clock = 1_700_000_000_000;
    const h = new Head({ retentionMs: 3_600_000, now: () => clock });
    h.append(L({ __name__: 'x' }), clock, 1);
    clock += 2 * 3_600_000;
    h.applyRetention();
    expect(h.stats().series).toBe(0);
    expect(h.stats().samples).toBe(0);
  });

  it('refuses and counts samples older than the retention', () => {
    const now = 1_700_000_000_000;
    const h = new Head({ retentionMs: 3_600_000, now: () => now });
    expect(h.append(L({ __name__: 'old' }), now - 3_600_001, 1)).toBe('too-old');
    expect(h.append(L({ __name__: 'edge' }), now - 3_600_000, 1)).toBe('ok');
    expect(h.stats().tooOldSamples).toBe(1);
    expect(h.labelValues('__name__', [], -Infinity, Infinity)).toEqual(['edge']);
  });

  describe('retention timer', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('start() applies retention while nothing is appended; shutdown() stops it', () => {
      vi.useFakeTimers();
      let clock = 1_700_000_000_000;
      const h = new Head({ retentionMs: 60_000, now: () => clock });
      h.append(L({ __name__: 'x' }), clock, 1);
      h.start();
      clock += 120_000;
      vi.advanceTimersByTime(15_000);
      expect(h.stats().series).toBe(0);
      h.shutdown();
      h.append(L({ __name__: 'y' }), clock, 1);
      clock += 120_000;
      vi.advanceTimersByTime(60_000);
      expect(h.stats().series).toBe(1);
    });
  });

  it('registers its refusal counters under Prometheus names', () => {
    const now = 1_700_000_000_000;
    const h = new Head({ retentionMs: 60_000, now: () => now });
    const a = L({ __name__: 'x' });
    h.append(a, now, 1);
    h.append(a, now - 1, 1); // out of order
    h.append(a, now, 2); // duplicate
    h.append(a, now - 120_000, 1); // too old
    h.append(a, now + 3_600_000, 1); // too far ahead
    const registry = new SelfMetrics();
    h.registerMetrics(registry);
    const values = new Map(
      registry.collect().flatMap((f) => f.samples.map((s) => [labelsKeyOf(s.labels), s.value] as const)),
    );
    expect(values.get('prometheus_tsdb_out_of_order_samples_total{type="float"}')).toBe(1);
    expect(values.get('prometheus_tsdb_out_of_bound_samples_total{type="float"}')).toBe(1);
    expect(values.get('orrery_tsdb_duplicate_samples_total')).toBe(1);
    expect(values.get('orrery_tsdb_too_far_in_future_samples_total')).toBe(1);
  });

  it('answers series, label names and values with matchers and time ranges', () => {
    const h = new Head();
    h.append(L({ __name__: 'a', job: 'j1', x: '1' }), 1000, 1);
    h.append(L({ __name__: 'b', job: 'j2', y: '2' }), 5000, 1);
    expect(h.labelNames([], -Infinity, Infinity)).toEqual(['__name__', 'job', 'x', 'y']);
    expect(h.labelNames([eq('job', 'j2')], 0, 10_000)).toEqual(['__name__', 'job', 'y']);
    expect(h.labelNames([], 4000, 6000)).toEqual(['__name__', 'job', 'y']);
    expect(h.labelValues('job', [], -Infinity, Infinity)).toEqual(['j1', 'j2']);
    expect(h.labelValues('job', [], 0, 2000)).toEqual(['j1']);
    expect(h.labelValues('job', [newMatcher('=~', '__name__', 'a|b')], 0, 10_000)).toEqual(['j1', 'j2']);
    expect(h.series([newMatcher('!=', 'job', '')], 0, 10_000).length).toBe(2);
    expect(h.series([eq('x', '')], 0, 10_000).map((l) => l[0]!.value)).toEqual(['b']);
  });

  it('keeps exemplars in a ring per series', () => {
    const h = new Head({ exemplarsPerSeries: 3 });
    const a = L({ __name__: 'h_bucket', le: '1' });
    for (let i = 0; i < 5; i++) h.appendExemplar(a, { labels: L({ trace_id: 't' + i }), value: i, t: i * 1000 });
    h.appendExemplar(a, { labels: L({ trace_id: 'old' }), value: 9, t: 0 });
    const r = h.selectExemplars([[eq('__name__', 'h_bucket')]], 0, 10_000);
    expect(r.length).toBe(1);
    expect(r[0]!.exemplars.map((e) => e.t)).toEqual([2000, 3000, 4000]);
    expect(h.selectExemplars([[eq('__name__', 'h_bucket')]], 2500, 3500)[0]!.exemplars.length).toBe(1);
    expect(h.selectExemplars([[eq('__name__', 'zzz')]], 0, 10_000)).toEqual([]);
  });

  it('keeps metadata by metric name', () => {
    const h = new Head();
    h.setMetadata('up', { type: 'gauge', help: 'h', unit: '' });
    expect(h.metadata().get('up')!.type).toBe('gauge');
    expect(h.metadata('nope').size).toBe(0);
  });

  it('stores regular 10 s counters and gauges in at most 2 bytes a sample', () => {
    const h = new Head();
    const series = 1000;
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const counters = new Array<number>(series).fill(0);
    for (let i = 0; i < 360; i++) {
      const t = 1_700_000_000_000 + i * 10_000;
      for (let k = 0; k < series; k++) {
        const labels = L({ __name__: k % 2 ? 'c_total' : 'g', k: String(k) });
        if (k % 2) counters[k]! += Math.floor(rnd() * 20);
        // a gauge like a queue length or a connection count: a small integer walking up and down
        else counters[k] = Math.max(0, counters[k]! + Math.floor(rnd() * 5) - 2);
        h.append(labels, t, counters[k]!);
      }
    }
    const st = h.stats();
    expect(st.bytes / st.samples).toBeLessThan(2);
  });
});

describe('compareLabels', () => {
  it('orders by name then value then length', () => {
    expect(compareLabels(L({ a: '1' }), L({ a: '2' }))).toBeLessThan(0);
    expect(compareLabels(L({ a: '1' }), L({ a: '1', b: '1' }))).toBeLessThan(0);
    expect(compareLabels(L({ b: '1' }), L({ a: '1', b: '1' }))).toBeGreaterThan(0);
  });
});

describe('Head: what cutting blocks reads and drops', () => {
  it('lists the series with samples in a range and hands out one series at a time, staleness included', () => {
    const now = 10_000_000;
    const h = new Head({ now: () => now, samplesPerChunk: 4 });
    const a = L({ __name__: 'calls', service: 'a' });
    const b = L({ __name__: 'calls', service: 'b' });
    for (let i = 0; i < 10; i++) h.append(a, i * 1000, i);
    h.appendStale(a, 10_000);
    h.append(b, 50_000, 1);
    expect(h.seriesIn(0, 20_000).map((s) => s.labels)).toEqual([a]);
    const ref = h.seriesIn(0, 20_000)[0]!.ref;
    const s = h.samplesOf(ref, 2000, 10_000)!;
    expect([...s.t]).toEqual([2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000]);
    expect(s.v[0]).toBe(2);
    expect([...s.stale!]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(h.samplesOf(ref, 20_000, 30_000)).toBeUndefined();
  });

  it('truncates whole chunks before a time, drops series left empty, and refuses samples before it', () => {
    const now = 10_000_000;
    const h = new Head({ now: () => now, samplesPerChunk: 4 });
    const a = L({ __name__: 'calls', service: 'a' });
    const gone = L({ __name__: 'calls', service: 'gone' });
    for (let i = 0; i < 10; i++) h.append(a, i * 1000, i);
    h.append(gone, 500, 1);
    h.truncateBefore(5000);
    // the chunk holding 4000..7000 straddles the cut and stays
    expect(h.minTime()).toBe(4000);
    expect(h.series([eq('__name__', 'calls')], 0, 1e9)).toEqual([a]);
    expect(h.append(a, 4999, 1)).toBe('too-old');
    expect(h.append(L({ __name__: 'new' }), 4999, 1)).toBe('too-old');
    expect(h.append(a, 10_000, 1)).toBe('ok');
  });
});
