// `orrery serve` from the built bin as a child process, for tests that kill and restart it: the
// ports are ephemeral and read back from its log lines, and its output is kept for assertions.
import { spawn, type ChildProcess } from 'node:child_process';
import { ORRERY_BIN, PACKAGE_ROOT } from './built-bin.js';

export interface ServedBin {
  readonly child: ChildProcess;
  /** the query API, e.g. http://127.0.0.1:41234 */
  readonly base: string;
  /** the OTLP/HTTP receiver, e.g. http://127.0.0.1:41235 */
  readonly otlpHttp: string;
  /** stdout and stderr so far */
  output(): string;
}

/** Starts `orrery serve` with ephemeral ports and `args`; resolves once every listener is up. */
export async function serveBuilt(args: readonly string[], timeoutMs = 30_000): Promise<ServedBin> {
  const child = spawn(
    process.execPath,
    [ORRERY_BIN, 'serve', '--port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', '0', ...args],
    { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + timeoutMs;
  while (!/OTLP\/gRPC on/.test(out) && Date.now() < deadline && child.exitCode === null)
    await new Promise((r) => setTimeout(r, 20));
  const api = /query APIs on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
  const otlp = /OTLP\/HTTP on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
  if (!api || !otlp) {
    child.kill('SIGKILL');
    throw new Error(`orrery serve did not start:\n${out}`);
  }
  return { child, base: api[1]!, otlpHttp: otlp[1]!, output: () => out };
}

/** Resolves with the signal that ended the child (null for a normal exit) once it has exited. */
export function exited(child: ChildProcess): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.signalCode);
    child.once('exit', (_code, signal) => resolve(signal));
  });
}
