// The diagnosis API end to end: a backend on ephemeral ports fed over OTLP/HTTP (JSON), spans
// where cache misses are slow and a memory series that starts leaking after a flag change; then
// /api/orrery/v1/compare and /api/orrery/v1/findings as a client reads them, and bad input.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comparison } from '../../diagnosis/compare.js';
import type { Finding } from '../../diagnosis/findings.js';
import { ComparePool } from '../../diagnosis/compare-pool.js';
import { Engine } from '../../promql/engine.js';
import { createBackend, type Backend } from '../../server/backend.js';
import type { ApiResponse, Handler, Router } from '../http.js';
import { registerOrreryApi } from './index.js';

let backend: Backend;
let api: string;
let otlp: string;
const NOW = Date.now();
const MINUTE = 60_000;
const START = NOW - 15 * MINUTE;

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const hex = (n: number, digits: number): string => n.toString(16).padStart(digits, '0');
const str = (key: string, v: string): unknown => ({ key, value: { stringValue: v } });
const resource = (service: string): unknown => ({
  attributes: [str('service.name', service), str('service.instance.id', `${service}-1`)],
});

async function post(pathname: string, body: unknown): Promise<number> {
  const res = await fetch(otlp + pathname, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.text();
  return res.status;
}

/** What the API answers: data on 200, a message on 400. */
interface Answer<T> {
  readonly data: T;
  readonly message?: string;
}

async function get<T = Comparison>(pathname: string): Promise<{ status: number; body: Answer<T> }> {
  const res = await fetch(api + pathname);
  const text = await res.text();
  expect(text).not.toMatch(/NaN/);
  return { status: res.status, body: JSON.parse(text) as Answer<T> };
}

beforeAll(async () => {
  backend = createBackend({
    port: 0,
    otlpHttpPort: 0,
    otlpGrpcPort: 0,
    spanMetricsIntervalMs: 3_600_000,
    consoleDir: mkdtempSync(path.join(tmpdir(), 'orrery-diag-console-')),
  });
  const { ports } = await backend.start();
  api = `http://127.0.0.1:${ports.api}`;
  otlp = `http://127.0.0.1:${ports.otlpHttp}`;

  // 400 get_product_list spans over the last 10 minutes; a cache miss (25 %) is slow and has
  // larger product counts
  const rnd = random(11);
  const spans: unknown[] = [];
  for (let i = 0; i < 400; i++) {
    const miss = rnd() < 0.25;
    const startNs = BigInt(NOW - 10 * MINUTE + i * 1500) * 1_000_000n;
    const durNs = BigInt(Math.round((miss ? 400 + rnd() * 800 : 5 + rnd() * 50) * 1e6));
    spans.push({
      traceId: hex(i + 1, 32),
      spanId: hex(i + 1, 16),
      name: 'get_product_list',
      kind: 1,
      startTimeUnixNano: String(startNs),
      endTimeUnixNano: String(startNs + durNs),
      attributes: [
        { key: 'app.cache_hit', value: { boolValue: !miss } },
        { key: 'app.products.count', value: { intValue: String(miss ? 1000 + i * 10 : 10) } },
        { key: 'app.filtered_products.count', value: { intValue: String(miss ? 5 + (i % 5) : 5) } },
        str('app.request.id', `req-${i}-${Math.floor(rnd() * 1e9)}`),
        str('app.shard', `s${Math.floor(rnd() * 4)}`),
      ],
    });
  }
  expect(
    await post('/v1/traces', {
      resourceSpans: [{ resource: resource('recommendationservice'), scopeSpans: [{ scope: { name: 'rec' }, spans }] }],
    }),
  ).toBe(200);

  // memory every 10 s: flat for 5 minutes, then +12 MB/min (recommendationservice); flat (cartservice)
  const noise = random(5);
  const points = (leak: boolean): unknown[] => {
    const out: unknown[] = [];
    for (let t = START; t <= NOW; t += 10_000) {
      const min = (t - START) / MINUTE;
      const bytes = 150e6 + (leak ? Math.max(0, min - 5) * 12e6 : 0) + (noise() * 2 - 1) * 4e6;
      out.push({ timeUnixNano: String(BigInt(t) * 1_000_000n), asInt: String(Math.round(bytes)) });
    }
    return out;
  };
  for (const [service, leak] of [
    ['recommendationservice', true],
    ['cartservice', false],
  ] as const) {
    const body = {
      resourceMetrics: [
        {
          resource: resource(service),
          scopeMetrics: [
            {
              scope: { name: '@opentelemetry/instrumentation-host-metrics' },
              metrics: [{ name: 'process.memory.usage', gauge: { dataPoints: points(leak) } }],
            },
          ],
        },
      ],
    };
    expect(await post('/v1/metrics', body)).toBe(200);
  }
  backend.annotations.add({
    time: START + 4 * MINUTE,
    tags: ['flag', 'recommendationCache'],
    text: 'recommendationCache → on',
  });
});

afterAll(async () => {
  await backend?.stop();
});

describe('GET /api/orrery/v1/compare', () => {
  it('ranks app.cache_hit first for the slowest 5 %, in the documented shape', async () => {
    const { status, body } = await get(
      '/api/orrery/v1/compare?service=recommendationservice&operation=get_product_list&lookback=15m&select=slowest&percent=5',
    );
    expect(status).toBe(200);
    expect(body.data.selected).toBe(20);
    expect(body.data.baseline).toBe(380);
    const first = body.data.attributes[0]!;
    expect(first).toMatchObject({ key: 'app.cache_hit', kind: 'categorical' });
    expect(first.score).toBeGreaterThan(0.5);
    expect(typeof first.explanation).toBe('string');
    expect(Array.isArray(first.values)).toBe(true);
    const keys: string[] = body.data.attributes.map((a: { key: string }) => a.key);
    expect(keys.slice(0, 3)).not.toContain('app.request.id');
    expect(keys.slice(0, 3)).not.toContain('app.shard');
    // resource attributes are compared too
    expect(keys).toContain('service.instance.id');
  });

  it('takes tags as the Jaeger API does and a duration selection', async () => {
    const { status, body } = await get(
      '/api/orrery/v1/compare?service=recommendationservice&lookback=1h&tags=%7B%22app.cache_hit%22%3A%22false%22%7D&select=duration&minDuration=1s',
    );
    expect(status).toBe(200);
    expect(body.data.selected + body.data.baseline).toBeLessThan(200); // only the misses
    expect(body.data.selected).toBeGreaterThan(0);
  });

  it('selects a brushed region: start times in µs × a duration range', async () => {
    // spans start every 1.5 s from 10 minutes ago; the region holds the first 200, above 300 ms
    const from = (NOW - 10 * MINUTE) * 1000;
    const to = (NOW - 10 * MINUTE + 199 * 1500) * 1000;
    const base = `/api/orrery/v1/compare?service=recommendationservice&lookback=15m&select=region&regionStart=${from}&regionEnd=${to}`;
    const { status, body } = await get(`${base}&minDuration=300ms`);
    expect(status).toBe(200);
    expect(body.data.selected).toBeGreaterThan(20);
    expect(body.data.selected).toBeLessThan(100);
    expect(body.data.selected + body.data.baseline).toBe(400);
    expect(body.data.attributes[0]!.key).toMatch(/^app\.(cache_hit|products\.count)$/);
    const band = await get(`${base}&minDuration=0s&maxDuration=1h`);
    expect(band.body.data.selected).toBe(200);
  });

  it('answers a window without spans or an empty selection with a message', async () => {
    const empty = await get(`/api/orrery/v1/compare?service=recommendationservice&start=1000&end=2000&select=errors`);
    expect(empty.status).toBe(200);
    expect(empty.body.data).toMatchObject({ selected: 0, baseline: 0, attributes: [] });
    expect(empty.body.data.message).toMatch(/no spans/);
    const none = await get(`/api/orrery/v1/compare?service=recommendationservice&lookback=1h&select=errors`);
    expect(none.body.data.message).toMatch(/selection is empty/);
    const unknown = await get(`/api/orrery/v1/compare?service=nosuchservice&select=errors`);
    expect(unknown.body.data.message).toMatch(/no spans/);
  });

  it('refuses parameters that do not parse with 400 and a message', async () => {
    for (const q of [
      'select=slowest', // no service
      'service=recommendationservice', // no select
      'service=recommendationservice&select=fastest',
      'service=recommendationservice&select=slowest&percent=abc',
      'service=recommendationservice&select=slowest&percent=100',
      'service=recommendationservice&select=duration',
      'service=recommendationservice&select=duration&minDuration=12',
      'service=recommendationservice&select=duration&minDuration=2s&maxDuration=1s',
      'service=recommendationservice&select=errors&lookback=forever',
      'service=recommendationservice&select=errors&start=5&end=1',
      'service=recommendationservice&select=errors&tags=%5B1%5D',
      'service=recommendationservice&select=region&regionStart=1',
      'service=recommendationservice&select=region&regionStart=x&regionEnd=2',
      'service=recommendationservice&select=region&regionStart=5&regionEnd=1',
      'service=recommendationservice&select=region&regionStart=1&regionEnd=2&maxDuration=soon',
    ]) {
      const { status, body } = await get(`/api/orrery/v1/compare?${q}`);
      expect(status, q).toBe(400);
      expect(typeof body.message, q).toBe('string');
    }
  });
});

describe('GET /api/orrery/v1/compare past its deadline', () => {
  it('answers 503 with a message, and the next comparison in time is answered', async () => {
    const handlers = new Map<string, Handler>();
    const router: Router = { route: (_m, pattern, h) => handlers.set(pattern, h), raw: () => undefined };
    const slow = new ComparePool({ timeoutMs: 1 }); // shorter than starting its worker
    const { traceStore, storage, annotations } = backend;
    registerOrreryApi(router, { traces: traceStore, comparer: slow, engine: new Engine(), storage, annotations });
    const request = (query: string): Promise<ApiResponse> =>
      Promise.resolve(
        handlers.get('/api/orrery/v1/compare')!({
          method: 'GET',
          path: '/api/orrery/v1/compare',
          params: {},
          query: new URLSearchParams(query),
          headers: {},
          body: Buffer.alloc(0),
        }),
      );
    try {
      const late = await request('service=recommendationservice&lookback=1h&select=slowest&percent=5');
      expect(late.status).toBe(503);
      expect((late.body as { message: string }).message).toMatch(/did not finish within/);
    } finally {
      await slow.shutdown();
    }
  });
});

describe('GET /api/orrery/v1/findings', () => {
  it('finds the leak of recommendationservice, names the flag change and links the comparison', async () => {
    const { status, body } = await get<Finding[]>('/api/orrery/v1/findings?lookback=15m');
    expect(status).toBe(200);
    const findings = body.data;
    expect(findings.filter((f) => f.service === 'cartservice')).toEqual([]);
    const leak = findings.find((f) => f.service === 'recommendationservice' && f.kind === 'memory_growth');
    if (!leak) throw new Error(`no memory_growth finding for recommendationservice: ${JSON.stringify(findings)}`);
    expect(leak.slopeBytesPerMin / 1e6).toBeGreaterThan(9);
    expect(leak.slopeBytesPerMin / 1e6).toBeLessThan(15);
    expect(Math.abs(leak.since - (START + 5 * MINUTE))).toBeLessThanOrEqual(1.5 * MINUTE);
    expect(leak.restarts).toBe(0);
    expect(leak.flagChanges).toEqual([{ flag: 'recommendationCache', value: 'on', at: START + 4 * MINUTE }]);
    expect(leak.summary).toMatch(
      /^recommendationservice: memory rising 1\d MB\/min since \d\d:\d\d; recommendationCache was switched on at \d\d:\d\d$/,
    );
    expect(leak.consoleUrl).toMatch(
      /^\/diagnosis\/compare\?service=recommendationservice&start=\d+&end=\d+&select=slowest&percent=5$/,
    );
    const compared = await get(leak.compareUrl);
    expect(compared.status).toBe(200);
    expect(compared.body.data.attributes[0]!.key).toBe('app.cache_hit');
  });

  it('refuses a lookback that does not parse', async () => {
    for (const q of ['lookback=abc', 'lookback=10s', 'lookback=48h', 'end=yesterday']) {
      const { status, body } = await get(`/api/orrery/v1/findings?${q}`);
      expect(status, q).toBe(400);
      expect(typeof body.message).toBe('string');
    }
  });
});
