import { describe, expect, it } from 'vitest';
import { CHUNK, Posting, TermIndex } from './postings.js';

describe('TermIndex', () => {
  it('grows from a bare ordinal to a list, skipping repeats of the last trace', () => {
    const idx = new TermIndex(() => 0);
    expect(idx.add(1, 5, 0, 0, 0)).toBe(true);
    expect(idx.get(1)).toBe(5);
    expect(idx.add(1, 5, 0, 0, 0)).toBe(false);
    expect(idx.add(1, 6, 0, 0, 0)).toBe(true);
    for (let o = 7; o < 7 + 100; o++) idx.add(1, o, 0, 0, 0);
    const p = idx.get(1) as Posting;
    expect(p.live).toBe(102);
    expect(p.ordAt(0)).toBe(5);
    expect(p.ordAt(101)).toBe(106);
    expect(idx.entries).toBe(102);
  });

  it('counts a one-trace term taken over by a new trace after its trace was dropped once', () => {
    const idx = new TermIndex(() => 0);
    idx.add(7, 1, 0, 0, 0);
    expect(idx.entries).toBe(1);
    idx.firstLive = 2; // trace 1 dropped, its entry not swept yet
    expect(idx.add(7, 3, 0, 0, 0)).toBe(true);
    expect(idx.get(7)).toBe(3);
    expect(idx.entries).toBe(1);
  });

  it('bounds a chunk by the first and last span start of a record as by its spans one at a time', () => {
    const bySpan = new TermIndex((ord) => ord);
    const byRecord = new TermIndex((ord) => ord);
    for (let o = 0; o < 3 * CHUNK; o++) {
      // three spans per trace, unordered starts
      const starts = [o * 10 + 5, o * 10 + 1, o * 10 + 9];
      for (const s of starts) bySpan.add(4, o, o, s, s);
      byRecord.add(4, o, o, Math.min(...starts), Math.max(...starts));
    }
    const a = bySpan.get(4) as Posting;
    const b = byRecord.get(4) as Posting;
    expect(b.minSpan!.length).toBe(3);
    // chunks 0 and 1 were bounded when the list grew long (span starts unknown); chunk 2 after
    expect(b.minSpan![2]).toBe(2 * CHUNK * 10 + 1);
    expect(b.maxSpan![2]).toBe((3 * CHUNK - 1) * 10 + 9);
    for (const k of ['maxStart', 'prefMaxStart', 'minSpan', 'maxSpan', 'prefMaxSpan'] as const)
      expect(b[k]).toEqual(a[k]);
  });

  it('decodes ordinals past 2^32 and sweeps dead entries', () => {
    const base = 2 ** 32 - 50;
    const idx = new TermIndex((ord) => ord);
    idx.firstLive = base;
    for (let o = base; o < base + 1000; o++) idx.add(9, o, o, o, o);
    const p = idx.get(9) as Posting;
    expect(p.maxStart).toBeDefined();
    expect(p.ordAt(999)).toBe(base + 999);
    expect(p.prefMaxStart!.at(-1)).toBe(base + 999);
    idx.firstLive = base + 600;
    idx.sweep(base + 1000, 100);
    expect(p.live).toBe(400);
    // whole chunks were cut; the rest still decode
    expect(p.head % CHUNK).toBe(p.head);
    expect(p.ordAt(p.head)).toBe(base + 600);
    expect(p.ordAt(p.len - 1)).toBe(base + 999);
    idx.firstLive = base + 1000;
    idx.sweep(base + 1000, 100);
    expect(idx.get(9)).toBeUndefined();
    expect(idx.entries).toBe(0);
  });

  it('keeps entries out of arrival order and far apart exactly, through sweeps and compaction', () => {
    const idx = new TermIndex((ord) => ord);
    // a trace getting spans again after newer ones, and jumps of every varint length
    const ords: number[] = [];
    for (let o = 0; ords.length < 5 * CHUNK + 17; o++) {
      ords.push(10 * o);
      if (o % 7 === 3) ords.push(10 * o - 25);
      if (o % 50 === 49) ords.push(10 * o + 2 ** 35 + 1, 10 * o + 2);
    }
    // no entry repeats the one before (a repeat is not stored)
    for (const o of ords) expect(idx.add(5, o, o, o, o)).toBe(true);
    const p = idx.get(5) as Posting;
    expect(p.len).toBe(ords.length);
    for (let i = 0; i < ords.length; i++) expect(p.ordAt(i)).toBe(ords[i]);
    // sweeping stops at the first live entry; compaction keeps whole chunks
    const firstLive = ords[3 * CHUNK + 5]! - 1;
    idx.firstLive = firstLive;
    idx.sweep(2 ** 40, 10);
    let head = 0;
    while (ords[head]! < firstLive) head++;
    expect(p.live).toBe(ords.length - head);
    const cut = ords.length - p.len;
    expect(cut % CHUNK).toBe(0);
    for (let i = p.head; i < p.len; i++) expect(p.ordAt(i)).toBe(ords[i + cut]);
    // appends after compaction decode too
    idx.add(5, 2 ** 36, 2 ** 36, 0, 0);
    expect(p.ordAt(p.len - 1)).toBe(2 ** 36);
  });

  it('rewrites a short list without its dead prefix', () => {
    const idx = new TermIndex((ord) => ord);
    for (let o = 0; o < 100; o++) idx.add(3, o, o, o, o);
    idx.firstLive = 60;
    idx.sweep(100, 10);
    const p = idx.get(3) as Posting;
    expect(p.len).toBe(40);
    expect(p.head).toBe(0);
    for (let i = 0; i < 40; i++) expect(p.ordAt(i)).toBe(60 + i);
    expect(idx.entries).toBe(40);
    idx.add(3, 100, 100, 0, 0);
    expect(p.ordAt(40)).toBe(100);
  });
});

describe('Posting', () => {
  it('keeps its place among the live entries when a short list with a dead prefix becomes a long one', () => {
    const p = new Posting(1_000_000, 1_000_001);
    for (let o = 1_000_002; o < 1_000_010; o++) p.push(o);
    // traces below 1,000,003 dropped: three dead entries, too few to compact the list
    expect(p.advanceHead(1_000_003)).toBe(3);
    expect(p.compact()).toBe(0);
    // past the short list's size: the entries are written as varint differences, head kept
    for (let o = 1_000_010; o < 1_000_040; o++) p.push(o);
    expect(p.small).toBeUndefined();
    expect(p.head).toBe(3);
    // two more dropped: head moves by exactly two, the 35 others stay live
    expect(p.advanceHead(1_000_005)).toBe(2);
    expect(p.live).toBe(35);
    expect(p.ordAt(p.head)).toBe(1_000_005);
  });
});
