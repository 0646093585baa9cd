import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpApp } from '../router.js';
import type { AnyValue } from '../../otlp/model.js';
import type { Trace, TraceReader } from '../../traces/storage.js';
import { TraceStore } from '../../traces/store.js';
import { batch, sid, span, tid } from '../../traces/testdata.js';
import { registerJaegerApi } from './index.js';
import { parseGoDuration } from '../../gocompat/duration.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const NOW = T0 + 60_000;
const MARKUP = '<script>alert("x")</script>&amp;';

let server: Server;
let base: string;

beforeAll(async () => {
  const store = new TraceStore({ now: () => NOW });
  store.consumeTraces(
    batch(
      {
        service: 'frontend',
        resource: { 'service.version': '1.2.3', 'host.name': 'lab' },
        scope: { name: '@opentelemetry/instrumentation-http', version: '0.223.0' },
        spans: [
          span({
            traceId: tid(1),
            spanId: sid(1),
            name: 'GET /api/recommendations',
            kind: 2,
            startMs: T0,
            durationMs: 120,
            attributes: {
              'http.status_code': 200,
              'app.cache_hit': true,
              'app.ratio': 0.25,
              'app.ids': {
                kind: 'array',
                value: [
                  { kind: 'string', value: 'A' },
                  { kind: 'int', value: 2 },
                ],
              },
              'app.bytes': { kind: 'bytes', value: new Uint8Array([1, 2, 3]) },
              'app.note': MARKUP,
            },
            status: { code: 1 },
            links: [{ traceId: tid(7), spanId: sid(70) }],
          }),
        ],
      },
      {
        service: 'recommendationservice',
        scope: { name: 'grpc', version: '' },
        spans: [
          span({
            traceId: tid(1),
            spanId: sid(2),
            parentSpanId: sid(1),
            name: 'grpc.hipstershop.RecommendationService/ListRecommendations',
            kind: 3,
            startMs: T0 + 10,
            durationMs: 1.5,
            status: { code: 2, message: 'cache exploded' },
            events: [{ name: 'exception', timeMs: T0 + 11, attributes: { 'exception.message': 'boom' } }],
          }),
        ],
      },
    ),
  );
  store.consumeTraces(
    batch({
      service: 'frontend',
      spans: [
        span({
          traceId: '0000000000000000' + '00000000000000ab',
          spanId: sid(3),
          name: 'GET /',
          startMs: T0 + 5000,
          durationMs: 3,
          attributes: { 'app.cache_hit': false },
        }),
      ],
    }),
  );
  const app = new HttpApp();
  registerJaegerApi(app, store, { now: () => NOW });
  const l = await app.listen('127.0.0.1', 0);
  server = l.server;
  base = `http://127.0.0.1:${l.port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function get(path: string): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const res = await fetch(base + path);
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown>, text };
}

function tagsParam(m: Record<string, string>): string {
  return encodeURIComponent(JSON.stringify(m));
}

const envelope = { total: expect.any(Number), limit: 0, offset: 0, errors: null };

describe('Jaeger API: services and operations', () => {
  it('GET /api/services', async () => {
    const r = await get('/api/services');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ data: ['frontend', 'recommendationservice'], ...envelope, total: 2 });
  });

  it('GET /api/services/:service/operations', async () => {
    const r = await get('/api/services/frontend/operations');
    expect(r.body).toEqual({ data: ['GET /', 'GET /api/recommendations'], ...envelope, total: 2 });
    expect((await get('/api/services/nope/operations')).body).toEqual({ data: [], ...envelope, total: 0 });
  });

  it('GET /api/operations with and without spanKind', async () => {
    const r = await get('/api/operations?service=recommendationservice');
    expect(r.body).toEqual({
      data: [{ name: 'grpc.hipstershop.RecommendationService/ListRecommendations', spanKind: 'client' }],
      ...envelope,
      total: 1,
    });
    expect((await get('/api/operations?service=frontend&spanKind=server')).body.data).toEqual([
      { name: 'GET /', spanKind: 'server' },
      { name: 'GET /api/recommendations', spanKind: 'server' },
    ]);
    expect((await get('/api/operations?service=frontend&spanKind=client')).body.data).toEqual([]);
  });
});

describe('Jaeger API: traces', () => {
  it('GET /api/traces/:traceID returns the trace in Jaeger JSON', async () => {
    const r = await get(`/api/traces/${tid(1).toUpperCase()}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ...envelope, total: 1 });
    const [trace] = r.body['data'] as Record<string, unknown>[];
    expect(trace).toEqual({
      traceID: tid(1),
      spans: [
        {
          traceID: tid(1),
          spanID: sid(1),
          flags: 1,
          operationName: 'GET /api/recommendations',
          references: [{ refType: 'FOLLOWS_FROM', traceID: tid(7), spanID: sid(70) }],
          startTime: T0 * 1000,
          duration: 120_000,
          tags: [
            { key: 'http.status_code', type: 'int64', value: 200 },
            { key: 'app.cache_hit', type: 'bool', value: true },
            { key: 'app.ratio', type: 'float64', value: 0.25 },
            { key: 'app.ids', type: 'string', value: '["A",2]' },
            { key: 'app.bytes', type: 'binary', value: 'AQID' },
            { key: 'app.note', type: 'string', value: MARKUP },
            { key: 'otel.scope.name', type: 'string', value: '@opentelemetry/instrumentation-http' },
            { key: 'otel.scope.version', type: 'string', value: '0.223.0' },
            { key: 'span.kind', type: 'string', value: 'server' },
            { key: 'otel.status_code', type: 'string', value: 'OK' },
          ],
          logs: [],
          processID: 'p1',
          warnings: null,
        },
        {
          traceID: tid(1),
          spanID: sid(2),
          flags: 1,
          operationName: 'grpc.hipstershop.RecommendationService/ListRecommendations',
          references: [{ refType: 'CHILD_OF', traceID: tid(1), spanID: sid(1) }],
          startTime: (T0 + 10) * 1000,
          duration: 1500,
          tags: [
            { key: 'otel.scope.name', type: 'string', value: 'grpc' },
            { key: 'span.kind', type: 'string', value: 'client' },
            { key: 'otel.status_code', type: 'string', value: 'ERROR' },
            { key: 'error', type: 'bool', value: true },
            { key: 'otel.status_description', type: 'string', value: 'cache exploded' },
          ],
          logs: [
            {
              timestamp: (T0 + 11) * 1000,
              fields: [
                { key: 'event', type: 'string', value: 'exception' },
                { key: 'exception.message', type: 'string', value: 'boom' },
              ],
            },
          ],
          processID: 'p2',
          warnings: null,
        },
      ],
      processes: {
        p1: {
          serviceName: 'frontend',
          tags: [
            { key: 'service.version', type: 'string', value: '1.2.3' },
            { key: 'host.name', type: 'string', value: 'lab' },
          ],
        },
        p2: { serviceName: 'recommendationservice', tags: [] },
      },
      warnings: null,
    });
  });

  it('returns markup in attribute values verbatim as JSON strings', async () => {
    const r = await get(`/api/traces/${tid(1)}`);
    expect(r.text).toContain(JSON.stringify(MARKUP));
    expect(r.text).not.toContain('\\u003c');
  });

  it('accepts short IDs (left-padded) and prints 64-bit IDs as 16 digits', async () => {
    const r = await get('/api/traces/AB');
    expect(r.status).toBe(200);
    const [trace] = r.body['data'] as { traceID: string; spans: { traceID: string }[] }[];
    expect(trace!.traceID).toBe('00000000000000ab');
    expect(trace!.spans[0]!.traceID).toBe('00000000000000ab');
  });

  it('404 with Jaeger error envelope for a missing trace', async () => {
    const r = await get(`/api/traces/${tid(99)}`);
    expect(r.status).toBe(404);
    expect(r.body).toEqual({
      data: null,
      total: 0,
      limit: 0,
      offset: 0,
      errors: [{ code: 404, msg: 'trace not found' }],
    });
  });

  it('searches by service, operation, tags and durations', async () => {
    const ids = async (qs: string): Promise<string[]> => {
      const r = await get(`/api/traces?${qs}`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject(envelope);
      return (r.body['data'] as { traceID: string }[]).map((t) => t.traceID);
    };
    expect(await ids('service=frontend&lookback=1h&limit=20')).toEqual(['00000000000000ab', tid(1)]);
    expect(await ids('service=frontend&limit=1')).toEqual(['00000000000000ab']);
    expect(await ids(`service=frontend&operation=${encodeURIComponent('GET /')}`)).toEqual(['00000000000000ab']);
    expect(await ids(`service=frontend&tags=${tagsParam({ 'app.cache_hit': 'true' })}`)).toEqual([tid(1)]);
    expect(await ids('service=frontend&tag=app.cache_hit:false')).toEqual(['00000000000000ab']);
    expect(await ids('service=frontend&tag=http.status_code:200&tag=app.cache_hit:true')).toEqual([tid(1)]);
    expect(await ids(`service=recommendationservice&tags=${tagsParam({ error: 'true' })}`)).toEqual([tid(1)]);
    expect(await ids(`service=frontend&tags=${tagsParam({ error: 'true' })}`)).toEqual([]);
    expect(await ids(`service=frontend&tags=${tagsParam({ 'service.version': '1.2.3' })}`)).toEqual([tid(1)]);
    expect(await ids(`service=recommendationservice&tags=${tagsParam({ 'exception.message': 'boom' })}`)).toEqual([
      tid(1),
    ]);
    expect(await ids('service=frontend&minDuration=100ms')).toEqual([tid(1)]);
    expect(await ids('service=frontend&minDuration=1.2s')).toEqual([]);
    expect(await ids('service=frontend&maxDuration=5000us')).toEqual(['00000000000000ab']);
    expect(await ids(`service=frontend&start=${(T0 + 1000) * 1000}&end=${NOW * 1000}&lookback=custom`)).toEqual([
      '00000000000000ab',
    ]);
    expect(await ids(`service=frontend&lookback=10s`)).toEqual([]); // NOW - 10 s is after both traces
    expect(await ids(`traceID=${tid(1)}`)).toEqual([tid(1)]);
    // blank form fields, as UIs send them, are ignored
    expect(await ids('service=frontend&tags=&tag=&minDuration=&maxDuration=&operation=&limit=')).toEqual([
      '00000000000000ab',
      tid(1),
    ]);
  });

  it('GET /api/dependencies', async () => {
    const r = await get(`/api/dependencies?endTs=${NOW}&lookback=3600000`);
    expect(r.body).toEqual({
      data: [{ parent: 'frontend', child: 'recommendationservice', callCount: 1 }],
      ...envelope,
      total: 1,
    });
    expect((await get(`/api/dependencies?endTs=${T0 - 1000}&lookback=1000`)).body.data).toEqual([]);
    expect((await get('/api/dependencies')).body.data).toHaveLength(1);
  });
});

