import { describe, expect, it } from 'vitest';
import type { AnyValue } from '../otlp/model.js';
import { TraceStore, normalizeTraceId } from './store.js';
import type { TraceQuery } from './storage.js';
import { batch, sid, span, tid } from './testdata.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

function q(partial: Partial<TraceQuery>): TraceQuery {
  return { tags: {}, limit: 20, ...partial };
}

function ids(store: TraceStore, query: Partial<TraceQuery>): string[] {
  return store.findTraces(q(query)).map((t) => t.traceId);
}

describe('TraceStore: write and read back', () => {
  it('assembles a trace from spans that arrive in different batches', () => {
    const store = new TraceStore({ now: () => T0 });
    store.consumeTraces(
      batch({ service: 'frontend', spans: [span({ traceId: tid(1), spanId: sid(1), name: 'GET /', startMs: T0 })] }),
    );
    store.consumeTraces(batch({ service: 'other', spans: [span({ traceId: tid(2), spanId: sid(9), startMs: T0 })] }));
    store.consumeTraces(
      batch({
        service: 'cart',
        spans: [
          span({ traceId: tid(1), spanId: sid(2), parentSpanId: sid(1), name: 'GetCart', startMs: T0 - 5, kind: 3 }),
        ],
      }),
    );
    const t = store.getTrace(tid(1))!;
    expect(t.spans.map((s) => s.spanId)).toEqual([sid(1), sid(2)]);
    expect(t.spans.map((s) => s.serviceName)).toEqual(['frontend', 'cart']);
    expect(t.startTimeUnixNano).toBe((T0 - 5) * 1e6);
    expect(store.stats()).toMatchObject({ traces: 2, spans: 3, droppedTraces: 0 });
  });

  it('round-trips every field of a span', () => {
    const store = new TraceStore({ now: () => T0 });
    const s = span({
      traceId: tid(1),
      spanId: sid(0xabcdef),
      parentSpanId: sid(7),
      name: 'grpc.hipstershop.RecommendationService/ListRecommendations',
      kind: 3,
      startMs: T0 + 0.123,
      durationMs: 12.5,
      attributes: {
        s: 'x'.repeat(300),
        b: true,
        nb: false,
        i: -42,
        big: 2 ** 40,
        d: 1.25,
        arr: {
          kind: 'array',
          value: [
            { kind: 'string', value: 'a' },
            { kind: 'int', value: 1 },
          ],
        },
        e: { kind: 'empty' },
        markup: '<script>alert("x")</script>',
        uni: 'héllo ✓',
      },
      events: [{ name: 'exception', timeMs: T0 + 1, attributes: { 'exception.message': 'boom', n: 3 } }],
      links: [{ traceId: tid(99), spanId: sid(98) }],
      status: { code: 2, message: 'bad thing' },
      traceState: 'k=v',
      flags: 0x301,
    });
    store.consumeTraces(
      batch({
        service: 'rec',
        resource: { 'service.version': '1.0' },
        scope: { name: 'sc', version: '2' },
        spans: [s],
      }),
    );
    const got = store.getTrace(tid(1))!.spans[0]!;
    const { resource, serviceName, scope, ...rest } = got;
    expect(rest).toEqual(s);
    expect(serviceName).toBe('rec');
    expect(scope).toMatchObject({ name: 'sc', version: '2' });
    expect(resource.attributes.map((kv) => kv.key)).toEqual(['service.name', 'service.version']);
  });

  it('keeps int64 values beyond 2^53 exact, and finds exactly them by tag', () => {
    const store = new TraceStore({ now: () => T0 });
    const int = (value: bigint | number) => ({ kind: 'int' as const, value });
    store.consumeTraces(
      batch({
        service: 'ledger',
        resource: { 'host.id': int(-9007199254740993n) },
        spans: [
          span({
            traceId: tid(1),
            spanId: sid(1),
            startMs: T0,
            attributes: {
              'app.above': int(9007199254740993n),
              'app.max': int(9223372036854775807n),
              'app.min': int(-9223372036854775808n),
              'app.list': { kind: 'array', value: [int(9007199254740995n)] },
            },
            events: [{ name: 'e', timeMs: T0, attributes: { 'app.event': int(2n ** 60n + 1n) } }],
          }),
        ],
      }),
    );
    store.consumeTraces(
      batch({
        service: 'ledger',
        spans: [span({ traceId: tid(2), spanId: sid(2), startMs: T0, attributes: { 'app.above': 9007199254740992 } })],
      }),
    );
    const s = store.getTrace(tid(1))!.spans[0]!;
    expect(s.attributes.map((a) => a.value)).toEqual([
      int(9007199254740993n),
      int(9223372036854775807n),
      int(-9223372036854775808n),
      { kind: 'array', value: [int(9007199254740995n)] },
    ]);
    expect(s.events[0]!.attributes[0]!.value).toEqual(int(2n ** 60n + 1n));
    const find = (tags: Record<string, string>) => ids(store, { service: 'ledger', tags });
    expect(find({ 'app.above': '9007199254740993' })).toEqual([tid(1)]);
    expect(find({ 'app.above': '9007199254740992' })).toEqual([tid(2)]);
    expect(find({ 'app.max': '9223372036854775807' })).toEqual([tid(1)]);
    expect(find({ 'app.max': '9223372036854776000' })).toEqual([]);
    expect(find({ 'app.min': '-9223372036854775808' })).toEqual([tid(1)]);
    expect(find({ 'app.list': '[9007199254740995]' })).toEqual([tid(1)]);
    expect(find({ 'app.event': '1152921504606846977' })).toEqual([tid(1)]);
    expect(find({ 'host.id': '-9007199254740993' })).toEqual([tid(1)]);
  });

  it('keeps nothing of a record it cannot encode: no trace, service or operation, and goes on working', () => {
    const store = new TraceStore({ now: () => T0 });
    store.consumeTraces(batch({ service: 'good', spans: [span({ traceId: tid(1), spanId: sid(1), startMs: T0 })] }));
    // deeper than any decoder lets through: printing it for the index overflows the stack
    let deep: AnyValue = { kind: 'string', value: 'x' };
    for (let i = 0; i < 200_000; i++) deep = { kind: 'array', value: [deep] };
    const bad = span({ traceId: tid(2), spanId: sid(2), name: 'bad-op', startMs: T0, attributes: { deep } });
    expect(() => store.consumeTraces(batch({ service: 'phantom', spans: [bad] }))).toThrow(RangeError);
    expect(store.getServices()).toEqual(['good']);
    expect(store.getTrace(tid(2))).toBeUndefined();
    expect(store.stats()).toMatchObject({ traces: 1, spans: 1 });
    store.consumeTraces(batch({ service: 'phantom', spans: [span({ traceId: tid(2), spanId: sid(3), startMs: T0 })] }));
    expect(store.getOperations({ service: 'phantom' })).toEqual([{ name: 'op', spanKind: 'server' }]);
    expect(store.getTrace(tid(2))!.spans.map((s) => s.spanId)).toEqual([sid(3)]);
    expect(ids(store, { service: 'good' })).toEqual([tid(1)]);
  });

  it('looks trace ids up case-insensitively and left-pads short ones', () => {
    const store = new TraceStore({ now: () => T0 });
    const id = '0000000000000000' + '00000000deadbeef';
    store.consumeTraces(batch({ service: 'a', spans: [span({ traceId: id, spanId: sid(1), startMs: T0 })] }));
    expect(store.getTrace('DEADBEEF')?.traceId).toBe(id);
    expect(store.getTrace(id.toUpperCase())?.traceId).toBe(id);
    expect(store.getTrace('zz')).toBeUndefined();
    expect(normalizeTraceId('1'.repeat(33))).toBeUndefined();
  });

  it('lists services and operations with span kinds', () => {
    const store = new TraceStore({ now: () => T0 });
    store.consumeTraces(
      batch(
        { service: 'frontend', spans: [span({ traceId: tid(1), spanId: sid(1), name: 'GET', kind: 2, startMs: T0 })] },
        {
          service: 'frontend',
          scope: { name: 'grpc' },
          spans: [span({ traceId: tid(1), spanId: sid(2), name: 'Cart/Get', kind: 3, startMs: T0 })],
        },
        { service: 'cart', spans: [span({ traceId: tid(1), spanId: sid(3), name: 'Cart/Get', kind: 2, startMs: T0 })] },
      ),
    );
    expect(store.getServices()).toEqual(['cart', 'frontend']);
    expect(store.getOperations({ service: 'frontend' })).toEqual([
      { name: 'Cart/Get', spanKind: 'client' },
      { name: 'GET', spanKind: 'server' },
    ]);
    expect(store.getOperations({ service: 'frontend', spanKind: 'server' })).toEqual([
      { name: 'GET', spanKind: 'server' },
    ]);
    expect(store.getOperations({ service: 'nope' })).toEqual([]);
  });
});

