// Large exports must not stall the process: while 16 MiB OTLP/JSON exports arrive, /healthz (any
// other request on the event loop) keeps answering fast. The worker runs from dist/ (compiled
// from these sources; the test run's global setup rebuilds it when stale). The same run measures the reference:
// the same exports decoded and stored in one go, as before the decode pool.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { demoSpans } from '../otlp/testing/demo-spans.js';
import { TraceStore } from '../traces/store.js';
import { DecodePool } from './decode-pool.js';
import { createOtlpHttpReceiver } from './otlp-http.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORKER = path.join(ROOT, 'dist', 'src', 'receivers', 'decode-worker.js');

interface Run {
  p99: number;
  max: number;
  /** the longest time between two answered probes: how long the event loop was away */
  longestGap: number;
  probes: number;
  spans: number;
}

/** Posts `exports` copies of `body` one after the other while probing a health endpoint every 5 ms. */
async function measure(pool: DecodePool | undefined, body: Buffer, exports: number): Promise<Run> {
  const store = new TraceStore({ budgetBytes: 1e12 });
  const receiver = createOtlpHttpReceiver({
    port: 0,
    maxBodyBytes: 64 * 1024 * 1024,
    traces: store,
    metrics: { consumeMetrics: () => {} },
    logs: { consumeLogs: () => {} },
    decodePool: pool,
  });
  await receiver.start();
  const health = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
  const healthPort = (health.address() as AddressInfo).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (): Promise<void> =>
    new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: healthPort, path: '/healthz', agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
  // The probes run in this process, like the receiver: a stalled event loop delays sending them as
  // much as answering them, so a probe's own latency can look short while the loop was away. The
  // gap between consecutive answers measures the stall whichever side it falls on.
  const latencies: number[] = [];
  const answeredAt: number[] = [];
  let done = false;
  const probing = (async () => {
    while (!done) {
      const t0 = performance.now();
      await get();
      const t1 = performance.now();
      latencies.push(t1 - t0);
      answeredAt.push(t1);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  try {
    for (let i = 0; i < exports; i++) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port: receiver.port,
            method: 'POST',
            path: '/v1/traces',
            headers: { 'content-type': 'application/json', 'content-length': body.length },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      expect(status).toBe(200);
    }
  } finally {
    done = true;
    await probing;
    agent.destroy();
    await new Promise((r) => health.close(r));
    await receiver.stop();
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  let longestGap = 0;
  for (let i = 1; i < answeredAt.length; i++) longestGap = Math.max(longestGap, answeredAt[i]! - answeredAt[i - 1]!);
  return {
    longestGap,
    p99: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!,
    max: sorted[sorted.length - 1]!,
    probes: sorted.length,
    spans: store.stats().spans,
  };
}

describe('decode pool', () => {
  it('keeps /healthz fast while 16 MiB JSON exports arrive', async () => {
    const spans = 17_000;
    const body = Buffer.from(JsonTraceSerializer.serializeRequest(demoSpans(spans, Date.now()))!);
    expect(body.length).toBeGreaterThan(15 * 1024 * 1024);
    const exports = 3;
    const pool = new DecodePool({ workerUrl: pathToFileURL(WORKER) });
    expect(pool.usesWorker).toBe(true);
    try {
      const whole = await measure(undefined, body, exports);
      const pieces = await measure(pool, body, exports);
      const f = (r: Run) =>
        `longest gap between answers ${r.longestGap.toFixed(0)} ms; probe p99 ${r.p99.toFixed(0)} ms, max ${r.max.toFixed(0)} ms over ${r.probes} probes`;
      console.log(
        `/healthz during ${exports} exports of ${(body.length / 1048576).toFixed(1)} MiB OTLP/JSON (${spans} spans each):\n` +
          `  decode worker + pieces: ${f(pieces)}\n  reference, decoded and stored in one go: ${f(whole)}`,
      );
      expect(pieces.spans).toBe(spans * exports);
      expect(whole.spans).toBe(spans * exports);
      expect(pieces.longestGap).toBeLessThan(whole.longestGap / 2);
      expect(pieces.longestGap).toBeLessThan(250);
      expect(pieces.p99).toBeLessThan(250);
    } finally {
      await pool.shutdown();
    }
  }, 180_000);

  it('a malformed large body is a clear 400 from the worker, and nothing is stored', async () => {
    const pool = new DecodePool({ workerUrl: pathToFileURL(WORKER), thresholdBytes: 1024 });
    try {
      const received: unknown[] = [];
      const bad = Buffer.from(`{"resourceSpans":[{"scopeSpans":[{"spans":[${'{"traceId":"zz"},'.repeat(200)}{}]}]}]}`);
      const outcome = await pool.decode('traces', 'json', bad, (batch) => {
        received.push(batch);
        return true;
      });
      expect(outcome.kind).toBe('invalid');
      expect(received).toHaveLength(0);
    } finally {
      await pool.shutdown();
    }
  });
});
