// Annotations acknowledged with a 200 survive `kill -9` of `orrery serve --data-dir`: the built
// bin (dist/, rebuilt here when older than src/) is killed with SIGKILL and started again.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORRERY_BIN, PACKAGE_ROOT } from '../cli/testing/built-bin.js';

let MAIN = '';
beforeAll(() => {
  MAIN = ORRERY_BIN;
}, 180_000);

interface Served {
  readonly child: ChildProcess;
  readonly base: string;
  output(): string;
}

async function serve(dataDir: string): Promise<Served> {
  const child = spawn(
    process.execPath,
    [MAIN, 'serve', '--port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', '0', '--data-dir', dataDir],
    { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 30_000;
  while (!/OTLP\/gRPC on/.test(out) && Date.now() < deadline && child.exitCode === null)
    await new Promise((r) => setTimeout(r, 50));
  const m = /query APIs on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
  if (!m) throw new Error(`orrery serve did not start:\n${out}`);
  return { child, base: m[1]!, output: () => out };
}

function killed(child: ChildProcess): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.signalCode);
    child.once('exit', (_code, signal) => resolve(signal));
  });
}

describe('orrery serve --data-dir under kill -9', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'orrery-kill-'));
  const running: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(running.map(killed));
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every acknowledged annotation after SIGKILL and a restart', async () => {
    const dataDir = path.join(dir, 'data');
    const first = await serve(dataDir);
    running.push(first.child);
    const posted: string[] = [];
    for (let i = 0; i < 5; i++) {
      const text = `flag change ${i}`;
      const r = await fetch(`${first.base}/api/annotations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ time: 1_700_000_000_000 + i, tags: ['flag'], text }),
      });
      expect(r.status).toBe(200);
      posted.push(text);
    }
    first.child.kill('SIGKILL');
    expect(await killed(first.child)).toBe('SIGKILL');

    const second = await serve(dataDir);
    running.push(second.child);
    const list = (await (await fetch(`${second.base}/api/annotations?tags=flag`)).json()) as { text: string }[];
    expect(list.map((a) => a.text).sort()).toEqual(posted.sort());
    second.child.kill('SIGKILL');
    await killed(second.child);
  }, 90_000);
});
