// External engines behind the query APIs: a fake Prometheus on loopback (it records what it is
// sent) and a second Orrery as the Jaeger-API engine, with a backend in front of each that was
// started with `dataSources`, as `orrery serve --prometheus-url/--jaeger-url` builds it.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../server/backend.js';
import { batch, span, tid, sid } from '../traces/testdata.js';
import { parseUpstream } from './upstream.js';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A stand-in Prometheus: answers every query with one vector sample and records each request. */
async function fakePrometheus(answer?: (s: Seen) => { status: number; type: string; body: string }): Promise<{
  url: string;
  seen: Seen[];
  server: Server;
}> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(s);
      const a = answer?.(s) ?? {
        status: 200,
        type: 'application/json',
        body: s.url.startsWith('/prom/api/v1/status/buildinfo')
          ? '{"status":"success","data":{"version":"2.42.0"}}'
          : '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"service_name":"far"},"value":[1700000000,"42"]}]}}',
      };
      res.writeHead(a.status, { 'content-type': a.type });
      res.end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/prom`, seen, server };
}

const closeServer = (s: Server): Promise<void> =>
  new Promise((r) => {
    s.closeAllConnections();
    s.close(() => r());
  });

const ports = { port: 0, otlpHttpPort: 0, otlpGrpcPort: 0 } as const;

describe('an external Prometheus answers the Prometheus API', () => {
  let prom: Awaited<ReturnType<typeof fakePrometheus>>;
  let backend: Backend;
  let base: string;

  beforeAll(async () => {
    prom = await fakePrometheus();
    // user info in the URL is basic auth
    const upstream = parseUpstream('prometheus', '--prometheus-url', prom.url.replace('http://', 'http://ann:s3cret@'));
    backend = createBackend({ ...ports, dataSources: { prometheus: upstream } });
    base = `http://127.0.0.1:${(await backend.start()).ports.api}`;
  });
  afterAll(async () => {
    await backend.stop();
    await closeServer(prom.server);
  });
  afterEach(() => {
    prom.seen.length = 0;
  });

  it('forwards queries with the engine credentials, not the caller cookies, and streams the answer back unchanged', async () => {
    const res = await fetch(`${base}/api/v1/query`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: 'session=browser',
        authorization: 'Bearer mine',
      },
      body: new URLSearchParams({ query: 'up', time: '1700000000' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { result: { metric: Record<string, string> }[] } };
    expect(body.data.result[0]!.metric.service_name).toBe('far');
    expect(prom.seen).toHaveLength(1);
    const sent = prom.seen[0]!;
    expect(sent.url).toBe('/prom/api/v1/query');
    expect(new URLSearchParams(sent.body).get('query')).toBe('up');
    expect(sent.headers.authorization).toBe(`Basic ${Buffer.from('ann:s3cret').toString('base64')}`);
    expect(sent.headers.cookie).toBeUndefined();
  });

  it('never forwards admin or write calls, and keeps the embedded API for what is not forwarded', async () => {
    const del = await fetch(`${base}/api/v1/admin/tsdb/delete_series?match[]=up`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(del.status).toBeGreaterThanOrEqual(400);
    expect(prom.seen).toHaveLength(0);
  });

  it('evaluates the PromQL Orrery runs itself (findings, the monitor API) on the external engine', async () => {
    const res = await fetch(`${base}/api/orrery/v1/findings?lookback=15m`);
    expect(res.status).toBe(200);
    expect(
      prom.seen.some((s) => s.url === '/prom/api/v1/query_range' && s.headers.authorization?.startsWith('Basic ')),
    ).toBe(true);
  });

  it('says which engine answers each signal, without the credentials', async () => {
    const res = await fetch(`${base}/api/orrery/v1/datasources`);
    const { data } = (await res.json()) as {
      data: { signal: string; engine: string; url?: string; healthy: boolean; description: string }[];
    };
    const metrics = data.find((d) => d.signal === 'metrics')!;
    expect(metrics).toMatchObject({ engine: 'prometheus', healthy: true, description: 'Prometheus 2.42.0' });
    expect(metrics.url).toBe(prom.url);
    expect(JSON.stringify(data)).not.toContain('s3cret');
    expect(data.find((d) => d.signal === 'traces')).toMatchObject({ engine: 'embedded', healthy: true });
  });
});

