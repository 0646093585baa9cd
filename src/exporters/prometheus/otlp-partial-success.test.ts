// End to end: OTLP/HTTP receiver → memory limiter → Prometheus storage exporter → Head. A point
// the store refuses comes back to the client as partial_success (how many, why), and the rest
// of the request is stored; one future-dated point no longer expires everything else.
import { afterEach, describe, expect, it } from 'vitest';
import { LogCounter } from '../../pipeline/log-counter.js';
import { MemoryLimiter } from '../../pipeline/memory-limiter.js';
import { buildPipelines } from '../../pipeline/pipelines.js';
import { createOtlpHttpReceiver, type OtlpHttpReceiver } from '../../receivers/otlp-http.js';
import { RecordingConsumer } from '../../receivers/testing.js';
import { Head } from '../../tsdb/head.js';
import { newMatcher } from '../../labels/matcher.js';
import { PrometheusStorageExporter } from './exporter.js';
import { REFUSAL_REASONS } from './translate.js';

const running: OtlpHttpReceiver[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

const HOUR = 3_600_000;

async function start(now: number) {
  const head = new Head({ retentionMs: 2 * HOUR, now: () => now });
  const exporter = new PrometheusStorageExporter(head);
  const pipelines = buildPipelines({
    limiter: new MemoryLimiter({ limitBytes: Number.MAX_SAFE_INTEGER }),
    traces: [new RecordingConsumer()],
    metrics: [exporter],
    logs: [new LogCounter()],
  });
  const receiver = createOtlpHttpReceiver({ host: '127.0.0.1', port: 0, ...pipelines });
  running.push(receiver);
  await receiver.start();
  const port = receiver.port;
  return { head, url: `http://127.0.0.1:${port}/v1/metrics` };
}

/** An OTLP/JSON export of gauges named `name`, one point per [series label, time ms, value]. */
function gaugeRequest(name: string, points: [string, number, number][]): string {
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'clock-skewed' } }] },
        scopeMetrics: [
          {
            metrics: [
              {
                name,
                gauge: {
                  dataPoints: points.map(([series, t, v]) => ({
                    attributes: [{ key: 'series', value: { stringValue: series } }],
                    timeUnixNano: String(BigInt(t) * 1_000_000n),
                    asDouble: v,
                  })),
                },
              },
            ],
          },
        ],
      },
    ],
  });
}

async function post(url: string, body: string): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  return { status: res.status, json: await res.json() };
}

describe('OTLP/HTTP metrics with a point the store refuses', () => {
  it('answers partial_success for a gauge point dated a year ahead and keeps every other series', async () => {
    const now = Date.UTC(2026, 0, 1);
    const { head, url } = await start(now);
    const points: [string, number, number][] = [];
    for (let k = 0; k < 20; k++) points.push([`s${k}`, now - 60_000, k]);
    const first = await post(url, gaugeRequest('room_temperature', points));
    expect(first).toEqual({ status: 200, json: {} });

    const skewed = await post(
      url,
      gaugeRequest('room_temperature', [
        ['future', now + 365 * 24 * HOUR, 99],
        ['s0', now, 21],
      ]),
    );
    expect(skewed.status).toBe(200);
    expect(skewed.json).toEqual({
      partialSuccess: {
        rejectedDataPoints: '1',
        errorMessage: `1 ${REFUSAL_REASONS['too-far-in-future']}`,
      },
    });
    expect(REFUSAL_REASONS['too-far-in-future']).toMatch(/too far in the future/);

    // Retention ran against the clock, not the refused point: all 20 series are still there.
    head.applyRetention();
    const stored = head.select([newMatcher('=', '__name__', 'room_temperature')], -Infinity, Infinity);
    expect(stored.map((s) => s.labels.find((l) => l.name === 'series')!.value).sort()).toEqual(
      points.map(([series]) => series).sort(),
    );
    expect([...stored.find((s) => s.labels.some((l) => l.value === 's0'))!.v]).toEqual([0, 21]);
    expect(head.stats().tooFarInFutureSamples).toBe(1);
  });

  it('reports out-of-order and too-old points of one request by reason', async () => {
    const now = Date.UTC(2026, 0, 1);
    const { url } = await start(now);
    await post(url, gaugeRequest('g', [['a', now, 1]]));
    const r = await post(
      url,
      gaugeRequest('g', [
        ['a', now - 1000, 2], // before the stored sample: out of order
        ['b', now - 3 * HOUR, 3], // before the 2 h retention
        ['c', now, 4],
      ]),
    );
    expect(r.json).toEqual({
      partialSuccess: {
        rejectedDataPoints: '2',
        errorMessage: `1 ${REFUSAL_REASONS['out-of-order']}; 1 ${REFUSAL_REASONS['too-old']}`,
      },
    });
  });
});
