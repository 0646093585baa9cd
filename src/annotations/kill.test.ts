// Annotations acknowledged with a 200 survive `kill -9` of `orrery serve --data-dir`: the built
// bin (dist/, rebuilt by the test run's global setup when older than src/) is killed with SIGKILL
// and started again.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, serveBuilt } from '../cli/testing/served-bin.js';

describe('orrery serve --data-dir under kill -9', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'orrery-kill-'));
  const running: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(running.map(exited));
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every acknowledged annotation after SIGKILL and a restart', async () => {
    const dataDir = path.join(dir, 'data');
    const first = await serveBuilt(['--data-dir', dataDir]);
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
    expect(await exited(first.child)).toBe('SIGKILL');

    const second = await serveBuilt(['--data-dir', dataDir]);
    running.push(second.child);
    const list = (await (await fetch(`${second.base}/api/annotations?tags=flag`)).json()) as { text: string }[];
    expect(list.map((a) => a.text).sort()).toEqual(posted.sort());
    second.child.kill('SIGKILL');
    await exited(second.child);
  }, 90_000);
});