describe('an engine that is down or answers something else', () => {
  it('answers 502 with the reason, and the status line marks it unreachable', async () => {
    const prom = await fakePrometheus();
    const url = prom.url;
    await closeServer(prom.server);
    const backend = createBackend({ ...ports, dataSources: { prometheus: parseUpstream('prometheus', 'x', url) } });
    const base = `http://127.0.0.1:${(await backend.start()).ports.api}`;
    try {
      const res = await fetch(`${base}/api/v1/query?query=up`);
      expect(res.status).toBe(502);
      expect(((await res.json()) as { error: string }).error).toMatch(/unavailable: connect ECONNREFUSED/);
      const status = (await (await fetch(`${base}/api/orrery/v1/datasources`)).json()) as {
        data: { signal: string; healthy: boolean; error?: string }[];
      };
      const metrics = status.data.find((d) => d.signal === 'metrics')!;
      expect(metrics.healthy).toBe(false);
      expect(metrics.error).toMatch(/ECONNREFUSED/);
    } finally {
      await backend.stop();
    }
  });

  it('names what came back when the engine is not Prometheus', async () => {
    const prom = await fakePrometheus(() => ({
      status: 200,
      type: 'text/html',
      body: '<!doctype html><title>Login</title>',
    }));
    const backend = createBackend({
      ...ports,
      dataSources: { prometheus: parseUpstream('prometheus', 'x', prom.url) },
    });
    const base = `http://127.0.0.1:${(await backend.start()).ports.api}`;
    try {
      const status = (await (await fetch(`${base}/api/orrery/v1/datasources`)).json()) as {
        data: { signal: string; healthy: boolean; error?: string }[];
      };
      expect(status.data.find((d) => d.signal === 'metrics')!.error).toContain(
        'HTTP 200 text/html: <!doctype html><title>Login</title>',
      );
    } finally {
      await backend.stop();
      await closeServer(prom.server);
    }
  });
});

describe('a second Orrery as the Jaeger-API engine', () => {
  let engine: Backend;
  let front: Backend;
  let base: string;
  let engineBase: string;
  const traceId = tid(7);

  beforeAll(async () => {
    engine = createBackend(ports);
    const enginePort = (await engine.start()).ports.api;
    engineBase = `http://127.0.0.1:${enginePort}`;
    const now = Date.now();
    engine.traceStore.consumeTraces(
      batch({
        service: 'faraway',
        spans: [
          span({
            traceId,
            spanId: sid(1),
            name: 'GET /far',
            startMs: now - 5000,
            durationMs: 120,
            attributes: { 'app.cache_hit': false },
          }),
          span({ traceId, spanId: sid(2), parentSpanId: sid(1), name: 'lookup', startMs: now - 4990, durationMs: 80 }),
        ],
      }),
    );
    front = createBackend({
      ...ports,
      dataSources: { jaeger: parseUpstream('jaeger', '--jaeger-url', `http://127.0.0.1:${enginePort}`, 'tok-123') },
    });
    base = `http://127.0.0.1:${(await front.start()).ports.api}`;
  });
  afterAll(async () => {
    await front.stop();
    await engine.stop();
  });

  it('lists the engine services and finds its traces by search and by ID; nothing is in the front store', async () => {
    const services = (await (await fetch(`${base}/api/services`)).json()) as { data: string[] };
    expect(services.data).toEqual(['faraway']);
    const found = (await (
      await fetch(
        `${base}/api/traces?service=faraway&lookback=1h&tags=${encodeURIComponent('{"app.cache_hit":"false"}')}`,
      )
    ).json()) as {
      data: { traceID: string; spans: unknown[] }[];
    };
    expect(found.data.map((t) => t.traceID)).toEqual([traceId]);
    const byId = (await (await fetch(`${base}/api/traces/${traceId}`)).json()) as { data: { spans: unknown[] }[] };
    expect(byId.data[0]!.spans).toHaveLength(2);
    expect(front.traceStore.getServices()).toEqual([]);
  });

  it('compares attributes over the engine spans, as the engine itself does', async () => {
    const q = 'service=faraway&lookback=1h&select=duration&minDuration=100ms';
    const [mine, theirs] = await Promise.all(
      [base, engineBase].map(
        async (b) => ((await (await fetch(`${b}/api/orrery/v1/compare?${q}`)).json()) as { data: unknown }).data,
      ),
    );
    expect(mine).toMatchObject({ selected: 1, baseline: 1 });
    expect(mine).toEqual(theirs);
  });

  it('says the traces come from the Jaeger query API', async () => {
    const { data } = (await (await fetch(`${base}/api/orrery/v1/datasources`)).json()) as {
      data: { signal: string; engine: string; description: string }[];
    };
    expect(data.find((d) => d.signal === 'traces')).toMatchObject({
      engine: 'jaeger',
      description: 'Jaeger query API (1 service)',
    });
  });
});