describe('TraceStore: search semantics', () => {
  // trace 1: frontend GET (server, http.status_code 200) → cart GetCart (app.cache_hit true, 50 ms)
  // trace 2: frontend GET (500, error) → cart GetCart (app.cache_hit false, 5 ms)
  function fixture(): TraceStore {
    const store = new TraceStore({ now: () => T0 });
    store.consumeTraces(
      batch(
        {
          service: 'frontend',
          resource: { 'deployment.environment': 'lab' },
          spans: [
            span({
              traceId: tid(1),
              spanId: sid(1),
              name: 'GET',
              startMs: T0,
              durationMs: 60,
              attributes: { 'http.status_code': 200 },
            }),
            span({
              traceId: tid(2),
              spanId: sid(3),
              name: 'GET',
              startMs: T0 + 1000,
              durationMs: 8,
              attributes: { 'http.status_code': 500 },
              status: { code: 2, message: 'Internal' },
            }),
          ],
        },
        {
          service: 'cart',
          scope: { name: 'cart-lib', version: '3.1' },
          spans: [
            span({
              traceId: tid(1),
              spanId: sid(2),
              parentSpanId: sid(1),
              name: 'GetCart',
              kind: 3,
              startMs: T0 + 5,
              durationMs: 50,
              attributes: { 'app.cache_hit': true, 'app.ratio': 0.5 },
              events: [{ name: 'cache', timeMs: T0 + 6, attributes: { 'cache.key': 'user-1' } }],
            }),
            span({
              traceId: tid(2),
              spanId: sid(4),
              parentSpanId: sid(3),
              name: 'GetCart',
              kind: 3,
              startMs: T0 + 1001,
              durationMs: 5,
              attributes: { 'app.cache_hit': false },
            }),
          ],
        },
      ),
    );
    return store;
  }

  it('matches service, operation and kind', () => {
    const store = fixture();
    expect(ids(store, { service: 'frontend' })).toEqual([tid(2), tid(1)]);
    expect(ids(store, { service: 'cart', operation: 'GetCart' })).toEqual([tid(2), tid(1)]);
    expect(ids(store, { service: 'cart', operation: 'GET' })).toEqual([]);
    expect(ids(store, { service: 'cart', spanKind: 'client' })).toEqual([tid(2), tid(1)]);
    expect(ids(store, { service: 'cart', spanKind: 'server' })).toEqual([]);
    expect(ids(store, { service: 'nope' })).toEqual([]);
  });

  it('scanSpans streams each span that itself matches, newest trace first, with no limit', () => {
    const store = fixture();
    const scan = (query: Partial<TraceQuery>): string[] => {
      const out: string[] = [];
      store.scanSpans(q({ limit: 1, ...query }), (s) => out.push(`${s.serviceName}:${s.spanId}`));
      return out;
    };
    expect(scan({ service: 'cart' })).toEqual([`cart:${sid(4)}`, `cart:${sid(2)}`]);
    // the tag must hold on the span itself (or its resource), not elsewhere in its trace
    expect(scan({ service: 'frontend', tags: { 'app.cache_hit': 'true' } })).toEqual([]);
    expect(scan({ service: 'cart', tags: { 'cache.key': 'user-1' } })).toEqual([`cart:${sid(2)}`]);
    expect(scan({ service: 'frontend', tags: { 'deployment.environment': 'lab' } })).toHaveLength(2);
    expect(scan({ service: 'frontend', startTimeMinUs: (T0 + 500) * 1000 })).toEqual([`frontend:${sid(3)}`]);
    expect(scan({ service: 'nope' })).toEqual([]);
  });

  it('requires one span to satisfy every condition together', () => {
    const store = fixture();
    // trace 1 has a frontend span and a span with app.cache_hit=true, but not the same span
    expect(ids(store, { service: 'frontend', tags: { 'app.cache_hit': 'true' } })).toEqual([]);
    expect(ids(store, { service: 'cart', tags: { 'app.cache_hit': 'true' } })).toEqual([tid(1)]);
    // duration of the cart span (50 ms) with the frontend service: no single span has both
    expect(ids(store, { service: 'cart', operation: 'GetCart', durationMinUs: 40_000 })).toEqual([tid(1)]);
    expect(ids(store, { service: 'frontend', tags: { 'http.status_code': '200' }, durationMaxUs: 10_000 })).toEqual([]);
  });

  it('matches tags by their text, whatever their type', () => {
    const store = fixture();
    expect(ids(store, { service: 'frontend', tags: { 'http.status_code': '500' } })).toEqual([tid(2)]);
    expect(ids(store, { service: 'frontend', tags: { 'http.status_code': '500.0' } })).toEqual([]);
    expect(ids(store, { service: 'cart', tags: { 'app.cache_hit': 'false' } })).toEqual([tid(2)]);
    expect(ids(store, { service: 'cart', tags: { 'app.ratio': '0.5' } })).toEqual([tid(1)]);
    expect(ids(store, { service: 'cart', tags: { 'app.cache_hit': 'TRUE' } })).toEqual([]);
  });

  it('matches resource, event and scope attributes and Jaeger derived tags', () => {
    const store = fixture();
    expect(ids(store, { service: 'frontend', tags: { 'deployment.environment': 'lab' } })).toEqual([tid(2), tid(1)]);
    expect(ids(store, { service: 'cart', tags: { 'deployment.environment': 'lab' } })).toEqual([]);
    expect(ids(store, { service: 'cart', tags: { 'cache.key': 'user-1' } })).toEqual([tid(1)]);
    expect(
      ids(store, { service: 'cart', tags: { 'otel.scope.name': 'cart-lib', 'otel.scope.version': '3.1' } }),
    ).toEqual([tid(2), tid(1)]);
    expect(ids(store, { service: 'frontend', tags: { error: 'true' } })).toEqual([tid(2)]);
    expect(ids(store, { service: 'frontend', tags: { 'otel.status_code': 'ERROR' } })).toEqual([tid(2)]);
    expect(ids(store, { service: 'frontend', tags: { 'otel.status_description': 'Internal' } })).toEqual([tid(2)]);
    expect(ids(store, { service: 'frontend', tags: { 'span.kind': 'server' } })).toEqual([tid(2), tid(1)]);
    expect(ids(store, { service: 'cart', tags: { 'span.kind': 'client', 'app.cache_hit': 'true' } })).toEqual([tid(1)]);
    expect(ids(store, { service: 'cart', tags: { 'span.kind': 'server' } })).toEqual([]);
  });

  it('filters on the matching span start inside the window', () => {
    const store = fixture();
    const us = (ms: number): number => ms * 1000;
    expect(ids(store, { service: 'frontend', startTimeMinUs: us(T0 + 500), startTimeMaxUs: us(T0 + 2000) })).toEqual([
      tid(2),
    ]);
    expect(ids(store, { service: 'frontend', startTimeMinUs: us(T0), startTimeMaxUs: us(T0) })).toEqual([tid(1)]);
    // the cart span of trace 1 starts at T0+5: outside [T0+6, …]
    expect(ids(store, { service: 'cart', startTimeMinUs: us(T0 + 6), startTimeMaxUs: us(T0 + 999) })).toEqual([]);
  });

  it('returns newest first by trace start, up to the limit', () => {
    const store = new TraceStore({ now: () => T0 });
    // arrival order differs from start order
    const starts = [5, 1, 9, 3, 7, 2, 8, 4, 6, 0];
    for (const [i, s] of starts.entries()) {
      store.consumeTraces(
        batch({ service: 'svc', spans: [span({ traceId: tid(i + 1), spanId: sid(i + 1), startMs: T0 + s * 1000 })] }),
      );
    }
    const got = store.findTraces(q({ service: 'svc', limit: 3 }));
    expect(got.map((t) => t.startTimeUnixNano)).toEqual([9, 8, 7].map((s) => (T0 + s * 1000) * 1e6));
    expect(store.findTraces(q({ service: 'svc', limit: 0 }))).toHaveLength(10);
  });

  it('orders exactly over long posting lists with late spans', () => {
    const store = new TraceStore({ now: () => T0 });
    const n = 3000;
    for (let i = 0; i < n; i++) {
      // a jittered arrival: trace i starts at i seconds, ±3 s
      const start = T0 + (i + ((i * 7919) % 7) - 3) * 1000;
      store.consumeTraces(
        batch({
          service: 'svc',
          spans: [
            span({ traceId: tid(i + 1), spanId: sid(1), startMs: start, attributes: { k: i % 3 === 0 ? 'x' : 'y' } }),
          ],
        }),
      );
    }
    // a late child with an early start for trace 5 makes no difference to its order; a late root for 2000 moves it back
    store.consumeTraces(
      batch({ service: 'svc', spans: [span({ traceId: tid(2000), spanId: sid(2), startMs: T0 - 10_000 })] }),
    );
    const all = store.findTraces(q({ service: 'svc', limit: 0 }));
    const expected = [...all].sort((a, b) => b.startTimeUnixNano - a.startTimeUnixNano).map((t) => t.traceId);
    expect(store.findTraces(q({ service: 'svc', limit: 25 })).map((t) => t.traceId)).toEqual(expected.slice(0, 25));
    const xs = all.filter((t) =>
      t.spans.some((s) =>
        s.attributes.some((kv) => kv.key === 'k' && kv.value.kind === 'string' && kv.value.value === 'x'),
      ),
    );
    const xExpected = xs.sort((a, b) => b.startTimeUnixNano - a.startTimeUnixNano).map((t) => t.traceId);
    expect(store.findTraces(q({ service: 'svc', tags: { k: 'x' }, limit: 40 })).map((t) => t.traceId)).toEqual(
      xExpected.slice(0, 40),
    );
    // windows reach far back in the lists
    const win = store.findTraces(
      q({ service: 'svc', startTimeMinUs: (T0 + 100_000) * 1000, startTimeMaxUs: (T0 + 110_000) * 1000, limit: 0 }),
    );
    expect(win.length).toBeGreaterThanOrEqual(9);
    for (const t of win) expect(t.startTimeUnixNano).toBeGreaterThanOrEqual((T0 + 100_000) * 1e6);
  });
});

