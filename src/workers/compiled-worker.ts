// Where a worker thread's script is. Built, a worker's .js sits beside the module that starts it.
// Run from the TypeScript sources (vitest), that module is a .ts file under src/, and the worker
// must come from dist/: usable only when it exists and is not older than the sources it was
// compiled from, or a test would run yesterday's code in the worker.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageRoot } from '../server/paths.js';

/** The worker's script, or why it cannot be used (the message names the command that fixes it). */
export type CompiledWorker = { readonly url: URL } | { readonly problem: string };

/**
 * The compiled `worker` (a path relative to the calling module, e.g. './worker.js') of the module
 * at `moduleUrl` (its import.meta.url); from sources, `sourceDirs` (relative to the package root)
 * are the sources the worker is compiled from.
 */
export function compiledWorker(moduleUrl: string, worker: string, sourceDirs: readonly string[]): CompiledWorker {
  if (moduleUrl.endsWith('.js')) return { url: new URL(worker, moduleUrl) };
  const root = packageRoot();
  const here = path.relative(root, path.dirname(fileURLToPath(moduleUrl)));
  const compiled = path.join(root, 'dist', here, worker);
  if (!existsSync(compiled)) return { problem: `${compiled} is missing: run npm run build:server` };
  for (const dir of sourceDirs) {
    const stale = staleSource(root, dir);
    if (stale) return { problem: `dist/ is older than ${stale}: run npm run build:server` };
  }
  return { url: pathToFileURL(compiled) };
}

/** The worker's URL; throws when it cannot be used. */
export function requireCompiledWorker(moduleUrl: string, worker: string, sourceDirs: readonly string[]): URL {
  const w = compiledWorker(moduleUrl, worker, sourceDirs);
  if ('problem' in w) throw new Error(w.problem);
  return w.url;
}

/** A .ts source under dir whose compiled .js in dist/ is missing or older, if any. */
function staleSource(root: string, dir: string): string | undefined {
  for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) {
      const s = staleSource(root, rel);
      if (s) return s;
      continue;
    }
    if (!e.name.endsWith('.ts') || e.name.endsWith('.test.ts')) continue;
    const out = path.join(root, 'dist', rel.replace(/\.ts$/, '.js'));
    if (!existsSync(out) || statSync(out).mtimeMs < statSync(path.join(root, rel)).mtimeMs) return rel;
  }
  return undefined;
}
