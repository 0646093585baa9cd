import { describe, expect, it } from 'vitest';
import { Catalogue } from './catalogue.js';
import { RecordEncoder, SpanCursor } from './codec.js';
import { Dictionary, hashString } from './intern.js';
import { hashInt32, RecordFacts } from './record-facts.js';
import { attrTerm, operationTerm, serviceTerm } from './terms.js';
import { batch, rng, sid, span, tid } from './testdata.js';

describe('hashInt32', () => {
  it('hashes an int32 as hashString hashes its decimal text', () => {
    const next = rng(7);
    const values = [0, 1, -1, 9, 10, 99, 100, 999999999, 1000000000, -1000000000, 2 ** 31 - 1, -(2 ** 31)];
    for (let i = 0; i < 2000; i++)
      values.push(Math.floor(next() * 2 ** 32) - 2 ** 31, Math.floor(next() * 2000) - 1000);
    for (const n of values) expect(hashInt32(n)).toBe(hashString(String(n)));
  });
});

describe('RecordFacts', () => {
  it('gives each distinct term of a record once, with the first and last start of its spans', () => {
    const dict = new Dictionary(1000);
    const catalogue = new Catalogue(dict.strs);
    const spans = [30, 10, 20, 40].map((ms, i) =>
      span({
        traceId: tid(1),
        spanId: sid(i + 1),
        name: i === 3 ? 'other' : 'op',
        startMs: ms,
        attributes: { 'http.status_code': i === 1 ? 500 : 200, 'request.id': `r${i}` },
      }),
    );
    const b = batch({ service: 'shop', spans });
    const origin = catalogue.originOf(b.resourceSpans[0]!, b.resourceSpans[0]!.scopeSpans[0]!);
    const enc = new RecordEncoder(dict);
    enc.begin();
    enc.encode(
      tid(1),
      spans,
      spans.map(() => origin),
    );
    const buf = enc.buf;
    const seg = {
      seq: 0,
      resident: true,
      sealed: false,
      u32: buf.u32,
      bytes: buf.bytes,
      used: buf.len,
      maxOrd: 0,
      complex: buf.complex,
      complexBytes: 0,
      packed: undefined,
    };
    const cur = new SpanCursor();
    cur.at(seg, enc.recAt[0]!);
    const facts = new RecordFacts(dict, catalogue.origins);
    facts.read(cur);
    const got = new Map<number, [number, number]>();
    for (let i = 0; i < facts.nTerms; i++) {
      expect(got.has(facts.terms[i]!)).toBe(false);
      got.set(facts.terms[i]!, [facts.termMin[i]!, facts.termMax[i]!]);
    }
    const ns = (ms: number): number => ms * 1e6;
    const serviceId = origin.serviceId;
    expect(got.get(serviceTerm(serviceId))).toEqual([ns(10), ns(40)]);
    expect(got.get(operationTerm(serviceId, dict.strs.get('op')!))).toEqual([ns(10), ns(30)]);
    expect(got.get(operationTerm(serviceId, dict.strs.get('other')!))).toEqual([ns(40), ns(40)]);
    expect(got.get(attrTerm('http.status_code', '200'))).toEqual([ns(20), ns(40)]);
    expect(got.get(attrTerm('http.status_code', '500'))).toEqual([ns(10), ns(10)]);
    expect(got.get(attrTerm('request.id', 'r2'))).toEqual([ns(20), ns(20)]);
    expect(facts.spans).toBe(4);
    expect(facts.minStart).toBe(ns(10));
  });

  it('grows its term set past its first capacity', () => {
    const dict = new Dictionary(1000);
    const catalogue = new Catalogue(dict.strs);
    const attributes: Record<string, string> = {};
    for (let k = 0; k < 700; k++) attributes[`k${k}`] = `v${k}`;
    const spans = [span({ traceId: tid(2), spanId: sid(1), startMs: 5, attributes })];
    const b = batch({ service: 'shop', spans });
    const origin = catalogue.originOf(b.resourceSpans[0]!, b.resourceSpans[0]!.scopeSpans[0]!);
    const enc = new RecordEncoder(dict);
    enc.begin();
    enc.encode(tid(2), spans, [origin]);
    const buf = enc.buf;
    const seg = { seq: 0, resident: true, sealed: false, u32: buf.u32, bytes: buf.bytes, used: buf.len };
    const cur = new SpanCursor();
    const facts = new RecordFacts(dict, catalogue.origins);
    for (let round = 0; round < 2; round++) {
      cur.at({ ...seg, maxOrd: 0, complex: buf.complex, complexBytes: 0, packed: undefined }, enc.recAt[0]!);
      facts.read(cur);
      // 700 attributes, service, operation, kind, one duration class (1 ms)
      expect(facts.nTerms).toBe(704);
      const terms = new Set(Array.from(facts.terms.subarray(0, facts.nTerms)));
      expect(terms.size).toBe(704);
      for (let k = 0; k < 700; k += 97) expect(terms.has(attrTerm(`k${k}`, `v${k}`))).toBe(true);
    }
  });
});
