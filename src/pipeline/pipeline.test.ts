import { describe, expect, it } from 'vitest';
import type { TracesData } from '../otlp/model.js';
import { RefusedError, type TracesConsumer } from '../consumer/consumer.js';
import { fanOutTraces } from './fanout.js';
import { MemoryLimiter, memoryUsedMeter } from './memory-limiter.js';
import { buildPipelines } from './pipelines.js';
import { LogCounter } from './log-counter.js';
import { TraceStore } from '../traces/store.js';
import { batch, sid, span, tid } from '../traces/testdata.js';

const empty: TracesData = { resourceSpans: [] };

describe('pipeline', () => {
  it('fans one batch out to every consumer, in order', () => {
    const seen: string[] = [];
    const c = (n: string): TracesConsumer => ({ consumeTraces: () => void seen.push(n) });
    fanOutTraces([c('store'), c('spanmetrics')]).consumeTraces(empty);
    expect(seen).toEqual(['store', 'spanmetrics']);
  });

  it('a refusal by the first consumer stops the batch; later errors do not starve others', () => {
    const seen: string[] = [];
    const refuse: TracesConsumer = {
      consumeTraces: () => {
        throw new RefusedError('full');
      },
    };
    const boom: TracesConsumer = {
      consumeTraces: () => {
        throw new Error('boom');
      },
    };
    const ok: TracesConsumer = { consumeTraces: () => void seen.push('ok') };
    expect(() => fanOutTraces([refuse, ok]).consumeTraces(empty)).toThrow(RefusedError);
    expect(seen).toEqual([]);
    expect(() => fanOutTraces([ok, boom, ok]).consumeTraces(empty)).toThrow('boom');
    expect(seen).toEqual(['ok', 'ok']);
  });

  it("the limiter's default meter counts the heap and every buffer, as process.memoryUsage() does", () => {
    const meter = memoryUsedMeter();
    const before = meter();
    const held = Buffer.alloc(64 * 2 ** 20, 1);
    const after = meter();
    const m = process.memoryUsage();
    expect(after - before).toBeGreaterThanOrEqual(64 * 2 ** 20);
    // heap + external (+ the runtime's own bytes at start): never below what node reports for the two
    expect(after).toBeGreaterThanOrEqual(m.heapUsed + m.external - 2 ** 20);
    expect(held[held.length - 1]).toBe(1);
  });

  it('the memory limiter refuses with Retry-After while over the limit', () => {
    let heap = 10;
    const limiter = new MemoryLimiter({ limitBytes: 100, memoryUsed: () => heap, retryAfterSeconds: 3 });
    const logs = new LogCounter();
    const p = buildPipelines({ limiter, traces: [], metrics: [], logs: [logs] });
    limiter.check();
    p.logs.consumeLogs({
      resourceLogs: [
        {
          resource: { attributes: [], droppedAttributesCount: 0 },
          scopeLogs: [{ scope: { name: '', version: '', attributes: [] }, logRecords: [], schemaUrl: '' }],
          schemaUrl: '',
        },
      ],
    });
    expect(logs.batches).toBe(1);
    heap = 1000;
    limiter.check();
    let err: unknown;
    try {
      p.traces.consumeTraces(empty);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).retryAfterSeconds).toBe(3);
    expect(limiter.refusedBatches).toBe(1);
    heap = 10;
    limiter.check();
    p.traces.consumeTraces(empty);
  });

  it('soft limit: collects garbage first, refuses as exhausted if still over; hard limit: unavailable', () => {
    let used = 0;
    let collections = 0;
    const limiter = new MemoryLimiter({
      limitBytes: 1000,
      memoryUsed: () => used,
      gc: () => {
        collections++;
        used -= 50;
      },
      now: () => 0,
    });
    expect(limiter.softLimitBytes).toBe(800);
    const p = buildPipelines({ limiter, traces: [{ consumeTraces: () => {} }], metrics: [], logs: [] });
    used = 820; // a collection brings it under the soft limit: admitted
    expect(limiter.check()).toBe('ok');
    expect(collections).toBe(1);
    p.traces.consumeTraces(empty);
    used = 900;
    expect(limiter.check()).toBe('soft');
    const soft = limiter.admit();
    expect(soft).toBeInstanceOf(RefusedError);
    expect((soft as RefusedError).kind).toBe('exhausted');
    expect(() => p.traces.consumeTraces(empty)).toThrow(/soft limit/);
    used = 1200;
    expect(limiter.check()).toBe('hard');
    expect((limiter.admit() as RefusedError).kind).toBe('unavailable');
    expect(limiter.refusedRequests).toEqual({ exhausted: 1, unavailable: 1 });
  });

  it('the in-flight budget is shared: a reservation past it is refused, and released bytes come back', () => {
    const limiter = new MemoryLimiter({ limitBytes: 1e12, inFlightLimitBytes: 100, memoryUsed: () => 0 });
    const a = limiter.admit();
    const b = limiter.admit();
    if (a instanceof RefusedError || b instanceof RefusedError) throw new Error('admitted expected');
    expect(a.add(60)).toBeUndefined();
    const refused = b.add(50);
    expect(refused?.kind).toBe('exhausted');
    expect(limiter.inFlightBytes).toBe(60);
    a.release();
    a.release(); // idempotent
    expect(limiter.inFlightBytes).toBe(0);
    expect(b.add(50)).toBeUndefined();
    expect(limiter.peakInFlightBytes).toBe(60);
  });

  it('over the soft limit with traces stored, evicts the oldest traces instead of refusing', () => {
    const store = new TraceStore({ budgetBytes: 1e12, segmentBytes: 64 * 1024, retentionMs: 3600_000 });
    const startMs = Date.now();
    const fill = (from: number, n: number) => {
      for (let i = from; i < from + n; i++) {
        store.consumeTraces(
          batch({
            service: 'shop',
            spans: [
              span({ traceId: tid(i), spanId: sid(i), startMs, attributes: { 'app.payload': 'p'.repeat(2000) } }),
            ],
          }),
        );
      }
    };
    fill(1, 400);
    const full = store.stats().bytes;
    // the store's own accounting stands in for the process's memory here
    const limiter = new MemoryLimiter({
      limitBytes: Math.floor(full * 1.1),
      softLimitBytes: Math.floor(full * 0.6),
      memoryUsed: () => store.stats().bytes,
      evict: (bytes) => store.evictOldest(bytes),
      gc: () => {},
      now: () => 0,
    });
    expect(limiter.check()).toBe('ok');
    expect(store.stats().bytes).toBeLessThanOrEqual(full * 0.6);
    expect(limiter.evictedBytes).toBeGreaterThan(0);
    expect(limiter.admit()).not.toBeInstanceOf(RefusedError);
    // the newest traces stay, the oldest are gone
    expect(store.getTrace(tid(400))).toBeDefined();
    expect(store.getTrace(tid(1))).toBeUndefined();
    expect(store.stats().droppedTraces).toBeGreaterThan(0);
  });

  it('without a collector, evicted bytes count as freed until memory is sampled again later', () => {
    const used = 900;
    let now = 0;
    const limiter = new MemoryLimiter({
      limitBytes: 1000,
      memoryUsed: () => used,
      evict: (bytes) => bytes, // frees all asked for, but nothing shows until a collection
      gc: null,
      now: () => now,
    });
    expect(limiter.check()).toBe('ok');
    const evicted = limiter.evictedBytes;
    expect(evicted).toBe(900 - 720);
    now += 1000;
    expect(limiter.check()).toBe('ok'); // credited: no second eviction
    expect(limiter.evictedBytes).toBe(evicted);
  });
});
