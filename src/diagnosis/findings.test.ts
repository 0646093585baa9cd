// Findings from a TSDB and annotations, through the PromQL engine: an out-of-memory sawtooth
// with its restarts and the flag change before it, a p99 shift and an error-rate shift from span
// metrics, and quiet services that give nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { AnnotationStore } from '../annotations/store.js';
import { SPAN_METRICS } from '../names/contract.js';
import { Engine } from '../promql/engine.js';
import { Head } from '../tsdb/head.js';
import { labelsFromRecord } from '../labels/labels.js';
import { findFindings, type Finding } from './findings.js';

const MINUTE = 60_000;
const START = Date.UTC(2026, 11, 1, 14, 0);
const END = START + 15 * MINUTE;
const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 16);

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Appends f(minutes since START) every 10 s over the window (and 5 minutes before it, or from fromMin). */
function fill(head: Head, labels: Record<string, string>, f: (min: number) => number, fromMin = -5): void {
  const l = labelsFromRecord(labels);
  for (let t = START + fromMin * MINUTE; t <= END; t += 10_000) head.append(l, t, f((t - START) / MINUTE));
}

/** Span-metrics buckets whose calls take `latencyMs(min)`, `rate` calls/s, `errorShare(min)` failing. */
function spanMetrics(
  head: Head,
  service: string,
  latencyMs: (min: number) => number,
  errorShare: (min: number) => number,
  fromMin = -5,
): void {
  const base = { service_name: service, span_name: 'op', span_kind: 'SPAN_KIND_SERVER' };
  const rate = 10;
  const callsAt = (min: number): number => (min + 5) * 60 * rate; // cumulative since START - 5m
  const cumulative = (f: (min: number) => number, until: number): number => {
    let total = 0;
    for (let m = -5; m < until; m += 1 / 6) total += f(m) * rate * 10;
    return total;
  };
  fill(
    head,
    { __name__: SPAN_METRICS.calls, ...base, status_code: 'STATUS_CODE_ERROR' },
    (min) => cumulative(errorShare, min),
    fromMin,
  );
  fill(
    head,
    { __name__: SPAN_METRICS.calls, ...base, status_code: 'STATUS_CODE_UNSET' },
    (min) => callsAt(min) - cumulative(errorShare, min),
    fromMin,
  );
  for (const le of [...SPAN_METRICS.bucketsMs, Infinity]) {
    fill(
      head,
      {
        __name__: SPAN_METRICS.durationBucket,
        ...base,
        status_code: 'STATUS_CODE_UNSET',
        le: le === Infinity ? '+Inf' : String(le),
      },
      (min) => cumulative((m) => (latencyMs(m) <= le ? 1 : 0), min),
      fromMin,
    );
  }
}

