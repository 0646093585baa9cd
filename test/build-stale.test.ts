// scripts/build.mjs decides what `npm start`, `npm test` and the tests' global setup rebuild: an
// output older than its source (or missing) is stale, a fresh one is left alone.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { staleConsole, staleServer } from '../scripts/build.mjs';

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Sets the modification time of a file to ageS seconds ago. */
function age(rel: string, ageS: number): void {
  const t = Date.now() / 1000 - ageS;
  utimesSync(path.join(root, rel), t, t);
}

function file(rel: string, ageS: number): void {
  const p = path.join(root, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, '');
  age(rel, ageS);
}

function project(): void {
  root = mkdtempSync(path.join(tmpdir(), 'orrery-build-'));
  writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({ include: ['src/**/*.ts', 'demo/**/*.ts'] }));
  age('tsconfig.json', 1000);
}

describe('staleServer', () => {
  it('is empty when every output is newer than its source', () => {
    project();
    file('src/a.ts', 100);
    file('src/a.test.ts', 1); // tests are not compiled
    file('demo/b/c.ts', 100);
    file('dist/src/a.js', 50);
    file('dist/demo/b/c.js', 50);
    expect(staleServer(root)).toEqual([]);
  });

  it('names a missing output and one older than its source or than tsconfig.json', () => {
    project();
    file('src/a.ts', 10);
    file('dist/src/a.js', 50);
    file('demo/b/c.ts', 100);
    expect(staleServer(root)).toEqual(['dist/src/a.js is older than src/a.ts', 'dist/demo/b/c.js is missing']);
    file('dist/src/a.js', 5);
    file('dist/demo/b/c.js', 5);
    age('tsconfig.json', 1);
    expect(staleServer(root)).toEqual([
      'dist/src/a.js is older than tsconfig.json',
      'dist/demo/b/c.js is older than tsconfig.json',
    ]);
  });
});

describe('staleConsole', () => {
  it('is stale when console/dist is missing or older than a console source', () => {
    project();
    file('console/src/app.tsx', 100);
    file('console/vite.config.ts', 100);
    expect(staleConsole(root)).toBe('console/dist/index.html is missing');
    file('console/dist/index.html', 50);
    expect(staleConsole(root)).toBeUndefined();
    file('console/src/model/units.ts', 10);
    expect(staleConsole(root)).toBe('console/dist is older than console/src/model/units.ts');
  });
});
