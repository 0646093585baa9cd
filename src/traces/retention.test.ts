import { describe, expect, it } from 'vitest';
import { TraceStore } from './store.js';
import { batch, sid, span, tid } from './testdata.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

function fill(store: TraceStore, from: number, to: number): void {
  for (let i = from; i < to; i++)
    store.consumeTraces(
      batch({
        service: 'svc',
        spans: [0, 1].map((k) =>
          span({ traceId: tid(i + 1), spanId: sid(k + 1), startMs: T0 + i, attributes: { url: `/p/${i}/${k}` } }),
        ),
      }),
    );
}

describe('retention and accounting', () => {
  it('evicts whole segments, oldest first, never the one being written, and reports the bytes freed', () => {
    const store = new TraceStore({ now: () => T0, budgetBytes: 1e12, segmentBytes: 16 * 1024 });
    fill(store, 0, 2000);
    const before = store.stats();
    const segmentsBefore = store.memory().segments;
    const freed = store.evictOldest(50_000);
    const after = store.stats();
    expect(freed).toBeGreaterThanOrEqual(50_000);
    expect(freed).toBe(before.bytes - after.bytes);
    expect(store.memory().segments).toBeLessThan(segmentsBefore);
    expect(after.droppedTraces).toBeGreaterThan(0);
    expect(after.droppedSpans).toBe(after.droppedTraces * 2);
    expect(after.traces + after.droppedTraces).toBe(2000);
    // the oldest went, in arrival order
    expect(store.getTrace(tid(after.droppedTraces))).toBeUndefined();
    expect(store.getTrace(tid(after.droppedTraces + 1))).toBeDefined();
    // asking for everything leaves the segment being written
    store.evictOldest(1e12);
    expect(store.getTrace(tid(2000))).toBeDefined();
    expect(store.stats().traces).toBeGreaterThan(0);
  });

  it('counts what it holds: the byte estimate is the sum of its parts, and spans follow appends and drops', () => {
    let now = T0;
    const store = new TraceStore({ now: () => now, retentionMs: 10_000 });
    fill(store, 0, 100);
    const m = store.memory();
    expect(store.stats().bytes).toBe(m.segments + m.traceTable + m.index + m.strings + m.dependencies);
    expect(m.segmentWordsUsed).toBeGreaterThan(0);
    expect(store.stats()).toMatchObject({ traces: 100, spans: 200 });
    // a second record of a known trace adds spans to its row, not a row
    store.consumeTraces(batch({ service: 'svc', spans: [span({ traceId: tid(1), spanId: sid(9), startMs: T0 })] }));
    expect(store.stats()).toMatchObject({ traces: 100, spans: 201 });
    now += 5_000;
    fill(store, 100, 110);
    now += 6_000;
    // the first 100 are past retention; the 10 later ones are not
    expect(store.stats()).toMatchObject({ traces: 10, spans: 20, droppedTraces: 100, droppedSpans: 201 });
  });
});
