import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dirBytes, resident } from './proc.js';

describe('resident', () => {
  it('reads this process’s resident memory, the peak at least the current', () => {
    const r = resident(process.pid);
    expect(r.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(r.hwmBytes).toBeGreaterThanOrEqual(r.rssBytes);
  });

  it('fails clearly for a process that does not exist', () => {
    expect(() => resident(2 ** 22 + 1)).toThrow(/status/);
  });
});

describe('dirBytes', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('sums the files under each top-level entry', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'demo-day-'));
    mkdirSync(path.join(dir, 'wal', 'sub'), { recursive: true });
    writeFileSync(path.join(dir, 'wal', 'a'), Buffer.alloc(100));
    writeFileSync(path.join(dir, 'wal', 'sub', 'b'), Buffer.alloc(50));
    writeFileSync(path.join(dir, 'annotations.json'), Buffer.alloc(7));
    const { total, byEntry } = dirBytes(dir);
    expect(total).toBe(157);
    expect(Object.fromEntries(byEntry)).toEqual({ wal: 150, 'annotations.json': 7 });
  });
});
