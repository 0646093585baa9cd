#!/usr/bin/env node
// @ts-check
// Builds what is stale, and only that, so `npm start` starts in seconds once `npm install` /
// `npm ci` have built everything (the `prepare` script):
//   - dist/ (tsc): stale when a compiled source (tsconfig.json's include, tests excluded) is newer
//     than its dist/ .js, or tsconfig.json is newer than the oldest output. Rebuilt with
//     `tsc -b` (incremental); if that leaves an output older than its source (a source touched
//     but unchanged is not re-emitted), with a full `tsc -p`.
//   - console/dist (Vite): stale when console/src, its index.html, vite.config.ts, tsconfig.json
//     or package-lock.json is newer than console/dist/index.html.
// Plain JavaScript because it runs before anything is compiled. Used by npm start, npm test, the
// benchmarks and the tests' global setup (test/support/global-setup.ts).
//
//   node scripts/build.mjs [--server] [--check]
//     --server  dist/ only (the backend and the benchmarks do not need the console)
//     --check   build nothing; list what is stale and exit 1 if anything is
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** @param {string} file */
const mtime = (file) => statSync(file).mtimeMs;

/**
 * Every file under `dir` (recursively) that `keep` accepts.
 * @param {string} dir
 * @param {(file: string) => boolean} keep
 * @returns {string[]}
 */
function filesUnder(dir, keep) {
  if (!existsSync(dir)) return [];
  /** @type {string[]} */
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'dist') out.push(...filesUnder(p, keep));
    } else if (keep(p)) out.push(p);
  }
  return out;
}

/**
 * The folders tsconfig.json compiles, from its include patterns ("<dir>/**\/*.ts").
 * @param {string} root
 * @returns {string[]}
 */
function compiledDirs(root) {
  /** @type {{ include?: unknown, compilerOptions?: { outDir?: unknown } }} */
  const config = JSON.parse(readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
  if (!Array.isArray(config.include)) throw new Error('tsconfig.json has no include list');
  return config.include.map((pattern) => {
    const m = /^([\w./-]+)\/\*\*\/\*\.ts$/.exec(String(pattern));
    if (!m || !m[1]) throw new Error(`scripts/build.mjs understands include patterns "<dir>/**/*.ts", not ${pattern}`);
    return m[1];
  });
}

/**
 * Compiled sources whose dist/ output is missing or older than the source (or than tsconfig.json).
 * @param {string} [root]
 * @returns {string[]} one line per stale output, saying why
 */
export function staleServer(root = ROOT) {
  const config = mtime(path.join(root, 'tsconfig.json'));
  /** @type {string[]} */
  const stale = [];
  for (const dir of compiledDirs(root)) {
    const sources = filesUnder(
      path.join(root, dir),
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'),
    );
    for (const src of sources) {
      const rel = path.relative(root, src);
      const out = path.join(root, 'dist', rel.replace(/\.ts$/, '.js'));
      if (!existsSync(out)) stale.push(`dist/${path.relative(path.join(root, 'dist'), out)} is missing`);
      else {
        const t = mtime(out);
        if (t < mtime(src)) stale.push(`dist/${path.relative(path.join(root, 'dist'), out)} is older than ${rel}`);
        else if (t < config)
          stale.push(`dist/${path.relative(path.join(root, 'dist'), out)} is older than tsconfig.json`);
      }
    }
  }
  return stale;
}

/**
 * Why console/dist is stale, or undefined when it is fresh.
 * @param {string} [root]
 * @returns {string | undefined}
 */
export function staleConsole(root = ROOT) {
  const index = path.join(root, 'console', 'dist', 'index.html');
  if (!existsSync(index)) return 'console/dist/index.html is missing';
  const built = mtime(index);
  const inputs = [
    ...filesUnder(path.join(root, 'console', 'src'), () => true),
    ...['console/index.html', 'console/vite.config.ts', 'console/tsconfig.json', 'package-lock.json']
      .map((f) => path.join(root, f))
      .filter(existsSync),
  ];
  const newer = inputs.find((f) => mtime(f) > built);
  return newer ? `console/dist is older than ${path.relative(root, newer)}` : undefined;
}

/**
 * @param {string} root
 * @param {string} tool a binary of node_modules/.bin
 * @param {string[]} args
 */
function run(root, tool, args) {
  const bin = path.join(root, 'node_modules', '.bin', tool);
  const r = spawnSync(bin, args, { cwd: root, stdio: 'inherit' });
  if (r.error) throw new Error(`${tool} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

/**
 * Rebuilds what is stale. Returns what was rebuilt, for the log.
 * @param {{ root?: string, console?: boolean, log?: (line: string) => void }} [options]
 * @returns {string[]}
 */
export function buildStale(options = {}) {
  const root = options.root ?? ROOT;
  const log = options.log ?? ((line) => console.log(line));
  /** @type {string[]} */
  const built = [];
  let stale = staleServer(root);
  if (stale.length > 0) {
    log(`build: ${stale[0]}${stale.length > 1 ? ` (and ${stale.length - 1} more)` : ''}: tsc -b tsconfig.json`);
    run(root, 'tsc', ['-b', 'tsconfig.json']);
    stale = staleServer(root);
    if (stale.length > 0) {
      log(`build: ${stale[0]} after tsc -b: tsc -p tsconfig.json`);
      run(root, 'tsc', ['-p', 'tsconfig.json']);
      stale = staleServer(root);
      if (stale.length > 0) throw new Error(`dist/ is still stale after tsc -p tsconfig.json: ${stale.join('; ')}`);
    }
    built.push('dist');
  }
  if (options.console !== false) {
    const why = staleConsole(root);
    if (why !== undefined) {
      log(`build: ${why}: vite build`);
      run(root, 'vite', ['build', '--config', 'console/vite.config.ts', '--logLevel', 'warn']);
      built.push('console/dist');
    }
  }
  return built;
}

function isEntryPoint() {
  const invoked = process.argv[1];
  return invoked !== undefined && path.resolve(invoked) === fileURLToPath(import.meta.url);
}

if (isEntryPoint()) {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--server' && a !== '--check');
  if (unknown.length > 0) {
    console.error(`usage: node scripts/build.mjs [--server] [--check] (unknown: ${unknown.join(' ')})`);
    process.exit(2);
  }
  const withConsole = !args.includes('--server');
  try {
    if (args.includes('--check')) {
      const stale = [...staleServer(), ...(withConsole ? [staleConsole()].filter((x) => x !== undefined) : [])];
      for (const s of stale) console.log(s);
      process.exit(stale.length > 0 ? 1 : 0);
    }
    const t0 = performance.now();
    const built = buildStale({ console: withConsole });
    console.log(
      built.length > 0
        ? `build: rebuilt ${built.join(' and ')} in ${((performance.now() - t0) / 1000).toFixed(1)} s`
        : `build: up to date (${withConsole ? 'dist/ and console/dist' : 'dist/'})`,
    );
  } catch (e) {
    console.error(`build failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
