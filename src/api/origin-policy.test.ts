// What another web page in the user's browser can and cannot do to the backend: simple
// (preflight-free) posts, foreign origins, DNS rebinding, and CORS preflights on OTLP/HTTP.
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnnotationStore } from '../annotations/store.js';
import { jsonSpanRequest, RecordingConsumer } from '../receivers/testing.js';
import { createOtlpHttpReceiver, type OtlpHttpReceiver } from '../receivers/otlp-http.js';
import { registerAnnotationsApi } from './annotations.js';
import { OriginPolicy, parseOriginPattern } from './origin-policy.js';
import { registerPrometheusApi } from './prometheus/index.js';
import { registerProxies } from './proxy.js';
import { HttpApp } from './router.js';
import { Head } from '../tsdb/head.js';
import { Engine } from '../promql/engine.js';

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** node:http, not fetch: fetch may not set Host or Origin. */
function send(
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('OriginPolicy', () => {
  const policy = new OriginPolicy();
  it('accepts loopback Host names with any port and refuses others', () => {
    for (const host of ['localhost', 'localhost:8080', '127.0.0.1:1', '[::1]:8080', 'LOCALHOST:80'])
      expect(policy.checkHost({ host }), host).toBeUndefined();
    for (const host of ['evil.example', 'evil.example:8080', '127.0.0.1.evil.example', 'localhost.evil', 'a b', ''])
      expect(policy.checkHost({ host })?.status, host).toBe(421);
  });

  it('accepts the configured --host name', () => {
    const p = new OriginPolicy({ host: 'orrery.lan' });
    expect(p.checkHost({ host: 'orrery.lan:8080' })).toBeUndefined();
    expect(p.checkHost({ host: 'other.lan:8080' })?.status).toBe(421);
  });

  it('allows the own origin and localhost ports by default, nothing else', () => {
    const h = { host: '127.0.0.1:8080' };
    for (const origin of ['http://127.0.0.1:8080', 'http://localhost:5173', 'http://127.0.0.1:3000', 'http://[::1]:9'])
      expect(policy.checkOrigin({ ...h, origin }), origin).toBeUndefined();
    for (const origin of ['http://evil.example', 'https://localhost.evil.example', 'null', 'http://127.0.0.1:8080/x'])
      expect(policy.checkOrigin({ ...h, origin })?.status, origin).toBe(403);
  });

  it('configured origins replace the localhost defaults; "*" allows all', () => {
    const p = new OriginPolicy({ allowOrigins: ['https://app.example:*'] });
    const h = { host: '127.0.0.1:8080' };
    expect(p.checkOrigin({ ...h, origin: 'https://app.example:8443' })).toBeUndefined();
    expect(p.checkOrigin({ ...h, origin: 'http://app.example:8443' })?.status).toBe(403);
    expect(p.checkOrigin({ ...h, origin: 'http://localhost:5173' })?.status).toBe(403);
    expect(p.checkOrigin({ ...h, origin: 'http://127.0.0.1:8080' })).toBeUndefined(); // own origin
    expect(new OriginPolicy({ allowOrigins: ['*'] }).checkOrigin({ ...h, origin: 'http://x.example' })).toBeUndefined();
  });

  it("always allows the console's port under this server's names, also on other ports", () => {
    const p = new OriginPolicy({ host: 'orrery.lan', allowOrigins: ['https://app.example'], consolePort: () => 8080 });
    const otlp = { host: 'orrery.lan:4318' };
    expect(p.checkOrigin({ ...otlp, origin: 'http://orrery.lan:8080' })).toBeUndefined();
    expect(p.checkOrigin({ ...otlp, origin: 'http://127.0.0.1:8080' })).toBeUndefined();
    expect(p.checkOrigin({ ...otlp, origin: 'http://127.0.0.1:3000' })?.status).toBe(403);
    expect(p.checkOrigin({ ...otlp, origin: 'http://evil.example:8080' })?.status).toBe(403);
  });

  it('parses origin patterns strictly', () => {
    expect(parseOriginPattern('http://localhost:*')).toEqual({ scheme: 'http', hostname: 'localhost', port: '*' });
    expect(parseOriginPattern('https://[::1]:8443')).toEqual({ scheme: 'https', hostname: '[::1]', port: '8443' });
    for (const bad of ['localhost:3000', 'ftp://x', 'http://x/path', 'http://x:99999', 'http://'])
      expect(() => parseOriginPattern(bad), bad).toThrow();
  });

  it('writes need a JSON body type; body-less DELETE needs none', () => {
    expect(policy.checkWrite('POST', { 'content-type': 'application/json; charset=utf-8' })).toBeUndefined();
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])
      expect(policy.checkWrite('POST', { 'content-type': ct })?.status, ct).toBe(415);
    expect(policy.checkWrite('POST', {})?.status).toBe(415);
    expect(policy.checkWrite('PUT', { 'content-type': 'text/plain' })?.status).toBe(415);
    expect(policy.checkWrite('DELETE', {})).toBeUndefined();
    expect(policy.checkWrite('DELETE', { 'content-length': '2', 'content-type': 'text/plain' })?.status).toBe(415);
    expect(policy.checkWrite('GET', { 'content-type': 'text/plain' })).toBeUndefined();
  });
});

