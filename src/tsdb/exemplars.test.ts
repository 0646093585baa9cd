import { describe, expect, it } from 'vitest';
import { ExemplarRing, ExemplarStorage } from './exemplars.js';
import { labelsFromRecord } from '../labels/labels.js';
import { newMatcher } from '../labels/matcher.js';

const ex = (id: string, t: number, value = 1) => ({ labels: labelsFromRecord({ trace_id: id }), value, t });

describe('ExemplarRing', () => {
  it('keeps the newest `capacity` exemplars, oldest first', () => {
    const r = new ExemplarRing(3);
    for (let i = 0; i < 7; i++) expect(r.add(ex('t' + i, i * 10))).toBe('ok');
    expect(r.length).toBe(3);
    expect(r.select(-Infinity, Infinity).map((e) => e.t)).toEqual([40, 50, 60]);
    expect(r.select(45, 55).map((e) => e.t)).toEqual([50]);
    expect(r.newest()!.t).toBe(60);
  });

  it('rejects out-of-order, ignores exact duplicates, accepts same-time different exemplars', () => {
    const r = new ExemplarRing(5);
    r.add(ex('a', 100));
    expect(r.add(ex('b', 50))).toBe('out_of_order');
    expect(r.add(ex('a', 100))).toBe('duplicate');
    expect(r.add(ex('c', 100))).toBe('ok');
    expect(r.length).toBe(2);
  });

  it('rejects label sets over 128 runes', () => {
    const r = new ExemplarRing(2);
    expect(r.add({ labels: labelsFromRecord({ trace_id: 'x'.repeat(121) }), value: 1, t: 1 })).toBe('too_long');
    expect(r.add({ labels: labelsFromRecord({ trace_id: 'x'.repeat(120), a: 'é' }), value: 1, t: 1 })).toBe('too_long');
    // 8 + 118 + 1 + 1 = 128 runes (the emoji is one rune, two UTF-16 units)
    expect(r.add({ labels: labelsFromRecord({ trace_id: 'x'.repeat(118), s: '😀' }), value: 1, t: 1 })).toBe('ok');
  });
});

describe('ExemplarStorage', () => {
  it('ORs matcher sets and truncates old rings', () => {
    const s = new ExemplarStorage(10);
    const a = labelsFromRecord({ __name__: 'a' });
    const b = labelsFromRecord({ __name__: 'b' });
    s.add('a', a, ex('1', 10));
    s.add('b', b, ex('2', 20));
    const sel = (n: string) => [newMatcher('=', '__name__', n)];
    expect(s.select([sel('a'), sel('b')], 0, 100).length).toBe(2);
    expect(s.select([sel('a')], 0, 100).length).toBe(1);
    s.truncate(15);
    expect(s.select([sel('a'), sel('b')], 0, 100).map((r) => r.seriesLabels)).toEqual([b]);
    expect(s.stats().ok).toBe(2);
  });
});
