import { describe, expect, it } from 'vitest';
import { hexWord } from './arena.js';
import { TraceTable, traceIdHash } from './trace-table.js';

/** The 32-hex-digit trace ID of n. */
const id = (n: number): string => n.toString(16).padStart(32, '0');

function hashOfId(traceId: string): number {
  const w = new Uint32Array(4);
  for (let k = 0; k < 4; k++) w[k] = hexWord(traceId, 8 * k);
  return traceIdHash(w, 0);
}

/** Two trace IDs with the same 30-bit hash (a birthday search: ~2^15 tries). */
function collidingIds(): [string, string] {
  const seen = new Map<number, string>();
  for (let n = 1; ; n++) {
    const t = id(n * 2654435761);
    const other = seen.get(hashOfId(t));
    if (other !== undefined) return [other, t];
    seen.set(hashOfId(t), t);
  }
}

describe('TraceTable', () => {
  it('keeps rows by ordinal across growth and the shift of dropped rows', () => {
    const table = new TraceTable(4);
    for (let i = 0; i < 10; i++) {
      const ord = table.add(id(i), 1000 + i);
      table.start[ord - table.base] = i * 10;
    }
    expect(table.capacity).toBe(16);
    for (let i = 0; i < 9; i++) expect(table.dropOldest()).toBe(i);
    expect(table.ordOf(id(0))).toBeUndefined();
    // more rows than capacity: the dead half is shifted out instead of growing again
    for (let i = 10; i < 20; i++) table.add(id(i), 1000 + i);
    expect(table.capacity).toBe(16);
    expect(table.base).toBeGreaterThan(0);
    expect(table.size).toBe(11);
    expect(table.ordOf(id(9))).toBe(9);
    expect(table.idOf(9)).toBe(id(9));
    expect(table.idOf(19)).toBe(id(19));
    expect(table.start[9 - table.base]).toBe(90);
    expect(table.firstSeen[19 - table.base]).toBe(1019);
    expect(table.isLive(8)).toBe(false);
    expect(table.isLive(19)).toBe(true);
    expect(table.isLive(20)).toBe(false);
  });

  it('finds trace IDs by their words as a record holds them, and forgets dropped ones', () => {
    const table = new TraceTable();
    // enough IDs that some hashes collide
    const ids = Array.from({ length: 50_000 }, (_, i) => id(0x9e3779b1 * (i + 1)));
    for (const t of ids) table.add(t, 0);
    const words = new Uint32Array(6);
    const found = ids.map((t) => {
      for (let k = 0; k < 4; k++) words[2 + k] = hexWord(t, 8 * k);
      return table.ordOfWords(words, 2);
    });
    expect(found).toEqual(ids.map((_, i) => i));
    expect(table.ordOf(id(12345))).toBeUndefined();
    for (let i = 0; i < 25_000; i++) table.dropOldest();
    expect(ids.map((t) => table.ordOf(t))).toEqual(ids.map((_, i) => (i < 25_000 ? undefined : i)));
  });

  it('tells apart IDs whose hashes collide, while either is live', () => {
    const [a, b] = collidingIds();
    expect(a).not.toBe(b);
    const table = new TraceTable();
    expect(table.add(a, 0)).toBe(0);
    expect(table.add(b, 0)).toBe(1);
    expect(table.ordOf(a)).toBe(0);
    expect(table.ordOf(b)).toBe(1);
    table.dropOldest();
    expect(table.ordOf(a)).toBeUndefined();
    expect(table.ordOf(b)).toBe(1);
    // a third ID of that hash takes the freed place; b is still found
    const c = table.add(a, 0);
    expect(table.ordOf(a)).toBe(c);
    expect(table.ordOf(b)).toBe(1);
    table.dropOldest();
    expect(table.ordOf(b)).toBeUndefined();
    expect(table.ordOf(a)).toBe(c);
  });

  it('finds a re-added ID at its newest row', () => {
    const table = new TraceTable();
    const [a, b] = collidingIds();
    table.add(a, 0);
    table.add(b, 0);
    expect(table.add(a, 0)).toBe(2);
    expect(table.add(b, 0)).toBe(3);
    expect(table.ordOf(a)).toBe(2);
    expect(table.ordOf(b)).toBe(3);
    // dropping the old rows keeps the new ones found
    table.dropOldest();
    table.dropOldest();
    expect(table.ordOf(a)).toBe(2);
    expect(table.ordOf(b)).toBe(3);
  });

  it('marks each trace checked once per search generation', () => {
    const table = new TraceTable();
    const a = table.add(id(1), 0);
    const b = table.add(id(2), 0);
    table.nextGeneration();
    expect(table.markChecked(a)).toBe(false);
    expect(table.markChecked(a)).toBe(true);
    expect(table.markChecked(b)).toBe(false);
    table.nextGeneration();
    expect(table.markChecked(a)).toBe(false);
  });
});