describe('Jaeger API: bad parameters', () => {
  const cases: [string, RegExp][] = [
    ['/api/traces?service=frontend&limit=-1', /limit.*negative/],
    ['/api/traces?service=frontend&limit=abc', /limit.*"abc" is not an integer/],
    ['/api/traces?service=frontend&minDuration=abc', /minDuration.*invalid duration "abc"/],
    ['/api/traces?service=frontend&maxDuration=10', /maxDuration.*missing unit/],
    [
      '/api/traces?service=frontend&minDuration=2s&maxDuration=1s',
      /'maxDuration' should be greater than 'minDuration'/,
    ],
    ['/api/traces?service=frontend&start=20&end=10', /'start' \(20\) must not be after 'end' \(10\)/],
    ['/api/traces?service=frontend&start=abc', /start.*not an integer/],
    ['/api/traces?service=frontend&lookback=forever', /lookback/],
    ['/api/traces?service=frontend&tags=notjson', /malformed 'tags' parameter, cannot unmarshal JSON/],
    [`/api/traces?service=frontend&tags=${encodeURIComponent('["a"]')}`, /malformed 'tags' parameter/],
    [
      `/api/traces?service=frontend&tags=${encodeURIComponent('{"a":1}')}`,
      /malformed 'tags' parameter.*"a" must be a string/,
    ],
    ['/api/traces?service=frontend&tag=novalue', /malformed 'tag' parameter, expecting key:value/],
    ['/api/traces?limit=20', /parameter 'service' is required/],
    ['/api/traces?traceID=xyz', /traceID/],
    ['/api/traces/not-hex', /traceID/],
    [`/api/traces/${'1'.repeat(33)}`, /traceID/],
    ['/api/operations', /parameter 'service' is required/],
    ['/api/dependencies?endTs=abc', /endTs/],
    ['/api/dependencies?lookback=-5', /lookback.*negative/],
  ];
  for (const [path, msg] of cases) {
    it(`400 for ${decodeURIComponent(path)}`, async () => {
      const r = await get(path);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ data: null, total: 0, limit: 0, offset: 0 });
      const errors = r.body['errors'] as { code: number; msg: string }[];
      expect(errors).toHaveLength(1);
      expect(errors[0]!.code).toBe(400);
      expect(errors[0]!.msg).toMatch(msg);
    });
  }
});

