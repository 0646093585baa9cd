import { describe, expect, it } from 'vitest';
import type { Span } from '../otlp/model.js';
import { DependencyIndex, type DependencySource } from './dependencies.js';
import type { DependencyLink, Trace } from './storage.js';
import { TraceStore } from './store.js';
import { batch, sid, span, tid } from './testdata.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

/** The definition, straight from whole traces: what getDependencies must equal. */
function bruteForce(traces: readonly Trace[], endTsMs: number, lookbackMs: number): DependencyLink[] {
  const fromNs = (endTsMs - lookbackMs) * 1e6;
  const toNs = endTsMs * 1e6;
  const counts = new Map<string, number>();
  for (const t of traces) {
    const starts = t.spans.map((s) => s.startTimeUnixNano);
    if (Math.min(...starts) > toNs || Math.max(...starts) < fromNs) continue;
    const byId = new Map(t.spans.map((s) => [s.spanId, s]));
    for (const s of t.spans) {
      const parent = s.parentSpanId === '' ? undefined : byId.get(s.parentSpanId);
      if (!parent || parent.serviceName === s.serviceName) continue;
      const key = `${parent.serviceName}\u0000${s.serviceName}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts]
    .map(([k, callCount]) => {
      const [parent, child] = k.split('\u0000') as [string, string];
      return { parent, child, callCount };
    })
    .sort((a, b) => (a.parent !== b.parent ? (a.parent < b.parent ? -1 : 1) : a.child < b.child ? -1 : 1));
}

/** A seeded PRNG so a failure reproduces. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

const SERVICES = ['frontend', 'cart', 'redis', 'recommendation', 'catalog'];

interface Sent {
  service: string;
  span: Span;
}

/** A random trace: a tree over services, some spans pointing at parents that never arrive. */
function randomTrace(rand: () => number, n: number, traceNo: number, startMs: number): Sent[] {
  const out: Sent[] = [];
  let spanNo = traceNo * 10_000;
  for (let i = 0; i < n; i++) {
    const parent = i === 0 ? undefined : rand() < 0.05 ? sid(999_999_999) : out[Math.floor(rand() * i)]!.span.spanId;
    out.push({
      service: SERVICES[Math.floor(rand() * SERVICES.length)]!,
      span: span({
        traceId: tid(traceNo),
        spanId: sid(++spanNo),
        parentSpanId: parent,
        startMs: startMs + rand() * 40_000,
        durationMs: rand() * 100,
      }),
    });
  }
  return out;
}

describe('dependency index', () => {
  it('equals the brute-force scan through arrivals out of order, eviction by budget and retention', () => {
    const rand = rng(42);
    let now = T0;
    const store = new TraceStore({
      now: () => now,
      budgetBytes: 2 * 1024 * 1024,
      segmentBytes: 64 * 1024,
      retentionMs: 3_600_000,
    });
    const ids: string[] = [];
    // traces arrive over two simulated hours, in several batches each, children often before parents
    const pending: Sent[][] = [];
    for (let traceNo = 1; traceNo <= 1500; traceNo++) {
      now = T0 + traceNo * 5_000;
      ids.push(tid(traceNo));
      const spans = randomTrace(rand, 1 + Math.floor(rand() * 30), traceNo, now - rand() * 120_000);
      for (let k = spans.length - 1; k > 0; k--) {
        const j = Math.floor(rand() * (k + 1));
        [spans[k], spans[j]] = [spans[j]!, spans[k]!];
      }
      const cut = Math.floor(rand() * spans.length);
      pending.push(spans.slice(cut));
      store.consumeTraces(batch(...spans.slice(0, cut).map((s) => ({ service: s.service, spans: [s.span] }))));
      // an earlier trace's late spans
      if (pending.length > 3 || rand() < 0.3) {
        const late = pending.shift()!;
        if (late.length > 0) store.consumeTraces(batch(...late.map((s) => ({ service: s.service, spans: [s.span] }))));
      }
      if (traceNo % 100 === 0) {
        const live = ids.map((id) => store.getTrace(id)).filter((t): t is Trace => t !== undefined);
        for (const [end, lookback] of [
          [now, 24 * 3_600_000],
          [now, 600_000],
          [now - 300_000, 90_000],
          [now - 61_234, 1_000],
          [now + 3_600_000, 3_600_000 - 1],
        ] as const) {
          expect(store.getDependencies(end, lookback), `trace ${traceNo}, ${end}, ${lookback}`).toEqual(
            bruteForce(live, end, lookback),
          );
        }
      }
    }
    const stats = store.stats();
    expect(stats.droppedTraces).toBeGreaterThan(100); // eviction happened
    expect(stats.traces).toBeGreaterThan(50);
  });

  it('a query after no new spans walks no trace; a new span re-walks only its trace', () => {
    const traces = new Map<number, { start: number; spans: [number, number, number][] }>([
      [
        0,
        {
          start: 1e12,
          spans: [
            [1, -1, 0],
            [2, 1, 1],
            [3, 2, 2],
          ],
        },
      ],
      [
        1,
        {
          start: 2e12,
          spans: [
            [1, -1, 0],
            [2, 1, 1],
          ],
        },
      ],
    ]);
    let firstLive = 0;
    const source: DependencySource = {
      firstLive: () => firstLive,
      traceStartNs: (ord) => traces.get(ord)!.start,
      traceMaxSpanStartNs: (ord) => traces.get(ord)!.start,
      forEachSpan: (ord, fn) => {
        for (const [id, parent, svc] of traces.get(ord)!.spans) fn(0, id, parent < 0 ? -1 : 0, parent, svc);
      },
      serviceName: (id) => ['a', 'b', 'c'][id]!,
    };
    const index = new DependencyIndex(source);
    index.touch(0);
    index.touch(1);
    const all = [
      { parent: 'a', child: 'b', callCount: 2 },
      { parent: 'b', child: 'c', callCount: 1 },
    ];
    expect(index.query(3e6, 3e6)).toEqual(all);
    expect(index.walks).toBe(2);
    expect(index.query(3e6, 3e6)).toEqual(all);
    expect(index.walks).toBe(2);
    traces.get(1)!.spans.push([3, 2, 2]);
    index.touch(1);
    expect(index.query(3e6, 3e6)).toEqual([all[0], { parent: 'b', child: 'c', callCount: 2 }]);
    expect(index.walks).toBe(3);
    // the store dropped trace 0: it is subtracted without a walk
    firstLive = 1;
    expect(index.query(3e6, 3e6)).toEqual([
      { parent: 'a', child: 'b', callCount: 1 },
      { parent: 'b', child: 'c', callCount: 1 },
    ]);
    expect(index.walks).toBe(3);
    // a window holding neither trace's spans
    expect(index.query(1.5e6, 0.1e6)).toEqual([]);
  });

  it('span IDs sharing their low word are told apart by the high word', () => {
    // [idHi, idLo, parentHi, parentLo, service]; 20 filler spans so the indexed lookup is used
    const spans: [number, number, number, number, number][] = [
      [1, 5, -1, -1, 0],
      [2, 5, -1, -1, 1],
      [3, 9, 2, 5, 2],
      [4, 9, 1, 5, 1],
      ...Array.from({ length: 20 }, (_, i): [number, number, number, number, number] => [9, 100 + i, -1, -1, 0]),
    ];
    const source: DependencySource = {
      firstLive: () => 0,
      traceStartNs: () => 0,
      traceMaxSpanStartNs: () => 0,
      forEachSpan: (_ord, fn) => spans.forEach((s) => fn(...s)),
      serviceName: (id) => ['a', 'b', 'c'][id]!,
    };
    const index = new DependencyIndex(source);
    index.touch(0);
    expect(index.query(1, 1)).toEqual([
      { parent: 'a', child: 'b', callCount: 1 },
      { parent: 'b', child: 'c', callCount: 1 },
    ]);
  });

  it("a trace's first record is read at once; too many dirty traces are processed without waiting for a query", () => {
    let walked = 0;
    const source: DependencySource = {
      firstLive: () => 0,
      traceStartNs: () => 0,
      traceMaxSpanStartNs: () => 0,
      forEachSpan: () => walked++,
      serviceName: () => 'x',
    };
    const index = new DependencyIndex(source, { maxDirty: 10 });
    for (let ord = 0; ord <= 10; ord++) index.touch(ord);
    expect(walked).toBe(11);
    // later records of those traces wait, until more than 10 are pending
    for (let ord = 0; ord < 10; ord++) index.touch(ord);
    expect(walked).toBe(11);
    index.touch(10);
    expect(walked).toBe(22);
  });

  it('traces dropped while every trace came in one record are subtracted without a query', () => {
    let firstLive = 0;
    const source: DependencySource = {
      firstLive: () => firstLive,
      traceStartNs: () => 0,
      traceMaxSpanStartNs: () => 0,
      // a root of service 0 and its child of service 1
      forEachSpan: (_ord, fn) => {
        fn(0, 1, -1, -1, 0);
        fn(0, 2, 0, 1, 1);
      },
      serviceName: (id) => ['a', 'b'][id]!,
    };
    const index = new DependencyIndex(source, { maxDirty: 10 });
    for (let ord = 0; ord < 5; ord++) index.touch(ord);
    const held = index.bytesEstimate();
    // the store keeps only the newest 11 traces
    for (let ord = 5; ord < 115; ord++) {
      firstLive = Math.max(0, ord - 10);
      index.touch(ord);
    }
    // a flush ran every 11 traces: the index holds at most the 22 since the one before last, not 115
    expect(index.bytesEstimate()).toBeLessThan(held * 3);
    expect(index.query(1, 1)).toEqual([{ parent: 'a', child: 'b', callCount: 11 }]);
  });
});
