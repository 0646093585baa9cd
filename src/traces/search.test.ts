import { describe, expect, it } from 'vitest';
import { anyValueToString, type KeyValue } from '../otlp/model.js';
import { Catalogue } from './catalogue.js';
import { Dictionary } from './intern.js';
import { compile } from './search.js';
import { JAEGER_SPAN_KINDS, type StoredSpan, type TraceQuery } from './storage.js';
import { TraceStore } from './store.js';
import { batch, rng, sid, span, tid } from './testdata.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

/** The search semantics written plainly: does this one span satisfy every condition? */
function spanSatisfies(s: StoredSpan, q: TraceQuery): boolean {
  if (q.service && s.serviceName !== q.service) return false;
  if (q.operation && s.name !== q.operation) return false;
  if (q.spanKind && JAEGER_SPAN_KINDS[s.kind] !== q.spanKind) return false;
  const startUs = Math.round(s.startTimeUnixNano / 1000);
  if (q.startTimeMinUs !== undefined && startUs < q.startTimeMinUs) return false;
  if (q.startTimeMaxUs !== undefined && startUs > q.startTimeMaxUs) return false;
  const durUs = Math.round((s.endTimeUnixNano - s.startTimeUnixNano) / 1000);
  if (q.durationMinUs !== undefined && durUs < q.durationMinUs) return false;
  if (q.durationMaxUs !== undefined && durUs > q.durationMaxUs) return false;
  const has = (attrs: readonly KeyValue[], k: string, v: string): boolean =>
    attrs.some((kv) => kv.key === k && anyValueToString(kv.value) === v);
  for (const [k, v] of Object.entries(q.tags)) {
    const derived =
      (k === 'span.kind' && s.kind !== 0 && JAEGER_SPAN_KINDS[s.kind] === v) ||
      (k === 'error' && v === 'true' && s.status.code === 2) ||
      (k === 'otel.status_code' && s.status.code !== 0 && ['', 'OK', 'ERROR'][s.status.code] === v) ||
      (k === 'otel.status_description' && s.status.message !== '' && s.status.message === v) ||
      (k === 'w3c.tracestate' && s.traceState !== '' && s.traceState === v) ||
      (k === 'otel.scope.name' && s.scope.name !== '' && s.scope.name === v) ||
      (k === 'otel.scope.version' && s.scope.version !== '' && s.scope.version === v);
    if (
      !derived &&
      !has(s.attributes, k, v) &&
      !has(s.resource.attributes, k, v) &&
      !s.events.some((e) => has(e.attributes, k, v))
    )
      return false;
  }
  return true;
}

