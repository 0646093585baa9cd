import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../server/paths.js';
import { HttpApp } from './router.js';
import { readScenarios, registerScenariosApi } from './scenarios.js';

describe('GET /api/scenarios', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-scenarios-'));
  let server: Server;
  let base: string;

  beforeAll(async () => {
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ id: 'b', title: 'B', steps: [] }));
    writeFileSync(join(dir, 'a.json'), '{"id": "a", ');
    writeFileSync(join(dir, 'README.md'), 'not a scenario');
    const app = new HttpApp();
    registerScenariosApi(app, dir);
    const started = await app.listen('127.0.0.1', 0);
    server = started.server;
    base = `http://127.0.0.1:${started.port}`;
  });
  afterAll(() => server.close());

  it('serves every JSON file of the folder by name, a broken one with its parse error', async () => {
    const res = await fetch(`${base}/api/scenarios`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { file: string; json?: unknown; parseError?: string }[] };
    expect(body.data.map((f) => f.file)).toEqual(['a.json', 'b.json']);
    expect(body.data[0]!.parseError).toMatch(/JSON/);
    expect(body.data[1]!.json).toEqual({ id: 'b', title: 'B', steps: [] });
  });

  it('reads an edited file on the next request', async () => {
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ id: 'b', title: 'B2', steps: [] }));
    const body = (await (await fetch(`${base}/api/scenarios`)).json()) as { data: { json?: { title?: string } }[] };
    expect(body.data[1]!.json?.title).toBe('B2');
  });

  it('answers a write with 405 and a missing folder with an empty list', async () => {
    expect((await fetch(`${base}/api/scenarios`, { method: 'DELETE' })).status).toBe(405);
    expect(await readScenarios(join(dir, 'missing'))).toEqual([]);
  });

  it('ships the five scenarios of the demo flags', async () => {
    const files = await readScenarios(join(packageRoot(), 'scenarios'));
    expect(files.map((f) => (f.json as { flag?: string } | undefined)?.flag).sort()).toEqual([
      'adServiceFailure',
      'cartServiceFailure',
      'paymentServiceFailure',
      'productCatalogFailure',
      'recommendationCache',
    ]);
  });
});
