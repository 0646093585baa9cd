// The built backend bin for tests that run it as a child process. dist/ is never stale here: the
// test run's global setup (test/support/global-setup.ts) rebuilds what is older than its sources
// and fails the run when that build fails.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const ORRERY_BIN = path.join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'main.js');
