import { describe, expect, it } from 'vitest';
import { TraceTable } from './trace-table.js';

describe('TraceTable', () => {
  it('keeps rows by ordinal across growth and the shift of dropped rows', () => {
    const table = new TraceTable(4);
    for (let i = 0; i < 10; i++) {
      const ord = table.add(`t${i}`, 1000 + i);
      table.start[ord - table.base] = i * 10;
    }
    expect(table.capacity).toBe(16);
    for (let i = 0; i < 9; i++) expect(table.dropOldest()).toBe(i);
    expect(table.ordOf('t0')).toBeUndefined();
    // more rows than capacity: the dead half is shifted out instead of growing again
    for (let i = 10; i < 20; i++) table.add(`t${i}`, 1000 + i);
    expect(table.capacity).toBe(16);
    expect(table.base).toBeGreaterThan(0);
    expect(table.size).toBe(11);
    expect(table.ordOf('t9')).toBe(9);
    expect(table.idOf(9)).toBe('t9');
    expect(table.start[9 - table.base]).toBe(90);
    expect(table.firstSeen[19 - table.base]).toBe(1019);
    expect(table.isLive(8)).toBe(false);
    expect(table.isLive(19)).toBe(true);
    expect(table.isLive(20)).toBe(false);
  });

  it('marks each trace checked once per search generation', () => {
    const table = new TraceTable();
    const a = table.add('a', 0);
    const b = table.add('b', 0);
    table.nextGeneration();
    expect(table.markChecked(a)).toBe(false);
    expect(table.markChecked(a)).toBe(true);
    expect(table.markChecked(b)).toBe(false);
    table.nextGeneration();
    expect(table.markChecked(a)).toBe(false);
  });
});
