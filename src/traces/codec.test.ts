import { describe, expect, it } from 'vitest';
import type { AnyValue, KeyValue, Span, TracesData } from '../otlp/model.js';
import { SegmentArena } from './arena.js';
import { Catalogue, type Origin } from './catalogue.js';
import {
  decodeAttributes,
  decodeSpan,
  eventAttrCount,
  eventAttrsAt,
  RecordEncoder,
  skipAttrs,
  SpanCursor,
} from './codec.js';
import { Dictionary } from './intern.js';
import { REC_COMPLEX_BASE } from './layout.js';
import { batch, rng, sid, span as testSpan, tid } from './testdata.js';

const T0_NS = Date.UTC(2025, 0, 1) * 1e6;

/** One value of every stored type, chosen at random. */
function randomValue(rnd: () => number, i: number): AnyValue {
  switch (Math.floor(rnd() * 12)) {
    case 0:
      return { kind: 'string', value: `v${i % 5}` }; // interned
    case 1:
      return { kind: 'string', value: `inline-${'x'.repeat(300)}-${i}` }; // too long to intern
    case 2:
      return { kind: 'bool', value: rnd() < 0.5 };
    case 3:
      return { kind: 'int', value: -Math.floor(rnd() * 1e6) };
    case 4:
      return { kind: 'int', value: 2 ** 40 + i };
    case 5:
      return { kind: 'int', value: rnd() < 0.5 ? -(2n ** 63n) : 2n ** 62n + BigInt(i) };
    case 6:
      return { kind: 'double', value: rnd() * 100 };
    case 7:
      return { kind: 'empty' };
    case 8:
      return {
        kind: 'array',
        value: [
          { kind: 'int', value: i },
          { kind: 'string', value: 'a' },
        ],
      };
    case 9:
      return { kind: 'kvlist', value: [{ key: 'k', value: { kind: 'bool', value: true } }] };
    case 10:
      return { kind: 'bytes', value: new Uint8Array([1, 2, i & 255]) };
    default:
      return { kind: 'string', value: 'héllo ✓' };
  }
}

function randomAttrs(rnd: () => number, max: number): KeyValue[] {
  const out: KeyValue[] = [];
  const n = Math.floor(rnd() * (max + 1));
  for (let i = 0; i < n; i++) out.push({ key: `k${i}`, value: randomValue(rnd, i) });
  return out;
}

/** A span with each optional field present or absent at random. */
function randomSpan(rnd: () => number, traceId: string, i: number): Span {
  const maybe = <T>(p: number, yes: () => T, no: T): T => (rnd() < p ? yes() : no);
  const start = T0_NS + Math.floor(rnd() * 1e9) * 1000;
  return {
    traceId,
    spanId: sid(i + 1),
    parentSpanId: maybe(0.7, () => sid(i + 1000), ''),
    traceState: maybe(0.3, () => `k=v${i}`, ''),
    flags: maybe(0.5, () => 0x101, 0),
    name: `op${i % 4}`,
    kind: Math.floor(rnd() * 6) as Span['kind'],
    startTimeUnixNano: start,
    endTimeUnixNano: start + Math.floor(rnd() * 1e9),
    attributes: randomAttrs(rnd, 6),
    droppedAttributesCount: maybe(0.2, () => 3, 0),
    events: maybe(
      0.4,
      () =>
        Array.from({ length: 1 + Math.floor(rnd() * 3) }, (_, e) => ({
          timeUnixNano: start + e,
          name: `ev${e}`,
          attributes: randomAttrs(rnd, 3),
          droppedAttributesCount: maybe(0.3, () => 2, 0),
        })),
      [],
    ),
    droppedEventsCount: maybe(0.2, () => 1, 0),
    links: maybe(
      0.4,
      () =>
        Array.from({ length: 1 + Math.floor(rnd() * 2) }, (_, l) => ({
          traceId: tid(900 + l),
          spanId: sid(800 + l),
          traceState: maybe(0.5, () => 'a=b', ''),
          attributes: randomAttrs(rnd, 2),
          droppedAttributesCount: maybe(0.3, () => 4, 0),
          flags: maybe(0.5, () => 1, 0),
        })),
      [],
    ),
    droppedLinksCount: maybe(0.2, () => 5, 0),
    status: { code: Math.floor(rnd() * 3) as 0 | 1 | 2, message: maybe(0.3, () => 'broken', '') },
  };
}

/** A dictionary, catalogue, arena and encoder, with one origin. */
function parts(): { dict: Dictionary; arena: SegmentArena; enc: RecordEncoder; origins: Origin[]; origin: Origin } {
  const dict = new Dictionary(1000);
  const catalogue = new Catalogue(dict.strs);
  const data: TracesData = batch({
    service: 'svc',
    resource: { zone: 'z1' },
    scope: { name: 'lib', version: '1' },
    spans: [],
  });
  const rs = data.resourceSpans[0]!;
  const origin = catalogue.originOf(rs, rs.scopeSpans[0]!);
  return { dict, arena: new SegmentArena(4096), enc: new RecordEncoder(dict), origins: catalogue.origins, origin };
}

