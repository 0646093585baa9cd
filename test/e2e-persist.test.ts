// With a data directory, annotations survive a restart of the backend.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createBackend } from '../src/server/backend.js';

describe('data directory', () => {
  it('keeps annotations across a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'orrery-persist-'));
    const opts = { port: 0, otlpHttpPort: 0, otlpGrpcPort: 0, dataDir: path.join(dir, 'data'), consoleDir: dir };
    try {
      const a = createBackend(opts);
      const { ports } = await a.start();
      const r = await fetch(`http://127.0.0.1:${ports.api}/api/annotations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ time: 1_700_000_000_000, tags: ['flag'], text: 'recommendationCache on' }),
      });
      expect(r.status).toBe(200);
      await a.stop();

      const b = createBackend(opts);
      const { ports: p2 } = await b.start();
      const list = (await (await fetch(`http://127.0.0.1:${p2.api}/api/annotations?tags=flag`)).json()) as {
        text: string;
        time: number;
      }[];
      expect(list.map((x) => [x.text, x.time])).toEqual([['recommendationCache on', 1_700_000_000_000]]);
      await b.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
