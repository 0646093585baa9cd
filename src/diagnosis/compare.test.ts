// The attribute comparison on synthetic spans where one value causes slowness: it must come
// first, and neither a random attribute nor a unique ID may reach the top three.
import { describe, expect, it } from 'vitest';
import { TraceStore } from '../traces/store.js';
import { batch, sid, span, tid } from '../traces/testdata.js';
import type { Span } from '../otlp/model.js';
import { SpanColumns, type Selection, type SpanColumnsOptions } from './compare.js';

const T0 = Date.UTC(2026, 11, 1, 14);

/** deterministic pseudo-random numbers in [0, 1) */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * `n` spans of recommendationservice get_product_list: a cache miss (20 %) makes a span slow and
 * its product count large; `app.response.size` rises with the count, weakly. The rest is noise
 * or unique: a random shard, a random ratio, a request ID, a user ID and a timestamp.
 */
function leakSpans(n: number, seed = 7): Span[] {
  const rnd = random(seed);
  const spans: Span[] = [];
  for (let i = 0; i < n; i++) {
    const miss = rnd() < 0.2;
    const durationMs = miss ? 300 + rnd() * 900 : 5 + rnd() * 80;
    const count = miss ? 500 + Math.floor(rnd() * 4000) : 10;
    spans.push(
      span({
        traceId: tid(i + 1),
        spanId: sid(i + 1),
        name: 'get_product_list',
        startMs: T0 + i * 50,
        durationMs,
        attributes: {
          'app.cache_hit': !miss,
          'app.products.count': count,
          'app.response.size': Math.round(count * 20 + rnd() * 40_000),
          'app.shard': `shard-${Math.floor(rnd() * 5)}`,
          'app.ratio': rnd(),
          'app.request.id': `req-${(i * 2654435761) >>> 0}-${Math.floor(rnd() * 1e9)}`,
          'app.user.id': 1_000_000 + ((i * 7919) % 1_000_003),
          'app.request.time': T0 + i * 50 + Math.floor(rnd() * 10),
          'rpc.system': 'grpc',
        },
      }),
    );
  }
  return spans;
}

function storeWith(spans: Span[]): TraceStore {
  const store = new TraceStore({ now: () => T0 + 3600_000, retentionMs: 24 * 3600_000 });
  for (let i = 0; i < spans.length; i += 500) {
    store.consumeTraces(
      batch({
        service: 'recommendationservice',
        resource: { 'service.instance.id': 'rec-1' },
        spans: spans.slice(i, i + 500),
      }),
    );
  }
  return store;
}

function compare(
  store: TraceStore,
  sel: Selection,
  operation?: string,
  opts: SpanColumnsOptions = {},
): ReturnType<SpanColumns['compare']> {
  const cols = new SpanColumns({ includeSpanName: operation === undefined, ...opts });
  store.scanSpans({ service: 'recommendationservice', operation, tags: {}, startTimeMinUs: T0 * 1000, limit: 0 }, (s) =>
    cols.add(s),
  );
  return cols.compare(sel);
}