/** Encodes one record of spans (all of one origin) after prevRef and stores it; returns its ref. */
function store(
  arena: SegmentArena,
  enc: RecordEncoder,
  traceId: string,
  spans: Span[],
  origin: Origin,
  prevRef: number,
): number {
  enc.begin();
  enc.encode(
    traceId,
    spans,
    spans.map(() => origin),
  );
  enc.setPrev(0, prevRef);
  return arena.append(
    enc.buf,
    0,
    enc.recEnd[0]!,
    REC_COMPLEX_BASE,
    0,
    enc.recComplexTo[0]!,
    enc.recComplexBytes[0]!,
    0,
  );
}

describe('record codec', () => {
  it('round-trips spans with every optional field absent or present, across records of a trace', () => {
    const rnd = rng(11);
    const { dict, arena, enc, origins, origin } = parts();
    const traceId = tid(1);
    const records: Span[][] = [];
    let lastRef = -1;
    for (let r = 0; r < 40; r++) {
      const spans = Array.from({ length: 1 + Math.floor(rnd() * 4) }, (_, i) => randomSpan(rnd, traceId, r * 10 + i));
      lastRef = store(arena, enc, traceId, spans, origin, lastRef);
      records.push(spans);
    }
    // the trace walk: newest record first, each record's spans in order
    const cur = new SpanCursor(arena);
    const expected = [...records].reverse().flat();
    const got = [];
    cur.trace(lastRef);
    while (cur.next()) got.push(decodeSpan(cur, traceId, dict, origins));
    expect(got.length).toBe(expected.length);
    for (let i = 0; i < got.length; i++) {
      const { resource, serviceName, scope, ...span } = got[i]!;
      expect(span).toEqual(expected[i]);
      expect(serviceName).toBe('svc');
      expect(resource).toBe(origin.resource);
      expect(scope).toBe(origin.scope);
    }
  });

  it('a plain span stores none of the optional fields and decodes them as their defaults', () => {
    const { dict, arena, enc, origins, origin } = parts();
    const span = testSpan({ traceId: tid(2), spanId: sid(1), startMs: T0_NS / 1e6, flags: 0 });
    const ref = store(arena, enc, tid(2), [span], origin, -1);
    const cur = new SpanCursor(arena);
    cur.record(ref);
    expect(cur.nextInRecord()).toBe(true);
    expect([cur.flagsAt, cur.traceStateAt, cur.statusMsgAt, cur.droppedAt, cur.eventsAt(), cur.linksAt()]).toEqual([
      -1, -1, -1, -1, -1, -1,
    ]);
    expect(cur.end - cur.p).toBe(12); // the fixed words only
    const back = decodeSpan(cur, tid(2), dict, origins);
    expect(back).toEqual({ ...span, resource: origin.resource, serviceName: 'svc', scope: origin.scope });
    expect(cur.nextInRecord()).toBe(false);
    expect(cur.prevRef).toBe(-1);
  });

  it("the walker's skips land where decoding every field ends", () => {
    const rnd = rng(5);
    const { dict, arena, enc, origin } = parts();
    const spans = Array.from({ length: 300 }, (_, i) => randomSpan(rnd, tid(3), i));
    const ref = store(arena, enc, tid(3), spans, origin, -1);
    const cur = new SpanCursor(arena);
    cur.record(ref);
    let checked = 0;
    for (const span of spans) {
      expect(cur.nextInRecord()).toBe(true);
      const { u32, seg, complexBase } = cur;
      const attrs: KeyValue[] = [];
      const attrsEnd = decodeAttributes(seg, cur.attrsAt, cur.nAttrs, complexBase, dict, attrs);
      expect(attrs).toEqual(span.attributes);
      expect(skipAttrs(u32, cur.attrsAt, cur.nAttrs)).toBe(attrsEnd);
      let o = attrsEnd;
      expect(cur.eventsAt()).toBe(span.events.length > 0 ? attrsEnd : -1);
      if (span.events.length > 0) {
        expect(u32[o]).toBe(span.events.length);
        o++;
        for (const ev of span.events) {
          const evAttrs: KeyValue[] = [];
          o = decodeAttributes(seg, eventAttrsAt(o), eventAttrCount(u32, o), complexBase, dict, evAttrs);
          expect(evAttrs).toEqual(ev.attributes);
        }
      }
      expect(cur.linksAt()).toBe(span.links.length > 0 ? o : -1);
      if (span.links.length === 0) expect(o).toBe(cur.end);
      else expect(o).toBeLessThan(cur.end);
      checked++;
    }
    expect(checked).toBe(300);
    expect(cur.nextInRecord()).toBe(false);
    expect(cur.end).toBe(arena.usage().wordsUsed);
  });
});
