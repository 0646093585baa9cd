// `orrery serve --forward-otlp` end to end inside one process: an Orrery in front of another
// OTLP backend (a second Orrery, or a fake upstream that goes down and comes back).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeTracesRequest } from '../../otlp/decode-protobuf.js';
import { demoSpans } from '../../otlp/testing/demo-spans.js';
import { createBackend, type Backend, type BackendConfig } from '../../server/backend.js';
import { parseOtlpTarget } from './target.js';
import { FakeUpstream } from './testing.js';

const dirs: string[] = [];
const backends: Backend[] = [];
const upstreams: FakeUpstream[] = [];
afterEach(async () => {
  for (const b of backends.splice(0)) await b.stop();
  for (const u of upstreams.splice(0)) await u.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'orrery-forward-'));
  dirs.push(d);
  return d;
}

async function started(config: BackendConfig) {
  const backend = createBackend({ port: 0, otlpHttpPort: 0, otlpGrpcPort: 0, consoleDir: tempDir(), ...config });
  backends.push(backend);
  const { ports } = await backend.start();
  return { backend, ports, stop: () => backend.stop() };
}

let n = 0;
function spanRequest(): { body: string; spanId: string } {
  n++;
  const spanId = n.toString(16).padStart(16, '0');
  const now = Date.now() * 1e6;
  return {
    spanId,
    body: JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: n.toString(16).padStart(32, 'a'),
                  spanId,
                  name: 'GET /cart',
                  kind: 2,
                  startTimeUnixNano: String(now),
                  endTimeUnixNano: String(now + 1e6),
                },
              ],
            },
          ],
        },
      ],
    }),
  };
}

function post(port: number, body: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
}

describe('orrery in front of another OTLP backend', () => {
  it('forwards what it accepts to a second Orrery over gRPC and keeps its own copy; --no-local-traces keeps none', async () => {
    const downstream = await started({});
    const front = await started({ forwardOtlp: [parseOtlpTarget(`grpc://127.0.0.1:${downstream.ports.otlpGrpc}`)] });
    const edge = await started({
      forwardOtlp: [parseOtlpTarget(`http://127.0.0.1:${downstream.ports.otlpHttp}`)],
      localTraces: false,
    });
    const a = spanRequest();
    const b = spanRequest();
    expect((await post(front.ports.otlpHttp, a.body)).status).toBe(200);
    expect((await post(edge.ports.otlpHttp, b.body)).status).toBe(200);
    // the upstream stores the spans before it answers, and a forwarder counts them sent once the
    // answer is back: wait for both
    const sent = (b: typeof front, exporter: string): number | undefined =>
      b.backend.selfMetrics.value('otelcol_exporter_sent_spans_total', { exporter });
    for (
      let i = 0;
      i < 100 &&
      (downstream.backend.traceStore.stats().spans < 2 ||
        sent(front, 'otlp/0') !== 1 ||
        sent(edge, 'otlphttp/0') !== 1);
      i++
    )
      await new Promise((r) => setTimeout(r, 20));
    expect(downstream.backend.traceStore.stats().spans).toBe(2);
    expect(front.backend.traceStore.stats().spans).toBe(1);
    expect(edge.backend.traceStore.stats().spans).toBe(0);
    expect(front.backend.selfMetrics.value('otelcol_exporter_sent_spans_total', { exporter: 'otlp/0' })).toBe(1);
    expect(edge.backend.selfMetrics.value('otelcol_exporter_sent_spans_total', { exporter: 'otlphttp/0' })).toBe(1);
  });

  it('upstream down: senders get 503 + Retry-After once the queue is full; everything accepted arrives once it is back', async () => {
    const up = new FakeUpstream();
    upstreams.push(up);
    await up.start();
    await up.stop();
    const front = await started({
      forwardOtlp: [parseOtlpTarget(up.url)],
      forwardQueue: { capacity: 4, backoff: { initialMs: 10, maxMs: 50, jitter: 0 } },
    });
    const accepted: string[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 10 && !refused; i++) {
      const r = spanRequest();
      const res = await post(front.ports.otlpHttp, r.body);
      if (res.status === 200) accepted.push(r.spanId);
      else refused = res;
    }
    expect(accepted).toHaveLength(4);
    expect(refused?.status).toBe(503);
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused?.text()).toMatch(/sending queue .* is full/);
    expect(front.backend.traceStore.stats().spans).toBe(4); // the refused batch was kept by nobody

    await up.start();
    const q = () => front.backend.selfMetrics.value('otelcol_exporter_sent_spans_total', { exporter: 'otlphttp/0' });
    for (let i = 0; i < 200 && q() !== 4; i++) await new Promise((r) => setTimeout(r, 10));
    const got = up.accepted.flatMap((r) =>
      decodeTracesRequest(r.body).resourceSpans.flatMap((rs) =>
        rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.spanId)),
      ),
    );
    expect(got.sort()).toEqual(accepted.sort());
  });

  it("a client's gzip protobuf request reaches an OTLP/HTTP upstream as the very bytes the client sent", async () => {
    const up = new FakeUpstream();
    upstreams.push(up);
    await up.start();
    const front = await started({ forwardOtlp: [parseOtlpTarget(up.url)] });
    const gz = gzipSync(ProtobufTraceSerializer.serializeRequest(demoSpans(20))!, { level: 9 });
    const res = await fetch(`http://127.0.0.1:${front.ports.otlpHttp}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
      body: gz,
    });
    expect(res.status).toBe(200);
    for (let i = 0; i < 200 && up.accepted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(up.accepted).toHaveLength(1);
    expect(up.accepted[0]!.headers['content-encoding']).toBe('gzip');
    expect(Buffer.from(up.accepted[0]!.raw).equals(gz)).toBe(true);
    expect(front.backend.traceStore.stats().spans).toBe(20);
  });

  it('with --data-dir a restart loses nothing queued: the next run sends it', async () => {
    const dataDir = tempDir();
    const up = new FakeUpstream();
    upstreams.push(up);
    await up.start();
    await up.stop();
    const config: BackendConfig = {
      dataDir,
      forwardOtlp: [parseOtlpTarget(up.url)],
      forwardQueue: { backoff: { initialMs: 10, maxMs: 50, jitter: 0 } },
    };
    const first = await started(config);
    const sent = [spanRequest(), spanRequest(), spanRequest()];
    for (const r of sent) expect((await post(first.ports.otlpHttp, r.body)).status).toBe(200);
    await first.stop();

    await up.start();
    const second = await started(config);
    const got = (): string[] =>
      up.accepted.flatMap((r) =>
        decodeTracesRequest(r.body).resourceSpans.flatMap((rs) =>
          rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.spanId)),
        ),
      );
    const sentCount = () =>
      second.backend.selfMetrics.value('otelcol_exporter_sent_spans_total', { exporter: 'otlphttp/0' });
    for (let i = 0; i < 200 && sentCount() !== 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(got().sort()).toEqual(sent.map((r) => r.spanId).sort());
    expect(sentCount()).toBe(3);
  });
});
