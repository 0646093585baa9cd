// What the ingest-side benchmarks share about the process under test: `orrery serve` (built)
// started as its own process pinned to one core and waited for until ready, its self-metrics read
// from /metrics, and its memory and CPU read from /proc.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/api/prometheus/testing/prometheus-process.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');

export interface RunningBackend {
  /** the query APIs and /metrics, e.g. http://127.0.0.1:41234 */
  readonly api: string;
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly pid: number;
  /** SIGTERM, then SIGKILL after 5 s */
  stop(): Promise<void>;
}

export interface BackendProcessOptions {
  /** `orrery serve` flags besides the ports */
  readonly args?: readonly string[];
  /** node's own flags (--cpu-prof …) */
  readonly nodeArgs?: readonly string[];
  /** the CPU the process is pinned to; default 0 */
  readonly cpu?: number;
  /** --max-old-space-size; default 8192 MB */
  readonly maxOldSpaceMb?: number;
  /** where the backend's working directory is (a --cpu-prof profile lands there) */
  readonly cwd?: string;
}

/** A child process stopped with SIGTERM, then SIGKILL if it is still there after 5 s. */
export async function stopProcess(child: {
  exitCode: number | null;
  kill(s: NodeJS.Signals): boolean;
  once(e: 'exit', f: () => void): unknown;
}): Promise<void> {
  const exited = new Promise<void>((r) => child.once('exit', r));
  if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** `orrery serve` on free loopback ports, pinned with taskset, once /readyz answers. */
export async function startBackend(opts: BackendProcessOptions = {}): Promise<RunningBackend> {
  const [port, httpPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(
    'taskset',
    [
      '-c',
      String(opts.cpu ?? 0),
      process.execPath,
      `--max-old-space-size=${opts.maxOldSpaceMb ?? 8192}`,
      ...(opts.nodeArgs ?? []),
      MAIN,
      'serve',
      '--port',
      String(port),
      '--otlp-http-port',
      String(httpPort),
      '--otlp-grpc-port',
      String(grpcPort),
      ...(opts.args ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}) },
  );
  const stop = () => stopProcess(child);
  const api = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error('backend exited');
      const ok = await fetch(`${api}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 200) throw new Error('backend not ready after 20 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { api, httpPort, grpcPort, pid: child.pid!, stop };
}

/** The sum of a metric's samples at /metrics (those whose line holds `labels`); NaN when absent. */
export async function metricValue(api: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${api}/metrics`)).text();
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!(line.startsWith(name + ' ') || line.startsWith(name + '{'))) continue;
    if (labels && !line.includes(labels)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    found = true;
  }
  return found ? sum : NaN;
}

/** A "<field>: N kB" line of /proc/<pid>/status in bytes (VmRSS, VmHWM). */
export function procStatus(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat: the same meter for any process. */
export function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the command name (field 2) may hold spaces; the fields after its closing parenthesis do not
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15, in clock ticks (USER_HZ, 100 on Linux)
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
