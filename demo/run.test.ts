// `orrery demo --no-backend --otlp-endpoint URL`: only the shop runs, and every service's SDK
// exports to the given endpoint (here an Orrery backend in this process on its own ports, as an
// existing stack would be). Needs dist/ (built by the tests' global setup).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPorts } from '../src/names/ports.js';
import { packageRoot } from '../src/server/paths.js';
import { createBackend, type Backend } from '../src/server/backend.js';
import { freeDemoPort } from '../test/support/demo-ports.js';
import { DEMO_BIN, holdWholeDemo, WHOLE_DEMO_WAIT_MS } from '../test/support/whole-demo.js';

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function demo(args: string[]) {
  const child = spawn(process.execPath, [DEMO_BIN, 'demo', ...args], {
    cwd: packageRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

describe('orrery demo against an existing stack', () => {
  let stack: Backend | undefined;
  let stackOtlp = 0;
  const consoleDir = mkdtempSync(path.join(tmpdir(), 'orrery-demo-ext-'));

  beforeAll(async () => {
    stack = createBackend({ port: 0, otlpHttpPort: 0, otlpGrpcPort: 0, consoleDir });
    stackOtlp = (await stack.start()).ports.otlpHttp;
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(consoleDir, { recursive: true, force: true });
  });

  it('a wrong --otlp-endpoint is a usage error', async () => {
    const grpc = demo(['--otlp-endpoint', 'grpc://127.0.0.1:4317']);
    expect(await grpc.exited).toBe(2);
    expect(grpc.output()).toContain("--otlp-endpoint: the services' SDKs speak OTLP/HTTP");
    const bad = demo(['--otlp-endpoint', 'collector']);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain('--otlp-endpoint: "collector" is not a URL');
  });

  it(
    '--no-backend --otlp-endpoint: the shop alone, its traces in the other backend',
    async () => {
      const release = await holdWholeDemo();
      const port = await freeDemoPort();
      const ports = demoPorts(port);
      const d = demo([
        '--port',
        String(port),
        '--no-backend',
        '--otlp-endpoint',
        `http://127.0.0.1:${stackOtlp}`,
        '--users',
        '3',
        '--spawn-rate',
        '3',
        '--pause-scale',
        '0.3',
      ]);
      try {
        for (let i = 0; i < 1200 && !d.output().includes('ready in'); i++) {
          if (d.child.exitCode !== null) throw new Error(`demo exited: ${d.output()}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(d.output()).toContain('no backend');
        expect(d.output()).toContain(`services export to http://127.0.0.1:${stackOtlp}`);
        expect(await listening(ports.console)).toBe(false);
        expect(await listening(ports.otlpHttp)).toBe(false);
        // the load generator's users reach the frontend, whose spans land in the stack
        const services = () => new Set(stack!.traceStore.getServices());
        for (let i = 0; i < 600 && !(services().has('frontend') && services().has('loadgenerator')); i++)
          await new Promise((r) => setTimeout(r, 100));
        expect([...services()]).toEqual(expect.arrayContaining(['frontend', 'loadgenerator']));
      } finally {
        d.child.kill('SIGTERM');
        expect(await d.exited).toBe(0);
        release();
      }
    },
    WHOLE_DEMO_WAIT_MS + 900_000,
  );
});
