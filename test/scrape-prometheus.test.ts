// A real Prometheus 2.42 scrapes the backend's /metrics: the exposition must parse, and the span
// metrics must come out with the expected value through Prometheus's own query API. Prometheus is
// started here (free loopback port, temporary storage and config) and stopped by PID; without
// /usr/bin/prometheus the test is skipped with a loud warning, and fails under CI.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { createBackend, type Backend } from '../src/server/backend.js';
import { freePort, PROMETHEUS_BIN as PROMETHEUS } from '../src/api/prometheus/testing/prometheus-process.js';
import { describeNeeding, needPrometheus } from './support/needs.js';

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

describeNeeding([needPrometheus()])('scrape by a real Prometheus 2.42', () => {
  let backend: Backend;
  let prom: ChildProcess | undefined;
  let promUrl: string;
  let promLog = '';
  let otlpUrl = '';
  const dir = mkdtempSync(path.join(tmpdir(), 'orrery-prom-'));

  beforeAll(async () => {
    backend = createBackend({ port: 0, otlpHttpPort: 0, otlpGrpcPort: 0, consoleDir: dir });
    const { ports } = await backend.start();
    otlpUrl = `http://127.0.0.1:${ports.otlpHttp}/v1/traces`;
    const config = path.join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: orrery',
        '    honor_labels: true', // keep each service's job/instance, as with the Collector's exporter
        '    static_configs:',
        `      - targets: ['127.0.0.1:${ports.api}']`,
        '',
      ].join('\n'),
    );
    for (let attempt = 0; attempt < 3 && !prom; attempt++) {
      const port = await freePort();
      const child = spawn(
        PROMETHEUS,
        [
          `--config.file=${config}`,
          `--storage.tsdb.path=${path.join(dir, `data-${attempt}`)}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      child.stderr!.on('data', (d: Buffer) => (promLog += d.toString()));
      promUrl = `http://127.0.0.1:${port}`;
      const up = await waitFor(
        'Prometheus ready',
        async () => {
          if (child.exitCode !== null) return false;
          const r = await fetch(`${promUrl}/-/ready`);
          return r.ok ? true : undefined;
        },
        20_000,
      ).catch(() => false);
      if (up) prom = child;
      else child.kill('SIGKILL');
    }
    if (!prom) throw new Error(`Prometheus did not start:\n${promLog}`);
  });

  afterAll(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((r) => prom!.once('exit', r));
      process.kill(prom.pid!, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (prom.exitCode === null) process.kill(prom.pid!, 'SIGKILL');
    }
    await backend?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes span metrics and self-metrics with the expected values', async () => {
    const tp = new BasicTracerProvider({
      resource: resourceFromAttributes({
        'service.name': 'scrapetest',
        'service.namespace': 'opentelemetry-demo',
        'service.instance.id': 'scrapetest-1',
      }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: otlpUrl }))],
    });
    const tracer = tp.getTracer('scrape');
    const t0 = Date.now() - 1000;
    for (let i = 0; i < 7; i++) tracer.startSpan('GET /', { kind: SpanKind.SERVER, startTime: t0 }).end(t0 + 30);
    await tp.forceFlush();
    await tp.shutdown();

    const query = async (q: string) => {
      const r = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
      return (await r.json()) as {
        status: string;
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
    };
    const result = await waitFor(
      'traces_span_metrics_calls_total in Prometheus',
      async () => {
        const r = await query('traces_span_metrics_calls_total{service_name="scrapetest"}');
        return r.data.result.length > 0 ? r.data.result : undefined;
      },
      30_000,
    );
    expect(result).toHaveLength(1);
    expect(result[0]!.value[1]).toBe('7');
    expect(result[0]!.metric).toMatchObject({
      job: 'opentelemetry-demo/scrapetest',
      instance: 'scrapetest-1',
      span_name: 'GET /',
      span_kind: 'SPAN_KIND_SERVER',
      status_code: 'STATUS_CODE_UNSET',
    });
    const le50 = await query('traces_span_metrics_duration_milliseconds_bucket{service_name="scrapetest",le="50"}');
    expect(le50.data.result[0]!.value[1]).toBe('7');
    const self = await query('otelcol_receiver_accepted_spans_total{transport="http"}');
    expect(Number(self.data.result[0]!.value[1])).toBeGreaterThanOrEqual(7);
    const up = await query('up{job="orrery"}');
    expect(up.data.result[0]!.value[1]).toBe('1');
  });
});
