// The tests that run the whole demo (a dozen processes under a busy load, and one of them a
// browser too) must not run at the same time: two of them on two cores starve each other, and the
// latency and memory trends they check drown in the noise. Vitest runs test files in parallel, so
// each such test holds this lock, a directory created atomically, for as long as its demo runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../src/server/paths.js';
import { freeDemoPort } from './demo-ports.js';

const LOCK = path.join(tmpdir(), 'orrery-whole-demo.lock');

function holderAlive(): boolean {
  try {
    process.kill(Number(readFileSync(path.join(LOCK, 'pid'), 'utf8')), 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * How long a whole-demo test may wait for the lock: every such test runs after the others, and
 * together they take about 45 minutes on two cores. Their hook and test timeouts add this to
 * what they need themselves.
 */
export const WHOLE_DEMO_WAIT_MS = 75 * 60_000;

/** Waits until no other test runs the whole demo; returns the release (idempotent). */
export async function holdWholeDemo(timeoutMs = WHOLE_DEMO_WAIT_MS): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      let held = true;
      return () => {
        if (held) rmSync(LOCK, { recursive: true, force: true });
        held = false;
      };
    } catch {
      // held by another test; a holder that died without releasing leaves a pid that is gone
      // (a lock just created may not have its pid file yet: only a readable dead pid is stale)
      try {
        readFileSync(path.join(LOCK, 'pid'));
        if (!holderAlive()) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        /* pid not written yet */
      }
    }
    if (Date.now() > deadline) throw new Error(`another test held the whole-demo lock for ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The built `orrery` bin (demo commands included). */
export const DEMO_BIN = path.join(packageRoot(), 'dist/demo/cli/main.js');

/**
 * `orrery demo` on `port` with the fast settings of the tests: 128 MB of heap and a busy load (20
 * users, pauses scaled to 0.3) reach the OOM in about two minutes on a quiet two-core machine
 * (about 62 misses, against about 70 at the default 512 MB), and leave room for the memory to
 * rise visibly between two 10 s samples. stdout and stderr are piped for the caller to read.
 */
export function spawnFastDemo(port: number): ChildProcess {
  // --ephemeral: a test never writes into the home directory, and every run begins empty.
  const args = ['demo', '--port', String(port), '--recommendation-memory', '128MB', '--ephemeral'];
  args.push('--users', '20', '--spawn-rate', '5', '--pause-scale', '0.3');
  return spawn(process.execPath, [DEMO_BIN, ...args], { cwd: packageRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface RunningDemo {
  /** http://127.0.0.1:<port> of the backend and console */
  readonly base: string;
  /** what the demo printed so far */
  output(): string;
  /** SIGTERM, SIGKILL after 30 s, then the whole-demo lock released */
  stop(): Promise<void>;
}

/**
 * Holds the whole-demo lock, starts spawnFastDemo on a free port block and resolves once it printed
 * "ready in … s" (throws with its output when it exits or is not ready in `readyTimeoutMs`).
 */
export async function startFastDemo(readyTimeoutMs = 180_000): Promise<RunningDemo> {
  const release = await holdWholeDemo();
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  let output = '';
  let exitCode: number | null | undefined;
  let demo: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    if (demo && exitCode === undefined) {
      demo.kill('SIGTERM');
      const deadline = Date.now() + 30_000;
      while (exitCode === undefined && Date.now() < deadline) await sleep(100);
      if (exitCode === undefined) demo.kill('SIGKILL');
    }
    release();
  };
  try {
    const port = await freeDemoPort();
    demo = spawnFastDemo(port);
    demo.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    demo.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    demo.once('exit', (code) => (exitCode = code));
    const t0 = Date.now();
    while (!/ready in [\d.]+ s/.test(output)) {
      if (exitCode !== undefined) throw new Error(`orrery demo exited with ${exitCode}:\n${output}`);
      if (Date.now() - t0 > readyTimeoutMs)
        throw new Error(`orrery demo not ready in ${readyTimeoutMs / 1000} s:\n${output}`);
      await sleep(200);
    }
    return { base: `http://127.0.0.1:${port}`, output: () => output, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
