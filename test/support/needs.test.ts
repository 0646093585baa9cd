// A suite that needs a tool fails under CI and is skipped (with a warning) without CI; the
// conformance folder comes from ORRERY_CONFORMANCE_DIR. The end-to-end case runs vitest on the
// parser's conformance test with the folder pointed somewhere empty.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../../src/server/paths.js';
import { conformanceDir, decide, inCi, type Need } from './needs.js';

const missing: Need = { what: 'frobnicator (/usr/bin/frob)', present: false, hint: 'apt-get install frob' };
const present: Need = { what: 'node', present: true, hint: '' };

describe('decide', () => {
  it('runs when everything is present, CI or not', () => {
    expect(decide([present], true)).toEqual({ run: true });
    expect(decide([present], false)).toEqual({ run: true });
  });

  it('fails under CI and skips otherwise when something is missing, naming it', () => {
    expect(decide([present, missing], true)).toEqual({
      run: false,
      fail: true,
      message: 'frobnicator (/usr/bin/frob) is missing: apt-get install frob',
    });
    expect(decide([missing], false)).toMatchObject({ run: false, fail: false });
  });
});

describe('inCi', () => {
  it.each([
    [{ CI: 'true' }, true],
    [{ CI: '1' }, true],
    [{ CI: 'woodpecker' }, true],
    [{}, false],
    [{ CI: '' }, false],
    [{ CI: '0' }, false],
    [{ CI: 'false' }, false],
  ])('%j → %s', (env, expected) => {
    expect(inCi(env)).toBe(expected);
  });
});

describe('conformanceDir', () => {
  it('defaults to ../shared/conformance beside the package and honours ORRERY_CONFORMANCE_DIR', () => {
    expect(conformanceDir({})).toBe(path.resolve(packageRoot(), '../shared/conformance'));
    expect(conformanceDir({ ORRERY_CONFORMANCE_DIR: '/data/conf' })).toBe('/data/conf');
    expect(conformanceDir({ ORRERY_CONFORMANCE_DIR: 'conf' })).toBe(path.join(packageRoot(), 'conf'));
  });
});

describe('a conformance suite without its scripts', () => {
  const runParserConformance = (ci: string): { status: number | null; out: string } => {
    const r = spawnSync(
      process.execPath,
      [path.join(packageRoot(), 'node_modules/vitest/vitest.mjs'), 'run', 'src/promql/parser/conformance.test.ts'],
      {
        cwd: packageRoot(),
        encoding: 'utf8',
        env: { ...process.env, CI: ci, ORRERY_CONFORMANCE_DIR: '/nonexistent/orrery-conformance' },
        timeout: 120_000,
      },
    );
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };

  it('fails under CI, naming the folder and the variable', () => {
    const r = runParserConformance('true');
    expect(r.status, r.out).toBe(1);
    expect(r.out).toContain('/nonexistent/orrery-conformance/promql-v2.42');
    expect(r.out).toContain('ORRERY_CONFORMANCE_DIR');
  }, 150_000);

  it('is skipped with a warning without CI', () => {
    const r = runParserConformance('');
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/SKIPPING "conformance scripts parse"/);
    expect(r.out).toMatch(/skipped/);
  }, 150_000);
});
