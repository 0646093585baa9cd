// The composition root: every part registers its own self-metrics, proxies come only from the
// configuration, and a start that fails half-way shuts down what had started.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SELF_METRICS } from '../names/contract.js';
import { newMatcher } from '../labels/matcher.js';
import { createBackend, type Backend } from './backend.js';

const dirs: string[] = [];
const backends: Backend[] = [];
afterEach(async () => {
  for (const b of backends.splice(0)) await b.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function consoleDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'orrery-backend-'));
  dirs.push(d);
  return d;
}

async function started(config: Parameters<typeof createBackend>[0] = {}) {
  const backend = createBackend({ port: 0, otlpHttpPort: 0, otlpGrpcPort: 0, consoleDir: consoleDir(), ...config });
  backends.push(backend);
  const { ports } = await backend.start();
  return { backend, ports };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

describe('backend composition', () => {
  it("every part's self-metrics are registered by the part, under the contract's names", async () => {
    const { backend, ports } = await started();
    const span = {
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      name: 'GET /',
      kind: 2,
      startTimeUnixNano: String(Date.now() * 1e6),
      endTimeUnixNano: String((Date.now() + 5) * 1e6),
    };
    const r = await fetch(`http://127.0.0.1:${ports.otlpHttp}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
            scopeSpans: [{ spans: [span] }],
          },
        ],
      }),
    });
    expect(r.status).toBe(200);
    backend.tick();
    const m = backend.selfMetrics;
    expect(m.value(SELF_METRICS.storedTraces)).toBe(1);
    expect(m.value(SELF_METRICS.storedSpans)).toBe(1);
    expect(m.value(SELF_METRICS.traceStoreBytes)).toBeGreaterThan(0);
    expect(m.value(SELF_METRICS.droppedSpans)).toBe(0);
    expect(m.value(SELF_METRICS.headSeries)).toBeGreaterThan(0);
    expect(m.value(SELF_METRICS.headSamples)).toBeGreaterThan(0);
    expect(m.value(SELF_METRICS.outOfOrderSamples, { type: 'float' })).toBe(0);
    expect(m.value(SELF_METRICS.processRss)).toBeGreaterThan(0);
    expect(m.value('orrery_memory_limiter_refused_batches_total')).toBe(0);
    expect(m.value('orrery_memory_limiter_in_flight_bytes')).toBe(0);
    expect(m.value('orrery_logs_received_log_records_total')).toBe(0);
    expect(m.value('orrery_spanmetrics_series')).toBe(1);
    expect(m.value(SELF_METRICS.acceptedSpans, { receiver: 'otlp', transport: 'http' })).toBe(1);
    // the self-scrape wrote them into the store, as job="orrery"
    const series = backend.storage.select(
      [newMatcher('=', '__name__', SELF_METRICS.storedSpans), newMatcher('=', 'job', 'orrery')],
      0,
      Date.now() + 1000,
    );
    expect(series).toHaveLength(1);
  });

  it('proxies only the prefixes the configuration names', async () => {
    const plain = await started();
    expect((await fetch(`http://127.0.0.1:${plain.ports.api}/api/flags`)).status).toBe(404);
    // Not configured: there is no route to point anywhere, and saying so beats ignoring it.
    expect(() => plain.backend.setProxyTarget('/api/load', 'http://127.0.0.1:1')).toThrow(/no proxy route/);
    expect((await fetch(`http://127.0.0.1:${plain.ports.api}/api/load`)).status).toBe(404);

    const demo = await started({ proxies: { '/api/flags': undefined } });
    const unset = await fetch(`http://127.0.0.1:${demo.ports.api}/api/flags`);
    expect(unset.status).toBe(502);
    expect(await unset.text()).toMatch(/no upstream configured for \/api\/flags/);
  });

  it('a start that fails half-way shuts down every part already started', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const grpcPort = (taken.address() as net.AddressInfo).port;
    const apiPort = await freePort();
    const httpPort = await freePort();
    const dir = consoleDir();
    try {
      const backend = createBackend({
        port: apiPort,
        otlpHttpPort: httpPort,
        otlpGrpcPort: grpcPort,
        consoleDir: dir,
        dataDir: path.join(dir, 'data'),
      });
      await expect(backend.start()).rejects.toThrow();
      expect(await canListen(apiPort)).toBe(true);
      expect(await canListen(httpPort)).toBe(true);
      await backend.stop(); // stopping a backend that never started is harmless
    } finally {
      taken.close();
    }
  });
});
