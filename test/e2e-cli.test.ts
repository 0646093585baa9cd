// The built `orrery` bin: `serve` on ephemeral ports logs one line per listener, answers, and
// exits 0 on SIGTERM; usage errors exit 2. Runs dist/, which the global setup
// (test/support/global-setup.ts) rebuilds when it is older than its sources.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The `orrery` bin (package.json): the backend's commands and the demo's.
const MAIN = path.join(ROOT, 'dist', 'demo', 'cli', 'main.js');
// The backend alone, without the demo's commands.
const BACKEND_MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');

function run(args: string[], bin = MAIN): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('orrery CLI', () => {
  it('lists commands with --help; unknown command → usage and exit 2', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    for (const c of ['serve', 'demo', 'flags', 'load', 'promql-test']) expect(help.stdout).toContain(c);
    const bad = run(['frobnicate']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown command "frobnicate"');
    expect(bad.stderr).toContain('Usage: orrery <command>');
  });

  it('the backend alone (dist/src/cli/main.js) has serve and promql-test, not the demo', () => {
    const help = run(['--help'], BACKEND_MAIN);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^ {2}serve /m);
    expect(help.stdout).toMatch(/^ {2}promql-test /m);
    expect(help.stdout).not.toMatch(/^ {2}demo /m);
    expect(run(['demo'], BACKEND_MAIN).status).toBe(2);
    const h = run(['serve', '--help'], BACKEND_MAIN);
    expect(h.status).toBe(0);
  });

  it('serve: bad flags exit 2 with a clear message', () => {
    const r = run(['serve', '--port', 'eighty']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--port: "eighty" is not a port number');
    const h = run(['serve', '--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toContain('--trace-budget SIZE');
  });

  it('serve: logs listeners, serves, exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [MAIN, 'serve', '--port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', '0', '--retention', '30m'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while (!/OTLP\/gRPC on/.test(out) && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 100));
    expect(out, err).toMatch(/console and query APIs on http:\/\/127\.0\.0\.1:\d+\//);
    expect(out).toMatch(/OTLP\/HTTP on http:\/\/127\.0\.0\.1:\d+\/v1\/traces/);
    expect(out).toMatch(/OTLP\/gRPC on 127\.0\.0\.1:\d+/);
    const apiPort = Number(/query APIs on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
    const ready = await fetch(`http://127.0.0.1:${apiPort}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text();
    expect(metrics).toContain('# TYPE process_resident_memory_bytes gauge');
    process.kill(child.pid!, 'SIGTERM');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 10_000))]);
    if (code === 'timeout') process.kill(child.pid!, 'SIGKILL');
    expect(code).toBe(0);
    expect(out).toContain('SIGTERM received, shutting down');
  });
});
