// Spans read back from a Jaeger query API: a second Orrery serves it (the protocol a real Jaeger
// serves), and a comparison computed over the spans read from it ranks the same as the engine's
// own comparison over its store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toJaegerTrace } from '../api/jaeger/convert.js';
import { SpanColumns } from '../diagnosis/compare.js';
import { createBackend, type Backend } from '../server/backend.js';
import { batch, rng, sid, span, tid } from '../traces/testdata.js';
import type { StoredSpan } from '../traces/storage.js';
import { toJsonText } from '../otlp/json-text.js';
import { fromJaegerTrace, jaegerSearchPath, parseJaegerJson, RemoteJaegerSpans } from './jaeger.js';
import { parseUpstream } from './upstream.js';

describe('fromJaegerTrace', () => {
  it("undoes the Jaeger API's conversion: kind, status, scope, attributes, events", () => {
    const backend = createBackend({ port: 0, otlpHttpPort: 0, otlpGrpcPort: 0 });
    const t = Date.now();
    backend.traceStore.consumeTraces(
      batch({
        service: 'cart',
        resource: { 'host.name': 'h1' },
        spans: [
          span({
            traceId: tid(1),
            spanId: sid(1),
            name: 'AddItem',
            kind: 2,
            startMs: t,
            durationMs: 12,
            attributes: { 'app.count': { kind: 'int', value: 9007199254740993n }, 'app.ok': true, 'app.ratio': 0.5 },
            events: [{ name: 'cache miss', timeMs: t + 1, attributes: { 'app.key': 'k1' } }],
            status: { code: 2, message: 'boom' },
          }),
        ],
      }),
    );
    const stored = backend.traceStore.getTrace(tid(1))!;
    const back = fromJaegerTrace(parseJaegerJson(toJsonText(toJaegerTrace(stored))));
    expect(back.skipped).toBe(0);
    const [a, b] = [stored.spans[0]!, back.spans[0]!] as [StoredSpan, StoredSpan];
    expect(b).toMatchObject({
      traceId: a.traceId,
      spanId: a.spanId,
      name: 'AddItem',
      kind: 2,
      status: { code: 2, message: 'boom' },
      serviceName: 'cart',
      startTimeUnixNano: a.startTimeUnixNano,
      endTimeUnixNano: a.endTimeUnixNano,
    });
    expect(b.scope.name).toBe(a.scope.name);
    expect(b.attributes.map((kv) => kv.key).sort()).toEqual(a.attributes.map((kv) => kv.key).sort());
    // int64 beyond 2^53 stays exact through the JSON
    expect(b.attributes.find((kv) => kv.key === 'app.count')?.value).toEqual({ kind: 'int', value: 9007199254740993n });
    expect(b.events[0]).toMatchObject({
      name: 'cache miss',
      attributes: [{ key: 'app.key', value: { kind: 'string', value: 'k1' } }],
    });
    expect(b.resource.attributes.find((kv) => kv.key === 'host.name')?.value).toEqual({ kind: 'string', value: 'h1' });
  });

  it('skips what is not a span and never throws on hostile input', () => {
    expect(fromJaegerTrace(null)).toEqual({ spans: [], skipped: 1 });
    const r = fromJaegerTrace({
      spans: [
        { traceID: 1 },
        { traceID: 'ab', spanID: 'cd', startTime: 1, duration: 2, tags: [{ key: 'x', type: 'int64', value: 'zz' }] },
      ],
    });
    expect(r.skipped).toBe(1);
    expect(r.spans).toHaveLength(1);
    expect(r.spans[0]!.attributes).toEqual([]);
  });

  it('asks Jaeger for the same search', () => {
    expect(
      jaegerSearchPath(
        {
          service: 's',
          operation: 'o',
          tags: { 'app.cache_hit': 'false' },
          startTimeMinUs: 1,
          startTimeMaxUs: 2,
          durationMinUs: 1500,
          limit: 0,
        },
        100,
      ),
    ).toBe(
      '/api/traces?service=s&operation=o&tags=%7B%22app.cache_hit%22%3A%22false%22%7D&start=1&end=2&minDuration=1500us&limit=100',
    );
  });
});

describe('a comparison over an external Jaeger', () => {
  let engine: Backend;
  let url: string;

  beforeAll(async () => {
    engine = createBackend({ port: 0, otlpHttpPort: 0, otlpGrpcPort: 0 });
    url = `http://127.0.0.1:${(await engine.start()).ports.api}`;
    // 400 traces of one operation: cache misses are slow, a random attribute is noise, request IDs are unique.
    const random = rng(5);
    const now = Date.now();
    const spans = Array.from({ length: 400 }, (_, i) => {
      const miss = random() < 0.3;
      return span({
        traceId: tid(1000 + i),
        spanId: sid(1000 + i),
        name: 'get_product_list',
        kind: 2,
        startMs: now - 600_000 + i * 1000,
        durationMs: miss ? 200 + random() * 100 : 20 + random() * 20,
        attributes: { 'app.cache_hit': !miss, 'app.noise': random() < 0.5 ? 'a' : 'b', 'app.request_id': `req-${i}` },
      });
    });
    engine.traceStore.consumeTraces(batch({ service: 'recommendationservice', spans }));
  });
  afterAll(() => engine.stop());

  it('ranks the attributes as the engine does over its own store', async () => {
    const params = 'service=recommendationservice&operation=get_product_list&lookback=1h&select=slowest&percent=10';
    const own = (await (await fetch(`${url}/api/orrery/v1/compare?${params}`)).json()) as {
      data: { selected: number; baseline: number; attributes: { key: string; score: number }[] };
    };
    const columns = new SpanColumns({ includeSpanName: false });
    const now = Date.now() * 1000;
    const read = await new RemoteJaegerSpans(parseUpstream('jaeger', 'x', url)).scanSpans(
      {
        service: 'recommendationservice',
        operation: 'get_product_list',
        tags: {},
        startTimeMinUs: now - 3600e6,
        startTimeMaxUs: now,
        limit: 0,
      },
      (s) => columns.add(s),
    );
    expect(read).toEqual({ traces: 400, skipped: 0 });
    const remote = columns.compare({ kind: 'slowest', percent: 10 });
    expect(remote.selected).toBe(own.data.selected);
    expect(remote.baseline).toBe(own.data.baseline);
    expect(remote.attributes.map((a) => a.key)).toEqual(own.data.attributes.map((a) => a.key));
    expect(remote.attributes[0]!.key).toBe('app.cache_hit');
  });
});
