import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { HttpApp } from './router.js';
import { registerStatic, resolveInside } from './static.js';
import { registerProxies } from './proxy.js';

/** A raw GET that does not normalise the path (fetch would resolve ../). */
function rawGet(port: number, p: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: p }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function listen(app: HttpApp): Promise<{ server: Server; port: number }> {
  return app.listen('127.0.0.1', 0);
}

describe('static console files', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'orrery-static-'));
  const dist = path.join(root, 'dist');
  mkdirSync(path.join(dist, 'assets'), { recursive: true });
  writeFileSync(path.join(dist, 'index.html'), '<html>console</html>');
  writeFileSync(path.join(dist, 'assets', 'app-1234.js'), 'console.log(1)');
  writeFileSync(path.join(dist, 'assets', 'app.css'), 'body{}');
  writeFileSync(path.join(root, 'secret.txt'), 'secret');
  let server: Server;
  let port: number;
  let missing: { server: Server; port: number };
  beforeAll(async () => {
    const app = new HttpApp();
    registerStatic(app, { root: dist });
    ({ server, port } = await listen(app));
    const app2 = new HttpApp();
    registerStatic(app2, { root: path.join(root, 'nope') });
    missing = await listen(app2);
  });
  afterAll(() => {
    server.close();
    missing.server.close();
  });

  it('resolveInside refuses escapes', () => {
    expect(resolveInside('/srv/d', '/a/b.js')).toBe('/srv/d/a/b.js');
    expect(resolveInside('/srv/d', '/../secret')).toBeUndefined();
    expect(resolveInside('/srv/d', '/%2e%2e/secret')).toBeUndefined();
    expect(resolveInside('/srv/d', '/a/%2F..%2F..%2Fsecret')).toBeUndefined();
    expect(resolveInside('/srv/d', '/a%00.js')).toBeUndefined();
    expect(resolveInside('/srv/d', '/..%5csecret')).toBeUndefined();
    expect(resolveInside('/srv/d', '/%E0%A4%A')).toBeUndefined();
  });

  it('serves files with content types, falls back to index.html for routes, never escapes', async () => {
    const idx = await rawGet(port, '/');
    expect([idx.status, idx.type, idx.body]).toEqual([200, 'text/html; charset=utf-8', '<html>console</html>']);
    expect((await rawGet(port, '/assets/app-1234.js')).type).toBe('text/javascript; charset=utf-8');
    expect((await rawGet(port, '/assets/app.css')).type).toBe('text/css; charset=utf-8');
    const route = await rawGet(port, '/explore/traces?x=1');
    expect([route.status, route.body]).toEqual([200, '<html>console</html>']);
    expect((await rawGet(port, '/assets/missing.js')).status).toBe(404);
    for (const p of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    ]) {
      const r = await rawGet(port, p);
      expect(r.body, p).not.toContain('secret');
      expect([400, 404], p).toContain(r.status);
    }
    const api = await rawGet(port, '/api/nothing');
    expect([api.status, api.type]).toEqual([404, 'application/json']);
  });

  it('says how to build when the console is absent', async () => {
    const r = await rawGet(missing.port, '/');
    expect(r.status).toBe(503);
    expect(r.body).toContain('console not built: run npm run build');
  });
});

describe('reverse proxy', () => {
  let upstream: Server;
  let upPort: number;
  let server: Server;
  let port: number;
  beforeAll(async () => {
    upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json', 'x-up': '1' });
        res.end(JSON.stringify({ method: req.method, url: req.url, body, ct: req.headers['content-type'] }));
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    upPort = (upstream.address() as AddressInfo).port;
    const app = new HttpApp();
    // A port that nothing listens on: bind and close one.
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
    const deadPort = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    registerProxies(app, [
      { prefix: '/api/flags', target: `http://127.0.0.1:${upPort}` },
      { prefix: '/api/load', target: `http://127.0.0.1:${deadPort}` },
      { prefix: '/api/unset', target: () => undefined },
    ]);
    ({ server, port } = await listen(app));
  });
  afterAll(() => {
    server.close();
    upstream.close();
  });

  it('forwards method, path, query, headers and body', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/api/flags/recommendationCache?x=1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"variant":"on"}',
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('x-up')).toBe('1');
    expect(await r.json()).toEqual({
      method: 'PUT',
      url: '/api/flags/recommendationCache?x=1',
      body: '{"variant":"on"}',
      ct: 'application/json',
    });
    const root = (await (await fetch(`http://127.0.0.1:${port}/api/flags`)).json()) as { url: string };
    expect(root.url).toBe('/api/flags');
  });

  it('answers 502 with a message when the upstream is down or unset', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/api/load/stats`);
    expect(r.status).toBe(502);
    expect(((await r.json()) as { error: string }).error).toMatch(/unavailable/);
    const u = await fetch(`http://127.0.0.1:${port}/api/unset`);
    expect(u.status).toBe(502);
    expect(((await u.json()) as { error: string }).error).toMatch(/no upstream configured/);
  });
});