describe('trace search against brute force', () => {
  it('finds what checking every span of every trace finds, for every kind of condition', () => {
    const rnd = rng(3);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const store = new TraceStore({ now: () => T0 });
    const services = ['front', 'cart', 'db'];
    const traces = 400;
    for (let b = 0; b < 300; b++) {
      const spans = [];
      for (let k = 0; k < 4; k++) {
        const t = Math.floor(rnd() * traces) + 1;
        spans.push(
          span({
            traceId: tid(t),
            spanId: sid(b * 10 + k + 1),
            name: pick(['get', 'put', 'query']),
            kind: pick([0, 1, 2, 3, 4] as const),
            startMs: T0 + t * 50 + Math.floor(rnd() * 500),
            durationMs: Math.floor(Math.exp(rnd() * 8)),
            attributes: {
              hit: rnd() < 0.5,
              code: pick([200, 404, 500]),
              ratio: pick([0.5, 1.25]),
              big: { kind: 'int', value: pick([2n ** 60n + 1n, 2n ** 60n + 2n]) },
              user: `u${Math.floor(rnd() * 20)}`,
            },
            events: rnd() < 0.3 ? [{ name: 'ev', timeMs: T0, attributes: { 'ev.key': pick(['a', 'b']) } }] : [],
            status: pick([{ code: 0 }, { code: 1 }, { code: 2, message: pick(['boom', 'oops']) }] as const),
            traceState: rnd() < 0.2 ? pick(['x=1', 'x=2']) : '',
          }),
        );
      }
      const service = pick(services);
      store.consumeTraces(
        batch({
          service,
          resource: { zone: pick(['z1', 'z2']) },
          scope: { name: `${service}-lib`, version: '2' },
          spans,
        }),
      );
    }
    const all = store.findTraces({ tags: {}, limit: 0 });
    expect(all.length).toBeGreaterThan(300);
    const tagChoices: [string, () => string][] = [
      ['hit', () => pick(['true', 'false'])],
      ['code', () => pick(['200', '500', '200.0'])],
      ['ratio', () => pick(['0.5', '1.25'])],
      ['big', () => pick(['1152921504606846977', '1152921504606846978', '1152921504606846976'])],
      ['user', () => `u${Math.floor(rnd() * 20)}`],
      ['zone', () => pick(['z1', 'z2'])],
      ['ev.key', () => pick(['a', 'b'])],
      ['error', () => 'true'],
      ['span.kind', () => pick(['server', 'client', 'internal'])],
      ['otel.status_code', () => pick(['OK', 'ERROR'])],
      ['otel.status_description', () => pick(['boom', 'oops'])],
      ['w3c.tracestate', () => pick(['x=1', 'x=2'])],
      ['otel.scope.name', () => `${pick(services)}-lib`],
      ['nope', () => 'x'],
    ];
    let nonEmpty = 0;
    for (let i = 0; i < 400; i++) {
      const tags: Record<string, string> = {};
      for (let n = Math.floor(rnd() * 3); n > 0; n--) {
        const [k, v] = pick(tagChoices);
        tags[k] = v();
      }
      const query: TraceQuery = {
        service: rnd() < 0.7 ? pick(services) : undefined,
        operation: rnd() < 0.3 ? pick(['get', 'put', 'query']) : undefined,
        spanKind: rnd() < 0.2 ? pick(['server', 'client', 'producer']) : undefined,
        tags,
        durationMinUs: rnd() < 0.3 ? Math.floor(Math.exp(rnd() * 8)) * 1000 : undefined,
        durationMaxUs: rnd() < 0.2 ? Math.floor(Math.exp(rnd() * 8)) * 1000 : undefined,
        startTimeMinUs: rnd() < 0.3 ? (T0 + Math.floor(rnd() * traces * 50)) * 1000 : undefined,
        startTimeMaxUs: rnd() < 0.3 ? (T0 + Math.floor(rnd() * traces * 50)) * 1000 : undefined,
        limit: pick([0, 1, 7, 20]),
      };
      const expected = all
        .filter((t) => t.spans.some((s) => spanSatisfies(s, query)))
        .sort((x, y) => y.startTimeUnixNano - x.startTimeUnixNano);
      const got = store.findTraces(query);
      const n = query.limit === 0 ? expected.length : Math.min(query.limit, expected.length);
      expect(got.map((t) => t.startTimeUnixNano)).toEqual(expected.slice(0, n).map((t) => t.startTimeUnixNano));
      for (const t of got) expect(t.spans.some((s) => spanSatisfies(s, query))).toBe(true);
      if (expected.length > 0) nonEmpty++;
    }
    // most queries find something: the comparison is not between two empty lists
    expect(nonEmpty).toBeGreaterThan(200);
  });
});

describe('query compilation', () => {
  const dict = new Dictionary(1000);
  const catalogue = new Catalogue(dict.strs);
  const data = batch({ service: 'shop', resource: { zone: 'z1' }, spans: [] });
  const rs = data.resourceSpans[0]!;
  catalogue.originOf(rs, rs.scopeSpans[0]!);
  catalogue.addOperations([dict.strs.get('shop')!, dict.strs.intern('GET') * 8 + 2]);
  dict.keys.intern('http.status_code');

  it('gives up early on a service, operation or kind that cannot match', () => {
    expect(compile({ service: 'nope', tags: {}, limit: 0 }, dict, catalogue)).toBeUndefined();
    expect(compile({ service: 'shop', operation: 'never', tags: {}, limit: 0 }, dict, catalogue)).toBeUndefined();
    expect(compile({ spanKind: 'sideways', tags: {}, limit: 0 }, dict, catalogue)).toBeUndefined();
    const many = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, 'v']));
    expect(compile({ tags: many, limit: 0 }, dict, catalogue)).toBeUndefined();
  });

  it('resolves names to ids and tag texts to the forms stored values compare with', () => {
    const cq = compile(
      {
        service: 'shop',
        operation: 'GET',
        spanKind: 'server',
        tags: { 'http.status_code': '200', zone: 'z1', big: '9007199254740993', odd: '1e3' },
        startTimeMinUs: 10,
        limit: 0,
      },
      dict,
      catalogue,
    )!;
    expect(cq.serviceId).toBe(dict.strs.get('shop'));
    expect(cq.nameId).toBe(dict.strs.get('GET'));
    expect(cq.kind).toBe(2);
    expect(cq.startMinNs).toBe(9500);
    expect(cq.startMaxNs).toBe(Infinity);
    const [code, zone, big, odd] = cq.tags;
    expect(code).toMatchObject({ keyId: dict.keys.get('http.status_code'), num: 200, viaOrigin: false });
    expect(zone).toMatchObject({ keyId: -1, viaOrigin: true });
    expect(big!.int64).toBe(9007199254740993n);
    expect(odd!.num).toBeNaN(); // '1e3' is not how 1000 prints, so no number matches it
    expect(cq.allTagsMask).toBe(0b1111);
  });
});
