// The built `orrery` bin for tests that run it as a child process: dist/ is rebuilt (tsc, as
// `npm run build:server`) when it is missing or older than any source file, never just warned about.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const ORRERY_BIN = path.join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'main.js');

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Returns the path of dist/src/cli/main.js, compiling first when it is stale; throws when the build fails. */
export function builtOrreryBin(): string {
  const fresh = existsSync(ORRERY_BIN) && statSync(ORRERY_BIN).mtimeMs >= newestMtime(path.join(PACKAGE_ROOT, 'src'));
  if (fresh) return ORRERY_BIN;
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(ORRERY_BIN))
    throw new Error(`npm run build:server failed:\n${r.stdout}\n${r.stderr}`);
  return ORRERY_BIN;
}
