// Runs Prometheus 2.42's own PromQL test scripts (kept outside the project, in the shared
// conformance folder: ORRERY_CONFORMANCE_DIR) through the engine; every eval must pass. Without
// the scripts the suite is skipped with a warning, and fails under CI.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runTestFile } from './test-runner.js';
import {
  conformanceDir as sharedConformanceDir,
  describeNeeding,
  needPromqlConformance,
} from '../../test/support/needs.js';

const conformanceDir = path.join(sharedConformanceDir(), 'promql-v2.42');
const present = existsSync(conformanceDir);

describeNeeding([needPromqlConformance()])('PromQL conformance (Prometheus 2.42 promql/testdata)', () => {
  const files = present
    ? readdirSync(conformanceDir)
        .filter((f) => f.endsWith('.test'))
        .sort()
    : [];

  it('finds the test scripts', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const f of files) {
    it(f, async () => {
      const r = await runTestFile(path.join(conformanceDir, f));
      const report = r.failed.map((x) => `${path.basename(x.file)}:${x.line}: ${x.message}`);
      expect(report, `${r.passed} passed, ${r.failed.length} failed`).toEqual([]);
      expect(r.passed).toBeGreaterThan(0);
    });
  }
});