describe('TraceStore: index against brute force', () => {
  it('finds exactly what a scan of every span finds', () => {
    let seed = 7;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const services = ['a', 'b', 'c', 'd'];
    const ops = ['x', 'y', 'z'];
    const store = new TraceStore({ now: () => T0 });
    const traces = 1500;
    for (let b = 0; b < 600; b++) {
      // each batch: a few spans of random traces (so traces assemble from many batches)
      const svc = pick(services);
      const spans = [];
      for (let k = 0; k < 5; k++) {
        const t = Math.floor(rnd() * traces) + 1;
        spans.push(
          span({
            traceId: tid(t),
            spanId: sid(b * 10 + k + 1),
            name: pick(ops),
            kind: pick([1, 2, 3] as const),
            startMs: T0 + t * 100 + Math.floor(rnd() * 1000),
            durationMs: Math.floor(Math.exp(rnd() * 9)),
            attributes: { hit: rnd() < 0.5, code: pick([200, 404, 500]), user: `u${Math.floor(rnd() * 50)}` },
            status: { code: pick([0, 0, 0, 2] as const) },
          }),
        );
      }
      store.consumeTraces(batch({ service: svc, resource: { zone: svc === 'a' ? 'z1' : 'z2' }, spans }));
    }
    const all = store.findTraces(q({ limit: 0 }));
    const text = (v: import('../otlp/model.js').AnyValue): string =>
      v.kind === 'bool' || v.kind === 'int' || v.kind === 'string' ? String(v.value) : '';
    for (let i = 0; i < 300; i++) {
      const query: TraceQuery = {
        service: rnd() < 0.9 ? pick(services) : undefined,
        operation: rnd() < 0.4 ? pick(ops) : undefined,
        tags:
          rnd() < 0.5
            ? { [pick(['hit', 'code', 'user', 'zone', 'error'])]: pick(['true', 'false', '200', '500', 'u3', 'z1']) }
            : {},
        durationMinUs: rnd() < 0.4 ? Math.floor(Math.exp(rnd() * 9)) * 1000 : undefined,
        durationMaxUs: rnd() < 0.2 ? Math.floor(Math.exp(rnd() * 9)) * 1000 : undefined,
        startTimeMinUs: rnd() < 0.3 ? (T0 + Math.floor(rnd() * traces * 100)) * 1000 : undefined,
        limit: pick([0, 1, 5, 20]),
      };
      const expected = all
        .filter((t) =>
          t.spans.some((s) => {
            if (query.service && s.serviceName !== query.service) return false;
            if (query.operation && s.name !== query.operation) return false;
            const durUs = Math.round((s.endTimeUnixNano - s.startTimeUnixNano) / 1000);
            if (query.durationMinUs !== undefined && durUs < query.durationMinUs) return false;
            if (query.durationMaxUs !== undefined && durUs > query.durationMaxUs) return false;
            if (query.startTimeMinUs !== undefined && s.startTimeUnixNano < query.startTimeMinUs * 1000) return false;
            for (const [k, v] of Object.entries(query.tags)) {
              const ok =
                s.attributes.some((kv) => kv.key === k && text(kv.value) === v) ||
                s.resource.attributes.some((kv) => kv.key === k && text(kv.value) === v) ||
                (k === 'error' && v === 'true' && s.status.code === 2);
              if (!ok) return false;
            }
            return true;
          }),
        )
        .sort((x, y) => y.startTimeUnixNano - x.startTimeUnixNano);
      const got = store.findTraces(query);
      const n = query.limit === 0 ? expected.length : Math.min(query.limit, expected.length);
      expect(got.map((t) => t.startTimeUnixNano)).toEqual(expected.slice(0, n).map((t) => t.startTimeUnixNano));
      if (query.limit === 0)
        expect(new Set(got.map((t) => t.traceId))).toEqual(new Set(expected.map((t) => t.traceId)));
    }
  });
});

