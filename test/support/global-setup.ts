// Vitest global setup: tests that run dist/ (the built bin, the supervisor's child guard, the
// shop's services) or console/dist (the browser tests) must never run an old build. Whatever is
// older than its source is rebuilt here by the same script `npm start` uses; when the rebuild
// fails, the run fails with the compiler's output.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../../src/server/paths.js';

export default function setup(): void {
  const script = path.join(packageRoot(), 'scripts', 'build.mjs');
  const r = spawnSync(process.execPath, [script], { cwd: packageRoot(), encoding: 'utf8' });
  const output = `${r.stdout}${r.stderr}`.trim();
  if (r.status !== 0) {
    throw new Error(`dist/ or console/dist is older than its source and rebuilding it failed:\n${output}`);
  }
  if (!output.startsWith('build: up to date')) console.log(output);
}