describe('Go durations', () => {
  it('parses what time.ParseDuration parses', () => {
    expect(parseGoDuration('1.2s')).toBeCloseTo(1.2e9);
    expect(parseGoDuration('100ms')).toBe(100e6);
    expect(parseGoDuration('500us')).toBe(500e3);
    expect(parseGoDuration('500µs')).toBe(500e3);
    expect(parseGoDuration('1h30m')).toBe(5400e9);
    expect(parseGoDuration('.5s')).toBe(0.5e9);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('-2m')).toBe(-120e9);
    for (const bad of ['', 'abc', '1', '1x', '.s', '1.2.3s']) expect(() => parseGoDuration(bad)).toThrow();
  });
});

describe('Jaeger API: a trace that cannot be shown', () => {
  it('is reported in errors; the other traces of the search are served, and /api/traces/{id} of it alone fails', async () => {
    const store = new TraceStore({ now: () => NOW });
    store.consumeTraces(
      batch({ service: 'shop', spans: [span({ traceId: tid(1), spanId: sid(1), startMs: T0, durationMs: 1 })] }),
    );
    const good = store.getTrace(tid(1))!;
    // a stored value no writer can print (decoders refuse anything near this deep)
    let deep: AnyValue = { kind: 'string', value: 'x' };
    for (let i = 0; i < 200_000; i++) deep = { kind: 'array', value: [deep] };
    const badSpan = { ...good.spans[0]!, attributes: [{ key: 'deep', value: deep }] };
    const bad: Trace = { ...good, traceId: tid(2), spans: [badSpan] };
    const reader: TraceReader = {
      getServices: () => store.getServices(),
      getOperations: (q) => store.getOperations(q),
      getDependencies: (e, l) => store.getDependencies(e, l),
      stats: () => store.stats(),
      findTraces: () => [bad, good],
      getTrace: (id) => (id === tid(2) ? bad : id === tid(1) ? good : undefined),
    };
    const app = new HttpApp();
    registerJaegerApi(app, reader, { now: () => NOW });
    const l = await app.listen('127.0.0.1', 0);
    try {
      const fetchJson = async (path: string) => {
        const res = await fetch(`http://127.0.0.1:${l.port}${path}`);
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      const search = await fetchJson('/api/traces?service=shop');
      expect(search.status).toBe(200);
      expect((search.body['data'] as { traceID: string }[]).map((t) => t.traceID)).toEqual([tid(1)]);
      expect(search.body['total']).toBe(1);
      expect(search.body['errors']).toEqual([
        { code: 500, msg: expect.stringMatching(/^trace could not be read: /) as unknown, traceID: tid(2) },
      ]);
      expect((await fetchJson(`/api/traces/${tid(1)}`)).status).toBe(200);
      const one = await fetchJson(`/api/traces/${tid(2)}`);
      expect(one.status).toBe(500);
      expect(one.body['errors']).toEqual([
        { code: 500, msg: expect.stringMatching(/^trace could not be read: /) as unknown },
      ]);
    } finally {
      await new Promise<void>((resolve) => l.server.close(() => resolve()));
    }
  });
});