describe('TraceStore: budget and retention', () => {
  function fill(store: TraceStore, traces: number, startMs: number): void {
    for (let i = 0; i < traces; i++) {
      store.consumeTraces(
        batch({
          service: 'svc',
          spans: [0, 1, 2].map((k) =>
            span({
              traceId: tid(i + 1),
              spanId: sid(k + 1),
              startMs: startMs + i,
              attributes: { 'http.url': `/p/${i}/${k}`, n: i },
            }),
          ),
        }),
      );
    }
  }

  it('drops the oldest traces when over the byte budget and counts them', () => {
    const budget = 600_000;
    const store = new TraceStore({ now: () => T0, budgetBytes: budget, segmentBytes: 16 * 1024 });
    fill(store, 5000, T0);
    const st = store.stats();
    expect(st.bytes).toBeLessThanOrEqual(budget);
    expect(st.droppedTraces).toBeGreaterThan(0);
    expect(st.droppedSpans).toBe(st.droppedTraces * 3);
    expect(st.traces + st.droppedTraces).toBe(5000);
    // the newest survive, the oldest are gone
    expect(store.getTrace(tid(5000))).toBeDefined();
    expect(store.getTrace(tid(1))).toBeUndefined();
    const found = store.findTraces(q({ service: 'svc', limit: 0 }));
    expect(found).toHaveLength(st.traces);
    expect(found.at(-1)!.traceId).toBe(tid(st.droppedTraces + 1));
    // dropped traces are not found by any index either
    expect(store.findTraces(q({ service: 'svc', tags: { n: '0' } }))).toEqual([]);
  });

  it('drops traces first seen longer ago than the retention', () => {
    let now = T0;
    const store = new TraceStore({ now: () => now, retentionMs: 60_000 });
    fill(store, 10, T0);
    now += 30_000;
    store.consumeTraces(batch({ service: 'svc', spans: [span({ traceId: tid(100), spanId: sid(1), startMs: now })] }));
    expect(store.stats()).toMatchObject({ traces: 11, droppedTraces: 0 });
    now += 40_000;
    store.consumeTraces(batch({ service: 'svc', spans: [span({ traceId: tid(101), spanId: sid(1), startMs: now })] }));
    expect(store.stats()).toMatchObject({ traces: 2, droppedTraces: 10, droppedSpans: 30 });
    expect(ids(store, { service: 'svc' })).toEqual([tid(101), tid(100)]);
    // an idle store still forgets on read
    now += 120_000;
    expect(store.getTrace(tid(101))).toBeUndefined();
    expect(store.stats()).toMatchObject({ traces: 0, spans: 0, droppedTraces: 12, droppedSpans: 32 });
  });

  it('keeps memory per demo-shaped span small', () => {
    const store = new TraceStore({ now: () => T0 });
    const n = 20_000;
    for (let i = 0; i < n / 10; i++) {
      const spans = [];
      for (let k = 0; k < 10; k++) {
        spans.push(
          span({
            traceId: tid(i + 1),
            spanId: sid(k + 1),
            parentSpanId: k ? sid(k) : '',
            name: `Service/Method${k}`,
            startMs: T0 + i * 10 + k,
            attributes: {
              'rpc.system': 'grpc',
              'rpc.service': 'hipstershop.ProductCatalogService',
              'rpc.method': `Method${k}`,
              'rpc.grpc.status_code': 0,
              'net.peer.name': 'productcatalogservice',
              'net.peer.port': 3550,
              'app.product.id': `PRODUCT${i % 10}`,
              'app.cache_hit': i % 2 === 0,
              'app.user.id': `user-${i}`,
              'http.url': `http://frontend:8080/api/products/${i}`,
            },
          }),
        );
      }
      store.consumeTraces(batch({ service: `svc${i % 12}`, spans }));
    }
    const perSpan = store.stats().bytes / n;
    expect(perSpan).toBeLessThan(600);
  });
});

