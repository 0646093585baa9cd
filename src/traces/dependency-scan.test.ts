import { describe, expect, it } from 'vitest';
import { TraceStore } from './store.js';
import { batch, sid, span, tid } from './testdata.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

describe('dependency scan', () => {
  it('counts calls between different services only, in traces of any size', () => {
    const store = new TraceStore({ now: () => T0 });
    // a wide trace (beyond the small-trace parent search): front → 40 × api, each api → db
    const api = [];
    const db = [];
    for (let i = 0; i < 40; i++) {
      api.push(span({ traceId: tid(1), spanId: sid(100 + i), parentSpanId: sid(1), startMs: T0 }));
      db.push(span({ traceId: tid(1), spanId: sid(200 + i), parentSpanId: sid(100 + i), startMs: T0 }));
    }
    // an in-service child and a child whose parent never arrived count nothing
    const front = [
      span({ traceId: tid(1), spanId: sid(1), startMs: T0 }),
      span({ traceId: tid(1), spanId: sid(2), parentSpanId: sid(1), startMs: T0 }),
      span({ traceId: tid(1), spanId: sid(3), parentSpanId: sid(999), startMs: T0 }),
    ];
    store.consumeTraces(batch({ service: 'front', spans: front }, { service: 'api', spans: api }));
    store.consumeTraces(batch({ service: 'db', spans: db }));
    expect(store.getDependencies(T0 + 1000, 60_000)).toEqual([
      { parent: 'api', child: 'db', callCount: 40 },
      { parent: 'front', child: 'api', callCount: 40 },
    ]);
    // a window before the trace's spans sees nothing
    expect(store.getDependencies(T0 - 1000, 60_000)).toEqual([]);
  });
});
