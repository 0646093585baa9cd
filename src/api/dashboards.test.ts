import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { HttpApp } from './router.js';
import { registerDashboardsApi } from './dashboards.js';

describe('GET /api/dashboards', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-dash-'));
  let server: Server;
  let base: string;

  beforeAll(async () => {
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ uid: 'a', title: 'A', panels: [] }));
    writeFileSync(join(dir, 'broken.json'), '{"uid": ');
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const app = new HttpApp();
    registerDashboardsApi(app, dir);
    const started = await app.listen('127.0.0.1', 0);
    server = started.server;
    base = `http://127.0.0.1:${started.port}`;
  });
  afterAll(() => server.close());

  it('returns every JSON file, reporting the ones that do not parse', async () => {
    const res = await fetch(`${base}/api/dashboards`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { file: string; json?: unknown; parseError?: string }[] };
    expect(body.data.map((d) => d.file)).toEqual(['a.json', 'broken.json']);
    expect(body.data[0]!.json).toEqual({ uid: 'a', title: 'A', panels: [] });
    expect(body.data[1]!.parseError).toMatch(/JSON/);
  });

  it('answers an unknown method with 405', async () => {
    const res = await fetch(`${base}/api/dashboards`, { method: 'DELETE' });
    expect(res.status).toBe(405);
  });
});
