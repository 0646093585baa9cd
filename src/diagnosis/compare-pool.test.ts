// The comparison worker pool: the answers are the ones this thread would give (the columns
// cross to the worker as transferred buffers), a comparison past its deadline is refused and the
// worker replaced, waiting comparisons stream their spans only when the worker is free.
import { afterAll, describe, expect, it } from 'vitest';
import { attrs, rng, sid, span, tid, type AttrInput } from '../traces/testdata.js';
import type { StoredSpan } from '../traces/storage.js';
import { columnsTransferList, SpanColumns, type Selection, type SpanColumnsOptions } from './compare.js';
import { ComparePool, CompareUnavailableError } from './compare-pool.js';

const T0 = Date.UTC(2026, 11, 1, 14);

/**
 * Spans of two operations where a slow path sets `app.path=slow` and a larger `app.items`; a key
 * that is sometimes a number and sometimes a text, unique IDs, an event attribute, some errors.
 */
function spans(n: number, seed = 3): StoredSpan[] {
  const rnd = rng(seed);
  const out: StoredSpan[] = [];
  for (let i = 0; i < n; i++) {
    const slow = rnd() < 0.15;
    const a: Record<string, AttrInput> = {
      'app.path': slow ? 'slow' : 'fast',
      'app.items': slow ? 100 + Math.floor(rnd() * 900) : Math.floor(rnd() * 20),
      'app.mixed': i % 3 === 0 ? `v${i % 7}` : i % 5,
      'app.request.id': `req-${i}-${Math.floor(rnd() * 1e9)}`,
      'app.ratio': rnd(),
    };
    out.push({
      ...span({
        traceId: tid(i + 1),
        spanId: sid(i + 1),
        name: i % 2 === 0 ? 'get_product_list' : 'ListRecommendations',
        startMs: T0 + i * 20,
        durationMs: slow ? 300 + rnd() * 600 : 5 + rnd() * 40,
        attributes: a,
        events: i % 4 === 0 ? [{ name: 'cache', timeMs: T0 + i * 20, attributes: { 'cache.size': i % 50 } }] : [],
        status: { code: i % 11 === 0 ? 2 : 0 },
      }),
      resource: {
        attributes: attrs({ 'service.name': 'rec', 'service.instance.id': `rec-${i % 3}` }),
        droppedAttributesCount: 0,
      },
      serviceName: 'rec',
      scope: { name: 'rec', version: '', attributes: [], droppedAttributesCount: 0 },
    } as StoredSpan);
  }
  return out;
}

function columnsOf(data: readonly StoredSpan[], opts: SpanColumnsOptions = {}): () => SpanColumns {
  return () => {
    const c = new SpanColumns(opts);
    for (const s of data) c.add(s);
    return c;
  };
}

const pools: ComparePool[] = [];
function pool(timeoutMs?: number): ComparePool {
  const p = new ComparePool(timeoutMs === undefined ? {} : { timeoutMs });
  pools.push(p);
  return p;
}
afterAll(async () => {
  await Promise.all(pools.map((p) => p.shutdown()));
});

describe('ComparePool', () => {
  const data = spans(3000);

  it('answers exactly as the comparison on this thread does, for every kind of selection', async () => {
    const p = pool();
    const selections: Selection[] = [
      { kind: 'slowest', percent: 5 },
      { kind: 'errors' },
      { kind: 'duration', minUs: 300_000 },
      { kind: 'duration', minUs: 10_000, maxUs: 20_000 },
      { kind: 'region', fromUs: (T0 + 1000 * 20) * 1000, toUs: (T0 + 2000 * 20) * 1000, minUs: 200_000 },
      { kind: 'duration', minUs: 0 }, // everything: the message
      { kind: 'duration', minUs: 1e12 }, // nothing: the message
    ];
    for (const sel of selections) {
      const inThread = columnsOf(data)().compare(sel);
      const inWorker = await p.compare(columnsOf(data), sel);
      expect(inWorker, JSON.stringify(sel)).toEqual(inThread);
    }
    const first = (await p.compare(columnsOf(data), { kind: 'slowest', percent: 5 })).attributes[0]!;
    expect(first.key).toMatch(/^app\.(path|items)$/);
  });

  it('keeps the answer with a capped value dictionary (the IDs past the cap) and without span names', async () => {
    const p = pool();
    const opts = { maxDistinctValues: 200, includeSpanName: false };
    const sel: Selection = { kind: 'slowest', percent: 10 };
    expect(await p.compare(columnsOf(data, opts), sel)).toEqual(columnsOf(data, opts)().compare(sel));
  });

  it('answers an empty search with its message', async () => {
    const c = await pool().compare(columnsOf([]), { kind: 'errors' });
    expect(c).toEqual({ selected: 0, baseline: 0, attributes: [], message: expect.stringMatching(/no spans/) });
  });

  it('refuses a comparison past its deadline, then answers the next one with a new worker', async () => {
    const p = pool(1); // shorter than starting a worker
    const refused = await p.compare(columnsOf(data), { kind: 'errors' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CompareUnavailableError);
    expect((refused as Error).message).toMatch(/did not finish within/);
    expect(p.timeouts).toBe(1);
    const patient = pool(30_000);
    expect((await patient.compare(columnsOf(data), { kind: 'errors' })).selected).toBeGreaterThan(0);
  });

  it('streams the spans of a waiting comparison only when the worker is free, and answers both', async () => {
    const p = pool();
    const calls: string[] = [];
    const collect = (name: string) => () => {
      calls.push(name);
      return columnsOf(data)();
    };
    const a = p.compare(collect('a'), { kind: 'errors' });
    const b = p.compare(collect('b'), { kind: 'slowest', percent: 5 });
    expect(calls).toEqual(['a']);
    expect(p.stats()).toEqual({ busy: 1, queued: 1 });
    const [ra, rb] = await Promise.all([a, b]);
    expect(calls).toEqual(['a', 'b']);
    expect(ra.selected).toBeGreaterThan(0);
    expect(rb.selected).toBeGreaterThan(0);
  });

  it('refuses waiting comparisons at shutdown and new ones after it', async () => {
    const p = pool();
    const outcome = (c: Promise<unknown>): Promise<unknown> => c.catch((e: unknown) => e);
    const running = outcome(p.compare(columnsOf(data), { kind: 'errors' }));
    const waiting = outcome(p.compare(columnsOf(data), { kind: 'errors' }));
    await p.shutdown();
    expect(await running).toBeInstanceOf(CompareUnavailableError);
    expect(await waiting).toBeInstanceOf(CompareUnavailableError);
    await expect(p.compare(columnsOf(data), { kind: 'errors' })).rejects.toThrow(/shut down/);
  });

  it('moves the columns instead of copying them', () => {
    const c = columnsOf(data)();
    const d = c.toTransfer();
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(d, columnsTransferList(d));
    expect(d.durations.byteLength).toBe(0); // detached: moved to the other side
    port1.close();
    port2.close();
  });
});