describe('findFindings', () => {
  const head = new Head();
  const annotations = new AnnotationStore();
  const noise = random(3);
  // recommendationservice: flag on at 14:01, leaks 40 MB/min from 14:02, OOM restarts at 14:06, 14:10, 14:14
  fill(head, { __name__: 'process_memory_usage', service_name: 'recommendationservice' }, (min) => {
    const tooth = min < 2 ? 0 : (min - 2) % 4;
    return 150e6 + tooth * 40e6 + noise() * 3e6;
  });
  fill(head, { __name__: 'process_memory_usage', service_name: 'cartservice' }, () => 90e6 + noise() * 6e6);
  fill(head, { __name__: 'orrery_supervisor_restarts_total', service_name: 'recommendationservice' }, (min) =>
    min < 6 ? 0 : min < 10 ? 1 : min < 14 ? 2 : 3,
  );
  annotations.add({ time: START + MINUTE, tags: ['flag', 'recommendationCache'], text: 'recommendationCache → on' });
  for (const [i, min] of [6, 10, 14].entries()) {
    annotations.add({
      time: START + min * MINUTE,
      tags: ['restart', 'recommendationservice'],
      text: `recommendationservice restarted (#${i + 1}): out of memory (exit code 134)`,
    });
  }
  // frontend slows down from 14:08; paymentservice fails from 14:09; checkoutservice stays quiet
  spanMetrics(
    head,
    'frontend',
    (min) => (min >= 8 ? 1800 : 40),
    () => 0,
  );
  spanMetrics(
    head,
    'paymentservice',
    () => 30,
    (min) => (min >= 9 ? 0.4 : 0),
  );
  spanMetrics(
    head,
    'checkoutservice',
    () => 30,
    () => 0.01,
  );

  let findings: Finding[] = [];
  beforeAll(async () => {
    findings = await findFindings({ engine: new Engine(), storage: head, annotations, clock }, START, END);
  });

  it('reports the leak with its restarts and the flag change', () => {
    const leak = findings.find((f) => f.service === 'recommendationservice')!;
    expect(leak.kind).toBe('memory_growth');
    expect(leak.restarts).toBe(3);
    expect(leak.slopeBytesPerMin / 1e6).toBeGreaterThan(30);
    expect(leak.slopeBytesPerMin / 1e6).toBeLessThan(50);
    expect(Math.abs(leak.since - (START + 2 * MINUTE))).toBeLessThanOrEqual(MINUTE);
    expect(leak.flagChanges).toEqual([{ flag: 'recommendationCache', value: 'on', at: START + MINUTE }]);
    expect(leak.summary).toMatch(
      /^recommendationservice: memory rising 4\d MB\/min since 14:0[123], 3 out-of-memory restarts; recommendationCache was switched on at 14:01$/,
    );
    expect(leak.compareUrl).toBe(
      `/api/orrery/v1/compare?service=recommendationservice&start=${START * 1000}&end=${END * 1000}&select=slowest&percent=5`,
    );
  });

  it('reports the p99 shift and the error rate from span metrics', () => {
    const latency = findings.find((f) => f.service === 'frontend')!;
    expect(latency.kind).toBe('latency_shift');
    expect(Math.abs(latency.since - (START + 8 * MINUTE))).toBeLessThanOrEqual(1.5 * MINUTE);
    expect(latency.summary).toMatch(/^frontend: p99 latency \d(\.\d)? s, up from \d+ ms, since 14:0\d/);
    const errors = findings.find((f) => f.service === 'paymentservice')!;
    expect(errors.kind).toBe('error_rate');
    expect(Math.abs(errors.since - (START + 9 * MINUTE))).toBeLessThanOrEqual(1.5 * MINUTE);
    expect(errors.summary).toMatch(/^paymentservice: 40% of calls fail, up from 0%, since 14:(09|1\d)/);
  });

  it('gives nothing for quiet services, and findings sorted by kind', () => {
    expect(findings.map((f) => f.service)).not.toContain('cartservice');
    expect(findings.map((f) => f.service)).not.toContain('checkoutservice');
    expect(findings.map((f) => f.kind)).toEqual(['memory_growth', 'error_rate', 'latency_shift']);
    expect(JSON.stringify(findings)).not.toMatch(/NaN|null/);
  });

  it('takes a GC sawtooth that no restart explains for what it is: no finding', async () => {
    const h = new Head();
    // a heap that grows 3 MB/min and gives it back at each major GC, every 5 minutes; no RSS series
    fill(
      h,
      { __name__: 'v8js_memory_heap_used_bytes', service_name: 'emailservice', v8js_heap_space_name: 'old_space' },
      (min) => 30e6 + (((min % 5) + 5) % 5) * 3e6,
    );
    expect(
      await findFindings({ engine: new Engine(), storage: h, annotations: new AnnotationStore(), clock }, START, END),
    ).toEqual([]);
  });

  it('lets a process that started inside the window warm up; a fast leak with restarts is found at once', async () => {
    const h = new Head();
    const a = new AnnotationStore();
    // featureflagservice starts at 14:10 and grows 2 MB/min for its first 5 minutes
    const young = labelsFromRecord({ __name__: 'process_memory_usage', service_name: 'featureflagservice' });
    for (let t = START + 10 * MINUTE; t <= END; t += 10_000)
      h.append(young, t, 60e6 + ((t - START - 10 * MINUTE) / MINUTE) * 2e6);
    // recommendationservice: flat, then from 14:12 60 MB/min with an OOM restart every minute
    fill(
      h,
      { __name__: 'process_memory_usage', service_name: 'recommendationservice' },
      (min) => 40e6 + (min < 12 ? 0 : (min - 12) % 1) * 60e6,
    );
    for (const min of [13, 14, 15])
      a.add({
        time: START + min * MINUTE,
        tags: ['restart', 'recommendationservice'],
        text: 'recommendationservice restarted: out of memory',
      });
    const found = await findFindings({ engine: new Engine(), storage: h, annotations: a, clock }, START, END);
    expect(found.map((f) => [f.service, f.kind])).toEqual([['recommendationservice', 'memory_growth']]);
    expect(found[0]!.summary).toMatch(
      /^recommendationservice: memory rising \d+ MB\/min since 14:1[12], 3 out-of-memory restarts$/,
    );
  });

  it('lets a service that started inside the window warm up: no latency or error shift in its first 5 minutes', async () => {
    const h = new Head();
    // cartservice starts at 14:04; its p99 triples and some calls fail from 14:06, then it runs steady
    spanMetrics(
      h,
      'cartservice',
      (min) => (min >= 6 ? 600 : 90),
      (min) => (min >= 6 ? 0.3 : 0),
      4,
    );
    const none = await findFindings(
      { engine: new Engine(), storage: h, annotations: new AnnotationStore(), clock },
      START,
      END,
    );
    expect(none).toEqual([]);
    // the same shift 6 minutes after a start at 14:00 is one
    const later = new Head();
    spanMetrics(
      later,
      'cartservice',
      (min) => (min >= 7 ? 600 : 90),
      () => 0,
      -5,
    );
    const found = await findFindings(
      { engine: new Engine(), storage: later, annotations: new AnnotationStore(), clock },
      START,
      END,
    );
    expect(found.map((f) => [f.service, f.kind])).toEqual([['cartservice', 'latency_shift']]);
  });

  it('counts a supervisor counter that first appears inside the window from 0', async () => {
    const h = new Head();
    const l = labelsFromRecord({ __name__: 'orrery_supervisor_restarts_total', service_name: 'cartservice' });
    for (let t = START + 5 * MINUTE; t <= END; t += 10_000) h.append(l, t, t < START + 9 * MINUTE ? 1 : 2);
    const [f, ...rest] = await findFindings(
      { engine: new Engine(), storage: h, annotations: new AnnotationStore(), clock },
      START,
      END,
    );
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ service: 'cartservice', kind: 'restarts', restarts: 2, since: START + 5 * MINUTE });
  });

  it('finds a leak that kills its process within two minutes, from the shape of the demo run', async () => {
    // recommendationservice's RSS in MB from `orrery demo` (2026-12-02, 60 users): flat, the flag at
    // 14:12, then 1.25x a cache miss: three samples climb to 443 MB, the process collapses in
    // garbage collection with no export after 14:13:21.6, dies out of memory at 14:13:55.8 and is
    // back at 14:13:57; its successor's first export comes at 14:14:10
    const flag = START + 12 * MINUTE;
    const flat = [
      87.5, 87.1, 88.1, 88.3, 88.1, 88.5, 88.2, 88.6, 89.3, 89.1, 90.5, 91.0, 91.2, 90.5, 91.0, 91.2, 90.8, 91.4, 91.3,
      91.3, 91.3, 91.2, 91.1, 90.8, 91.1, 91.3, 91.6, 91.3, 91.3, 91.7, 91.3, 91.8, 91.4, 91.1, 91.8, 91.7, 91.3, 91.6,
      91.5, 92.2, 91.8, 91.8, 91.9, 91.3, 91.6, 91.5, 91.5, 92.1, 91.4, 91.5, 92.0, 92.0, 90.9, 91.4, 90.9, 91.2, 92.0,
      92.1, 91.6, 92.2, 91.9, 92.7, 93.7,
    ];
    const h = new Head();
    const a = new AnnotationStore();
    const rss = labelsFromRecord({
      __name__: 'process_memory_usage',
      service_name: 'recommendationservice',
      instance: 'recommendationservice-1',
    });
    // the last flat sample at flag + 23.6 s, one every 10 s before it
    flat.forEach((mb, i) => h.append(rss, flag + 23_600 - (flat.length - 1 - i) * 10_000, mb * 1e6));
    for (const [dt, mb] of [
      [33_600, 92.8],
      [43_700, 93.4],
      [53_800, 145.1],
      [64_000, 282.9],
    ] as const)
      h.append(rss, flag + dt, mb * 1e6);
    // the successor, whose own leak has not taken off yet
    [87.5, 87.1, 88.1, 88.3, 88.1, 88.5].forEach((mb, i) => h.append(rss, flag + 105_000 + i * 10_000, mb * 1e6));
    a.add({ time: flag, tags: ['flag', 'recommendationCache'], text: 'recommendationCache → on' });
    a.add({
      time: flag + 90_000,
      tags: ['restart', 'recommendationservice'],
      text: 'recommendationservice restarted (#1): out of memory (signal SIGABRT)',
    });
    const end = flag + 3 * MINUTE;
    const found = await findFindings(
      { engine: new Engine(), storage: h, annotations: a, clock },
      end - 15 * MINUTE,
      end,
    );
    expect(found.map((f) => [f.service, f.kind])).toEqual([['recommendationservice', 'memory_growth']]);
    expect(found[0]!.summary).toMatch(
      /^recommendationservice: memory rising \d+ MB\/min since 14:1[23], 1 out-of-memory restart; recommendationCache was switched on at 14:12$/,
    );
  });

  it('an out-of-memory restart of a service whose memory did not climb is a restarts finding only', async () => {
    const h = new Head();
    const a = new AnnotationStore();
    // flat at 120 MB with noise; nothing sent from 14:08 to 14:10 (the lookback repeats the last
    // sample), the exit at 14:09:30, the successor flat at 110 MB
    const noisy = random(11);
    const l = labelsFromRecord({ __name__: 'process_memory_usage', service_name: 'quoteservice' });
    for (let t = START - 5 * MINUTE; t <= END; t += 10_000) {
      if (t > START + 8 * MINUTE && t < START + 10 * MINUTE) continue;
      h.append(l, t, (t < START + 9 * MINUTE ? 120e6 : 110e6) + noisy() * 4e6);
    }
    a.add({
      time: START + 9.5 * MINUTE,
      tags: ['restart', 'quoteservice'],
      text: 'quoteservice restarted (#1): out of memory (signal SIGABRT)',
    });
    const found = await findFindings({ engine: new Engine(), storage: h, annotations: a, clock }, START, END);
    expect(found.map((f) => [f.service, f.kind])).toEqual([['quoteservice', 'restarts']]);
    expect(found[0]!.summary).toBe('quoteservice: 1 out-of-memory restart since 14:09');
  });

  it('a crash loop whose processes warm up a little and stay flat is a restarts finding, for every seed', async () => {
    // adservice exits with code 1 every 2 minutes; each process warms from 112 to 120 MB over its
    // first minute, then stays flat: restarts that were not out of memory must not cut the series
    // into teeth, or each warm-up would read as a leak's climb
    for (let seed = 1; seed <= 10; seed++) {
      const h = new Head();
      const a = new AnnotationStore();
      const noisy = random(seed);
      const l = labelsFromRecord({ __name__: 'process_memory_usage', service_name: 'adservice' });
      const period = 2 * MINUTE;
      for (let t = START - 5 * MINUTE; t <= END; t += 10_000) {
        const k = (((t - START) % period) + period) % period;
        const mb = k < MINUTE ? 112 + (8 * k) / MINUTE : 120;
        h.append(l, t, mb * 1e6 + (noisy() * 2 - 1) * 1e6);
      }
      let n = 0;
      for (let t = START + period; t <= END; t += period)
        a.add({ time: t - 5000, tags: ['restart', 'adservice'], text: `adservice restarted (#${++n}): exit code 1` });
      const found = await findFindings({ engine: new Engine(), storage: h, annotations: a, clock }, START, END);
      expect(
        found.map((f) => f.kind),
        `seed ${seed}`,
      ).toEqual(['restarts']);
    }
  });

  it('counts restarts without memory growth as a restarts finding', async () => {
    const h = new Head();
    const a = new AnnotationStore();
    fill(h, { __name__: 'process_memory_usage', service_name: 'adservice' }, (min) =>
      Math.floor(min) === 7 ? 20e6 : 100e6,
    );
    a.add({ time: START + 7 * MINUTE, tags: ['restart', 'adservice'], text: 'adservice restarted (#1): exit code 1' });
    const [f, ...rest] = await findFindings({ engine: new Engine(), storage: h, annotations: a, clock }, START, END);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ service: 'adservice', kind: 'restarts', restarts: 1, since: START + 7 * MINUTE });
    expect(f!.summary).toBe('adservice: 1 restart since 14:07');
  });
});
