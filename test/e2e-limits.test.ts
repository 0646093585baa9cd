// Over the memory limit, OTLP input is refused with a retryable answer (and counted as refused),
// never a crash; /readyz and /healthz answer; unknown API paths get JSON 404s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createBackend, type Backend, type BackendPorts } from '../src/server/backend.js';

let backend: Backend;
let ports: BackendPorts;

beforeAll(async () => {
  backend = createBackend({
    port: 0,
    otlpHttpPort: 0,
    otlpGrpcPort: 0,
    memoryLimitBytes: 1, // always over: every batch is refused
    consoleDir: mkdtempSync(path.join(tmpdir(), 'orrery-limits-')),
  });
  ({ ports } = await backend.start());
});
afterAll(() => backend?.stop());

const SPAN = {
  traceId: '5b8efff798038103d269b633813fc60c',
  spanId: 'eee19b7ec3c1b174',
  name: 'GET /',
  kind: 2,
  startTimeUnixNano: String(Date.now() * 1e6),
  endTimeUnixNano: String((Date.now() + 5) * 1e6),
};

describe('limits and health', () => {
  it('refuses over the memory limit with 429/503 and Retry-After, counted as refused', async () => {
    const body = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'limited' } }] },
          scopeSpans: [{ scope: { name: 't' }, spans: [SPAN] }],
        },
      ],
    });
    const r = await fetch(`http://127.0.0.1:${ports.otlpHttp}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect([429, 503]).toContain(r.status);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(backend.traceStore.stats().spans).toBe(0);
    // refused before its body was read, so counted as a request (its spans were never seen)
    expect(backend.selfMetrics.value('orrery_memory_limiter_refused_requests_total', { reason: 'unavailable' })).toBe(
      1,
    );
    expect(backend.spanMetrics.stats().spans).toBe(0);
  });

  it('answers health, readiness and JSON 404s', async () => {
    const api = `http://127.0.0.1:${ports.api}`;
    expect((await fetch(`${api}/healthz`)).status).toBe(200);
    expect((await fetch(`${api}/readyz`)).status).toBe(200);
    const nf = await fetch(`${api}/api/nope`);
    expect(nf.status).toBe(404);
    expect(nf.headers.get('content-type')).toContain('application/json');
    const page = await fetch(`${api}/`);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('console not built: run npm run build');
  });
});
