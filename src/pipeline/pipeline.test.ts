import { describe, expect, it } from 'vitest';
import type { TracesData } from '../otlp/model.js';
import { RefusedError, type TracesConsumer } from './consumer.js';
import { fanOutTraces } from './fanout.js';
import { MemoryLimiter } from './memory-limiter.js';
import { buildPipelines } from './pipelines.js';
import { LogCounter } from './log-counter.js';

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

  it('the memory limiter refuses with Retry-After while over the limit', () => {
    let heap = 10;
    const limiter = new MemoryLimiter({ limitBytes: 100, heapUsed: () => heap, retryAfterSeconds: 3 });
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
});
