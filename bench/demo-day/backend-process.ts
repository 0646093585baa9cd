// `orrery serve` as the demo runs its backend (the same defaults; see demo/run.ts), in a process
// of its own whose clock the benchmark moves (clock-preload.ts), so its RSS is the backend's alone.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../../src/server/paths.js';
import { demoPorts } from '../../src/names/ports.js';
import { freeDemoPort } from '../../test/support/demo-ports.js';
import { isClockMessage } from './warped-clock.js';

export interface ServeProcess {
  readonly pid: number;
  /** http://127.0.0.1:<port>: query APIs */
  readonly api: string;
  /** http://127.0.0.1:<port>: OTLP/HTTP */
  readonly otlp: string;
  /** moves the backend's clock to `ms` (never back); resolves with the time it now reads */
  setClock(ms: number): Promise<number>;
  output(): string;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startServe(opts: {
  readonly clockStartMs: number;
  readonly dataDir?: string;
  readonly extraArgs: readonly string[];
}): Promise<ServeProcess> {
  const root = packageRoot();
  const port = await freeDemoPort();
  const ports = demoPorts(port);
  const args = [
    '--import',
    path.join(root, 'dist/bench/demo-day/clock-preload.js'),
    path.join(root, 'dist/demo/cli/main.js'),
  ];
  args.push('serve', '--port', String(port), '--otlp-http-port', String(ports.otlpHttp));
  args.push('--otlp-grpc-port', String(ports.otlpGrpc), ...opts.extraArgs);
  if (opts.dataDir !== undefined) args.push('--data-dir', opts.dataDir);
  const child: ChildProcess = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ORRERY_BENCH_CLOCK_MS: String(opts.clockStartMs) },
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  const api = `http://127.0.0.1:${port}`;
  const waiting: ((ms: number) => void)[] = [];
  child.on('message', (m: unknown) => {
    if (isClockMessage(m)) waiting.shift()?.(m.clockMs);
  });
  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const deadline = Date.now() + 60_000;
    while (!exited && Date.now() < deadline) await sleep(100);
    if (!exited) child.kill('SIGKILL');
  };
  const t0 = Date.now();
  for (;;) {
    if (exited) throw new Error(`orrery serve exited:\n${output}`);
    if (Date.now() - t0 > 120_000) {
      await stop();
      throw new Error(`orrery serve not ready in 120 s:\n${output}`);
    }
    const ready = await fetch(`${api}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await sleep(200);
  }
  return {
    pid: child.pid!,
    api,
    otlp: `http://127.0.0.1:${ports.otlpHttp}`,
    setClock: (ms) =>
      new Promise<number>((resolve, reject) => {
        if (exited) return reject(new Error(`orrery serve exited:\n${output}`));
        waiting.push(resolve);
        child.send({ clockMs: ms });
      }),
    output: () => output,
    stop,
  };
}