describe('the query/console port', () => {
  let server: Server;
  let upstream: Server;
  let port: number;
  const store = new AnnotationStore();
  const forwarded: string[] = [];

  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      forwarded.push(`${req.method} ${req.url}`);
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    const up = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const app = new HttpApp();
    registerAnnotationsApi(app, store);
    registerPrometheusApi(app, { storage: new Head(), engine: new Engine() });
    registerProxies(app, [{ prefix: '/api/flags', target: up }]);
    const l = await app.listen('127.0.0.1', 0);
    server = l.server;
    port = l.port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  const annotation = JSON.stringify({ text: 'flag flipped', tags: ['flag'] });

  it('a text/plain POST to /api/annotations gets 415 and writes nothing', async () => {
    const before = store.size;
    const r = await send(port, {
      method: 'POST',
      path: '/api/annotations',
      headers: { 'content-type': 'text/plain' },
      body: annotation,
    });
    expect(r.status).toBe(415);
    expect(r.body).toContain('application/json');
    const form = await send(port, {
      method: 'POST',
      path: '/api/annotations',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `${annotation}=`,
    });
    expect(form.status).toBe(415);
    expect(store.size).toBe(before);
    const ok = await send(port, {
      method: 'POST',
      path: '/api/annotations',
      headers: { 'content-type': 'application/json' },
      body: annotation,
    });
    expect(ok.status).toBe(200);
    expect(store.size).toBe(before + 1);
  });

  it('a form or text/plain POST to the flags proxy is refused before forwarding', async () => {
    forwarded.length = 0;
    for (const ct of ['application/x-www-form-urlencoded', 'text/plain']) {
      const r = await send(port, {
        method: 'POST',
        path: '/api/flags/recommendationCache',
        headers: { 'content-type': ct },
        body: '{"value":"on"}',
      });
      expect(r.status, ct).toBe(415);
    }
    const put = await send(port, { method: 'PUT', path: '/api/flags/x', headers: { 'content-type': 'text/plain' } });
    expect(put.status).toBe(415);
    expect(forwarded).toEqual([]);
    const ok = await send(port, {
      method: 'PUT',
      path: '/api/flags/recommendationCache',
      headers: { 'content-type': 'application/json' },
      body: '{"value":"on"}',
    });
    expect(ok.status).toBe(200);
    expect(forwarded).toEqual(['PUT /api/flags/recommendationCache']);
  });

  it('an evil Origin gets 403, even with a JSON body, and nothing is forwarded or written', async () => {
    forwarded.length = 0;
    const before = store.size;
    const headers = { 'content-type': 'application/json', origin: 'http://evil.example' };
    const a = await send(port, { method: 'POST', path: '/api/annotations', headers, body: annotation });
    expect(a.status).toBe(403);
    expect(a.body).toContain('evil.example');
    const f = await send(port, { method: 'PUT', path: '/api/flags/x', headers, body: '{"value":"on"}' });
    expect(f.status).toBe(403);
    const g = await send(port, { path: '/api/annotations', headers: { origin: 'http://evil.example' } });
    expect(g.status).toBe(403);
    expect(forwarded).toEqual([]);
    expect(store.size).toBe(before);
    const own = await send(port, {
      method: 'POST',
      path: '/api/annotations',
      headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${port}` },
      body: annotation,
    });
    expect(own.status).toBe(200);
  });

  it('a foreign Host (DNS rebinding) is refused on every path', async () => {
    for (const path of ['/api/annotations', '/api/v1/query?query=1', '/api/flags', '/']) {
      const r = await send(port, { path, headers: { host: 'evil.example' } });
      expect(r.status, path).toBe(421);
      expect(r.body).toContain('not a name of this server');
    }
    const ok = await send(port, { path: '/api/annotations', headers: { host: `localhost:${port}` } });
    expect(ok.status).toBe(200);
  });

  it("Prometheus's form-encoded POST queries still work (they only read)", async () => {
    const r = await send(port, {
      method: 'POST',
      path: '/api/v1/query',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query=1%2B1&time=0',
    });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ status: 'success', data: { result: [0, '2'] } });
  });
});

describe('OTLP/HTTP', () => {
  let rx: OtlpHttpReceiver;
  let port: number;
  const consumer = new RecordingConsumer();
  beforeAll(async () => {
    rx = createOtlpHttpReceiver({
      port: 0,
      traces: consumer,
      metrics: consumer,
      logs: consumer,
      originPolicy: new OriginPolicy({ allowHeaders: ['X-Tenant'] }),
    });
    await rx.start();
    port = rx.port;
  });
  afterAll(() => rx.stop());

  const preflight = (origin: string, requested: string) =>
    send(port, {
      method: 'OPTIONS',
      path: '/v1/traces',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': requested },
    });

  it('grants preflights to allowed origins, for the OTLP and configured headers only', async () => {
    const r = await preflight('http://localhost:5173', 'content-type,x-anything');
    expect(r.status).toBe(204);
    expect(r.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(r.headers['access-control-allow-methods']).toBe('POST, OPTIONS');
    expect(r.headers['access-control-allow-headers']).toBe('Content-Type, Content-Encoding, X-Tenant');
  });

  it('a preflight from an evil origin gets no allow headers', async () => {
    const r = await preflight('http://evil.example', 'content-type');
    expect(r.status).toBe(403);
    for (const h of Object.keys(r.headers)) expect(h).not.toMatch(/^access-control-allow/);
  });

  it('a POST from an evil origin or with a foreign Host is refused and nothing is consumed', async () => {
    const before = consumer.traces.length;
    const body = jsonSpanRequest('0102030405060708090a0b0c0d0e0f10', '0102030405060708');
    const evil = await send(port, {
      method: 'POST',
      path: '/v1/traces',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body,
    });
    expect(evil.status).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const rebound = await send(port, {
      method: 'POST',
      path: '/v1/traces',
      headers: { 'content-type': 'application/json', host: 'evil.example:4318' },
      body,
    });
    expect(rebound.status).toBe(421);
    expect(rebound.body).toContain('not a name of this server');
    expect(consumer.traces.length).toBe(before);
    const ok = await send(port, {
      method: 'POST',
      path: '/v1/traces',
      headers: { 'content-type': 'application/json', origin: 'http://127.0.0.1:8080' },
      body,
    });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8080');
    expect(consumer.traces.length).toBe(before + 1);
  });
});