describe('TraceStore: dependencies', () => {
  it('counts parent → child calls across services inside the window', () => {
    const store = new TraceStore({ now: () => T0 });
    const mk = (t: number, startMs: number): void =>
      store.consumeTraces(
        batch(
          {
            service: 'frontend',
            spans: [
              span({ traceId: tid(t), spanId: sid(1), startMs }),
              span({ traceId: tid(t), spanId: sid(2), parentSpanId: sid(1), startMs, kind: 3 }),
              span({ traceId: tid(t), spanId: sid(5), parentSpanId: sid(1), startMs, kind: 1 }),
            ],
          },
          {
            service: 'cart',
            spans: [
              span({ traceId: tid(t), spanId: sid(3), parentSpanId: sid(2), startMs }),
              span({ traceId: tid(t), spanId: sid(4), parentSpanId: sid(2), startMs }),
            ],
          },
          { service: 'redis', spans: [span({ traceId: tid(t), spanId: sid(6), parentSpanId: sid(3), startMs })] },
        ),
      );
    mk(1, T0);
    mk(2, T0 + 10_000);
    mk(3, T0 - 3_600_000 * 2);
    expect(store.getDependencies(T0 + 20_000, 3_600_000)).toEqual([
      { parent: 'cart', child: 'redis', callCount: 2 },
      { parent: 'frontend', child: 'cart', callCount: 4 },
    ]);
    expect(store.getDependencies(T0 + 5_000, 1_000)).toEqual([]);
  });
});