describe('attribute comparison', () => {
  const store = storeWith(leakSpans(2000));

  it('ranks the causing attribute first, noise and IDs outside the top three', () => {
    const result = compare(store, { kind: 'slowest', percent: 5 }, 'get_product_list');
    expect(result.selected).toBe(100);
    expect(result.baseline).toBe(1900);
    const keys = result.attributes.map((a) => a.key);
    expect(keys[0]).toBe('app.cache_hit');
    const top3 = keys.slice(0, 3);
    for (const noise of ['app.shard', 'app.ratio', 'app.request.id', 'app.user.id', 'app.request.time']) {
      expect(top3).not.toContain(noise);
    }
    const byKey = new Map(result.attributes.map((a) => [a.key, a]));
    expect(byKey.get('app.cache_hit')!.score).toBeGreaterThan(0.5);
    expect(byKey.get('app.products.count')!.score).toBeGreaterThan(0.5);
    // noise and unique values: no evidence at all
    for (const noise of ['app.shard', 'app.ratio', 'app.request.id', 'app.user.id', 'app.request.time', 'rpc.system']) {
      expect(byKey.get(noise)!.score, noise).toBe(0);
    }
    // sorted by score, highest first
    const scores = result.attributes.map((a) => a.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('explains the categorical share and gives both groups per value', () => {
    const result = compare(store, { kind: 'slowest', percent: 5 }, 'get_product_list');
    const hit = result.attributes.find((a) => a.key === 'app.cache_hit')!;
    expect(hit.kind).toBe('categorical');
    expect(hit.explanation).toMatch(/app\.cache_hit=false is on 100% of the selected spans against \d+% of the others/);
    if (hit.kind !== 'categorical') throw new Error('categorical expected');
    const miss = hit.values.find((v) => v.value === 'false')!;
    expect(miss.selected).toBe(100);
    expect(miss.selectedShare).toBe(1);
    expect(miss.baselineShare).toBeGreaterThan(0.1);
    expect(miss.baselineShare).toBeLessThan(0.25);
  });

  it('gives numeric keys quantiles and a shared histogram', () => {
    const result = compare(store, { kind: 'slowest', percent: 5 }, 'get_product_list');
    const count = result.attributes.find((a) => a.key === 'app.products.count')!;
    if (count.kind !== 'numeric') throw new Error('numeric expected');
    expect(count.quantiles.baseline!.p50).toBe(10);
    expect(count.quantiles.selected!.p0).toBeGreaterThanOrEqual(500);
    const total = (k: 'selected' | 'baseline'): number => count.values.reduce((s, b) => s + b[k], 0);
    expect(total('selected')).toBe(100);
    expect(total('baseline')).toBe(1900);
    expect(count.explanation).toMatch(/Kolmogorov–Smirnov D = /);
    const id = result.attributes.find((a) => a.key === 'app.request.id')!;
    expect(id.explanation).toMatch(/have a rare value/);
  });

  it('selects errors and duration bands', () => {
    const spans = leakSpans(600, 3).map((s, i) =>
      i % 10 === 0 ? { ...s, status: { code: 2 as const, message: 'boom' } } : s,
    );
    const errStore = storeWith(spans);
    const errors = compare(errStore, { kind: 'errors' });
    expect(errors.selected).toBe(60);
    expect(errors.baseline).toBe(540);
    const band = compare(store, { kind: 'duration', minUs: 300_000 });
    expect(band.attributes[0]!.key).toBe('app.cache_hit');
    // one operation only: the span name is not an attribute worth listing
    expect(band.attributes.map((a) => a.key)).not.toContain('span.name');
  });

  it('selects a region brushed on the scatter plot: a time range × a duration range', () => {
    // spans start every 50 ms from T0: the second half of the window, slower than 300 ms
    const fromUs = (T0 + 300 * 50) * 1000;
    const toUs = (T0 + 600 * 50) * 1000;
    const region = compare(store, { kind: 'region', fromUs, toUs, minUs: 300_000 });
    const inBand = compare(store, { kind: 'duration', minUs: 300_000 });
    expect(region.selected).toBeGreaterThan(0);
    expect(region.selected).toBeLessThan(inBand.selected);
    expect(region.attributes[0]!.key).toBe('app.cache_hit');
    const everything = compare(store, { kind: 'region', fromUs: 0, toUs: Number.MAX_SAFE_INTEGER, minUs: 0 });
    expect(everything.message).toMatch(/holds every span/);
    const nothing = compare(store, { kind: 'region', fromUs, toUs, minUs: 0, maxUs: 1 });
    expect(nothing.message).toMatch(/selection is empty/);
  });

  it('gives no score to an ID shared by the two spans of one request (both slow together)', () => {
    const rnd = random(9);
    const spans: Span[] = [];
    for (let i = 0; i < 2000; i++) {
      const miss = rnd() < 0.2;
      const requestId = `req-${Math.floor(rnd() * 1e12)}`;
      for (const [k, name] of ['ListRecommendations', 'get_product_list'].entries()) {
        spans.push(
          span({
            traceId: tid(i + 1),
            spanId: sid(2 * i + k + 1),
            name,
            startMs: T0 + i * 50,
            durationMs: (miss ? 400 : 20) + rnd() * 10 - k,
            attributes: { 'app.request.id': requestId, 'app.cache_hit': !miss },
          }),
        );
      }
    }
    const result = compare(storeWith(spans), { kind: 'slowest', percent: 5 });
    const id = result.attributes.find((a) => a.key === 'app.request.id')!;
    expect(id.score).toBe(0);
    expect(result.attributes[0]!.key).toBe('app.cache_hit');
  });

  it('compares values among the spans that set the key, so other operations do not dilute it', () => {
    const rnd = random(13);
    const spans: Span[] = [];
    for (let i = 0; i < 2000; i++) {
      const miss = rnd() < 0.2;
      for (const [k, name] of ['ListRecommendations', 'get_product_list'].entries()) {
        spans.push(
          span({
            traceId: tid(i + 1),
            spanId: sid(2 * i + k + 1),
            name,
            startMs: T0 + i * 50,
            durationMs: (miss ? 400 : 20) + rnd() * 10 - k,
            attributes: k === 1 ? { 'app.cache_hit': !miss } : { 'rpc.system': 'grpc' },
          }),
        );
      }
    }
    const result = compare(storeWith(spans), { kind: 'slowest', percent: 5 });
    const hit = result.attributes[0]!;
    expect(hit.key).toBe('app.cache_hit');
    expect(hit.score).toBeGreaterThan(0.6); // 0.3 when the other operation counted as "not set"
    expect(hit.explanation).toMatch(/^app\.cache_hit=false is on 100% of the selected spans where it is set/);
  });

  it('takes the slowest of each operation, so attributes of a slower operation do not rank', () => {
    // a client call (always 300-400 ms, with server.address) and get_product_list (fast unless
    // it misses the cache): the slowest 5 % overall would be client calls only
    const rnd = random(17);
    const spans: Span[] = [];
    for (let i = 0; i < 2000; i++) {
      const miss = rnd() < 0.1;
      spans.push(
        span({
          traceId: tid(i + 1),
          spanId: sid(2 * i + 1),
          name: 'ListProducts',
          kind: 3,
          startMs: T0 + i * 50,
          durationMs: 300 + rnd() * 100,
          attributes: { 'server.address': 'productcatalogservice', 'server.port': 3550 },
        }),
        span({
          traceId: tid(i + 1),
          spanId: sid(2 * i + 2),
          name: 'get_product_list',
          startMs: T0 + i * 50,
          durationMs: miss ? 150 + rnd() * 50 : 5 + rnd() * 10,
          attributes: { 'app.cache_hit': !miss },
        }),
      );
    }
    const result = compare(storeWith(spans), { kind: 'slowest', percent: 5 });
    expect(result.selected).toBe(200);
    expect(result.attributes[0]!.key).toBe('app.cache_hit');
    const byKey = new Map(result.attributes.map((a) => [a.key, a.score]));
    expect(byKey.get('server.address')).toBe(0);
    expect(byKey.get('span.name')).toBe(0);
  });

  it('compares event and resource attributes too', () => {
    const rnd = random(21);
    const spans: Span[] = [];
    for (let i = 0; i < 1000; i++) {
      const retried = rnd() < 0.1;
      spans.push(
        span({
          traceId: tid(i + 1),
          spanId: sid(i + 1),
          name: 'charge',
          startMs: T0 + i * 50,
          durationMs: retried ? 900 + rnd() * 100 : 10 + rnd() * 20,
          events: retried
            ? [{ name: 'retry', timeMs: T0 + i * 50 + 5, attributes: { 'retry.reason': 'timeout' } }]
            : [],
        }),
      );
    }
    const result = compare(storeWith(spans), { kind: 'slowest', percent: 5 }, 'charge');
    expect(result.attributes[0]).toMatchObject({ key: 'retry.reason', kind: 'categorical' });
    // set only on the retried spans: its presence is what separates
    expect(result.attributes[0]!.explanation).toMatch(
      /^retry\.reason is set on 100% of the selected spans against \d+% of the others/,
    );
    expect(result.attributes.map((a) => a.key)).toContain('service.instance.id');
  });

  it('counts values beyond the distinct-value cap as rare, with the same ranking', () => {
    const capped = compare(store, { kind: 'slowest', percent: 5 }, 'get_product_list', { maxDistinctValues: 50 });
    const full = compare(store, { kind: 'slowest', percent: 5 }, 'get_product_list');
    expect(capped.attributes.map((a) => [a.key, a.score])).toEqual(full.attributes.map((a) => [a.key, a.score]));
    const id = capped.attributes.find((a) => a.key === 'app.request.id')!;
    if (id.kind !== 'categorical') throw new Error('categorical expected');
    const rare = id.values.find((v) => v.value === null && v.label.startsWith('(50+ values'))!;
    expect(rare.selected + rare.baseline).toBe(2000);
  });

  it('says why there is nothing to compare, without NaN', () => {
    const empty = new SpanColumns().compare({ kind: 'slowest', percent: 5 });
    expect(empty).toMatchObject({ selected: 0, baseline: 0, attributes: [] });
    expect(empty.message).toMatch(/no spans/);
    const none = compare(store, { kind: 'errors' });
    expect(none.message).toMatch(/selection is empty/);
    const all = compare(store, { kind: 'duration', minUs: 0 });
    expect(all.message).toMatch(/every span/);
    expect(JSON.stringify([empty, none, all])).not.toMatch(/NaN|null,"baseline":null/);
  });

  it('keeps ties of equal durations inside one group', () => {
    const flat = storeWith(leakSpans(50).map((s) => ({ ...s, endTimeUnixNano: s.startTimeUnixNano + 1e6 })));
    const result = compare(flat, { kind: 'slowest', percent: 5 });
    expect(result.message).toMatch(/every span/);
  });
});
