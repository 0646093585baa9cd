// What a test suite needs from outside the project (Prometheus, Chromium, the shared conformance
// scripts) and what happens when it is missing: on a developer's machine the suite is skipped with
// a loud warning; under CI (the CI environment variable set) it fails, because a skipped suite
// there would pass a run that never exercised the oracle.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';
import { packageRoot } from '../../src/server/paths.js';
import { PROMETHEUS_BIN } from '../../src/api/prometheus/testing/prometheus-process.js';

export interface Need {
  /** what is needed, as the warning names it */
  readonly what: string;
  readonly present: boolean;
  /** how to get it */
  readonly hint: string;
}

/** CI is set to anything but empty, "0" or "false" (GitHub, GitLab and most runners set "true"). */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env['CI'];
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/**
 * The folder of shared conformance data: ORRERY_CONFORMANCE_DIR, else ../shared/conformance beside
 * the package root. Every test reading conformance data resolves it here.
 */
export function conformanceDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env['ORRERY_CONFORMANCE_DIR'];
  return configured
    ? path.resolve(packageRoot(), configured)
    : path.resolve(packageRoot(), '..', 'shared', 'conformance');
}

export function fileNeed(what: string, file: string, hint: string): Need {
  return { what: `${what} (${file})`, present: existsSync(file), hint };
}

export const needPrometheus = (): Need =>
  fileNeed('Prometheus 2.42', PROMETHEUS_BIN, 'apt-get install --no-install-recommends prometheus');

export const CHROMIUM_BIN = '/usr/bin/chromium';
export const needChromium = (): Need =>
  fileNeed('Chromium', CHROMIUM_BIN, 'apt-get install --no-install-recommends chromium');

/** Prometheus 2.42's PromQL test scripts in the shared conformance folder. */
export const needPromqlConformance = (): Need =>
  fileNeed(
    "Prometheus 2.42's PromQL test scripts",
    path.join(conformanceDir(), 'promql-v2.42'),
    'clone the project beside the shared folder, or set ORRERY_CONFORMANCE_DIR to the folder holding promql-v2.42/',
  );

export type Decision = { run: true } | { run: false; fail: boolean; message: string };

/** Whether a suite needing `needs` runs, is skipped (no CI) or fails (CI). */
export function decide(needs: readonly Need[], ci = inCi()): Decision {
  const missing = needs.filter((n) => !n.present);
  if (missing.length === 0) return { run: true };
  const message = missing.map((n) => `${n.what} is missing: ${n.hint}`).join('; ');
  return { run: false, fail: ci, message };
}

/**
 * describe() for a suite that needs `needs`. When something is missing: under CI one failing test
 * in place of the suite, naming what is missing; otherwise the suite is skipped with a warning.
 */
export function describeNeeding(needs: readonly Need[]): (name: string, body: () => void) => void {
  const d = decide(needs);
  return (name, body) => {
    if (d.run) return describe(name, body);
    if (d.fail) {
      return describe(name, () => {
        it('has what it needs (CI is set, so a missing tool fails instead of skipping)', () => {
          throw new Error(`${name}: ${d.message}`);
        });
      });
    }
    const bar = '!'.repeat(100);
    console.warn(`\n${bar}\n!!! SKIPPING "${name}": ${d.message}\n!!! (with CI set this suite fails)\n${bar}\n`);
    return describe.skip(name, body);
  };
}
