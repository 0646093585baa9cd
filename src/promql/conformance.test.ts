// Runs Prometheus 2.42's own PromQL test scripts (kept outside the project, in the shared
// checkout beside it) through the engine; every eval must pass.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTestFile } from './test-runner.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const conformanceDir = path.resolve(projectRoot, '../shared/conformance/promql-v2.42');
const present = existsSync(conformanceDir);

if (!present) {
  console.warn(
    `\n!!! PromQL conformance SKIPPED: ${conformanceDir} is absent. ` +
      'Clone the project with the shared directory beside it to run Prometheus 2.42 test scripts. !!!\n',
  );
}

describe.skipIf(!present)('PromQL conformance (Prometheus 2.42 promql/testdata)', () => {
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
