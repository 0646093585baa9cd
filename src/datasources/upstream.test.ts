import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseUpstream, UpstreamError } from './upstream.js';

describe('parseUpstream', () => {
  it('takes basic auth from the URL user info and shows the URL without it', () => {
    const u = parseUpstream('prometheus', '--prometheus-url', 'https://ann:p%40ss@prom.example:9090/base/');
    expect(u.displayUrl).toBe('https://prom.example:9090/base');
    expect(u.authHeaders()).toEqual({ authorization: `Basic ${Buffer.from('ann:p@ss').toString('base64')}` });
    expect(u.urlOf('/api/v1/query?x=1').toString()).toBe('https://prom.example:9090/base/api/v1/query?x=1');
  });

  it('sends a bearer token given on its own', () => {
    expect(parseUpstream('jaeger', '--jaeger-url', 'http://127.0.0.1:16686', 'abc').authHeaders()).toEqual({
      authorization: 'Bearer abc',
    });
    expect(parseUpstream('jaeger', '--jaeger-url', 'http://127.0.0.1:16686').authHeaders()).toEqual({});
  });

  it('refuses what cannot be an engine URL, naming the flag', () => {
    expect(() => parseUpstream('prometheus', '--prometheus-url', 'localhost:9090')).toThrow(
      '--prometheus-url: scheme localhost: is not supported (use http:// or https://)',
    );
    expect(() => parseUpstream('prometheus', '--prometheus-url', 'not a url')).toThrow('--prometheus-url: not a URL');
    expect(() => parseUpstream('jaeger', '--jaeger-url', 'grpc://127.0.0.1:16685')).toThrow(
      'scheme grpc: is not supported',
    );
    expect(() => parseUpstream('jaeger', '--jaeger-url', 'http://h/?x=1')).toThrow('must not carry a query');
    expect(() => parseUpstream('jaeger', '--jaeger-url', 'http://a:b@h/', 'tok')).toThrow('not both');
    expect(() => parseUpstream('jaeger', '--jaeger-url', 'http://h/', 'a\r\nX-Evil: 1')).toThrow('line break');
  });
});

describe('Upstream.json', () => {
  it('sends the credentials and says what came back when the answer is not JSON', async () => {
    let headers: IncomingHttpHeaders = {};
    const server = createServer((req, res) => {
      headers = req.headers;
      res.writeHead(502, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html><body>Bad gateway</body></html>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const u = parseUpstream('jaeger', '--jaeger-url', url, 'tok-1');
      const err = await u.json('GET', '/api/services').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).message).toBe(
        `${url} answered HTTP 502 text/html: <html><body>Bad gateway</body></html>, not JSON`,
      );
      expect(headers.authorization).toBe('Bearer tok-1');
    } finally {
      server.close();
    }
  });

  it('gives up after its timeout with a clear error', async () => {
    const server = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const u = parseUpstream('prometheus', 'x', url);
      await expect(u.json('GET', '/api/v1/status/buildinfo', { timeoutMs: 200 })).rejects.toThrow(
        `${url} did not answer in 200 ms`,
      );
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
