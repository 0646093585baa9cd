// `orrery promql-test <dir|file.test>...`: runs Prometheus's PromQL test scripts against the
// engine, prints one line per failing eval (file:line: reason) and a final "N passed, M failed".
import { stat } from 'node:fs/promises';
import { runTestDir, runTestFile, type TestResult } from '../../promql/test-runner.js';

const USAGE = `Usage: orrery promql-test <dir|file.test>...

Runs every .test file (Prometheus's promql/testdata format) in the given directories, or the
given files, against the PromQL engine. Prints each failing eval as file:line: reason, then
"N passed, M failed". Exit code 0 when nothing failed, 1 otherwise, 2 on usage errors.`;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const targets = argv.filter((a) => !a.startsWith('-'));
  const unknown = argv.filter((a) => a.startsWith('-'));
  if (unknown.length > 0 || targets.length === 0) {
    console.error(unknown.length > 0 ? `orrery promql-test: unknown option ${unknown[0]}\n` : '');
    console.error(USAGE);
    return 2;
  }
  const total: TestResult = { passed: 0, failed: [] };
  for (const target of targets) {
    let isDir: boolean;
    try {
      isDir = (await stat(target)).isDirectory();
    } catch {
      console.error(`orrery promql-test: cannot read ${target}`);
      return 2;
    }
    const r = isDir ? await runTestDir(target) : await runTestFile(target);
    total.passed += r.passed;
    total.failed.push(...r.failed);
  }
  for (const f of total.failed) console.log(`${f.file}:${f.line}: ${f.message}`);
  console.log(`${total.passed} passed, ${total.failed.length} failed`);
  return total.failed.length === 0 ? 0 : 1;
}
