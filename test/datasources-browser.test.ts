// The console over real engines: a real Prometheus 2.42 holds the metrics (sent by remote write)
// and a second Orrery serves the Jaeger query API (the protocol a real Jaeger serves); a backend
// started with both as data sources serves the console. In Chromium the Demo Dashboard is drawn
// from Prometheus's answers (each panel's answer compared byte for byte with Prometheus's own),
// the status line names both engines, and a trace held only by the second Orrery is found and
// opened.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDemoData, timeWindows } from '../src/api/prometheus/testing/demo-data.js';
import { startPrometheus, type PrometheusProcess } from '../src/api/prometheus/testing/prometheus-process.js';
import { remoteWrite } from '../src/api/prometheus/testing/remote-write.js';
import { parseUpstream } from '../src/datasources/upstream.js';
import { createBackend, type Backend } from '../src/server/backend.js';
import { packageRoot } from '../src/server/paths.js';
import { batch, sid, span, tid } from '../src/traces/testdata.js';
import { launchChromium } from './support/browser.js';
import { describeNeeding, needChromium, needPrometheus } from './support/needs.js';

const ARTIFACTS = join(packageRoot(), 'test-artifacts');
const ports = { port: 0, otlpHttpPort: 0, otlpGrpcPort: 0 } as const;

describeNeeding([needPrometheus(), needChromium()])(
  'the console over a real Prometheus and a Jaeger-API engine',
  () => {
    let prom: PrometheusProcess;
    let jaegerEngine: Backend;
    let front: Backend;
    let base: string;
    let context: BrowserContext;
    let page: Page;
    const traceId = tid(42);
    let engineUrl = '';

    beforeAll(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      prom = await startPrometheus();
      const interval = 10_000;
      const start = Math.floor((Date.now() - 3_600_000) / interval) * interval;
      const data = generateDemoData({ start, durationMs: 3_600_000, intervalMs: interval, seed: 11 });
      for (const window of timeWindows(data, 600_000)) await remoteWrite(prom.url, window);

      jaegerEngine = createBackend(ports);
      engineUrl = `http://127.0.0.1:${(await jaegerEngine.start()).ports.api}`;
      const now = Date.now();
      jaegerEngine.traceStore.consumeTraces(
        batch({
          service: 'remoteshop',
          spans: [
            span({ traceId, spanId: sid(1), name: 'GET /remote', startMs: now - 60_000, durationMs: 250 }),
            span({
              traceId,
              spanId: sid(2),
              parentSpanId: sid(1),
              name: 'remote lookup',
              startMs: now - 59_990,
              durationMs: 200,
            }),
          ],
        }),
      );

      front = createBackend({
        ...ports,
        dataSources: {
          prometheus: parseUpstream('prometheus', '--prometheus-url', prom.url),
          jaeger: parseUpstream('jaeger', '--jaeger-url', engineUrl),
        },
      });
      base = `http://127.0.0.1:${(await front.start()).ports.api}`;
      context = await launchChromium({ width: 1500, height: 1000 });
      page = await context.newPage();
    }, 300_000);

    afterAll(async () => {
      await context?.close();
      await front?.stop();
      await jaegerEngine?.stop();
      await prom?.stop();
    });

    it('draws the Demo Dashboard from Prometheus and says so', async () => {
      const answers: { body: string; response: Promise<string> }[] = [];
      page.on('response', (r) => {
        if (new URL(r.url()).pathname === '/api/v1/query_range')
          answers.push({ body: r.request().postData() ?? '', response: r.text() });
      });
      await page.goto(`${base}/d/demo?from=now-1h&to=now`);
      await page.waitForFunction(
        () => {
          // six metric panels drawn from Prometheus; the logs panel reads Orrery's own log store
          const panels = [...document.querySelectorAll('.panel:not([data-panel-type="logs"])')];
          return panels.length === 6 && panels.every((p) => p.getAttribute('data-state') === 'data');
        },
        undefined,
        { timeout: 60_000 },
      );
      await page.screenshot({ path: join(ARTIFACTS, 'datasources-demo-dashboard.png'), fullPage: true });
      // The embedded TSDB holds none of this: every drawn series came from Prometheus.
      expect(front.storage.stats().series).toBeLessThan(200);
      expect(answers.length).toBeGreaterThanOrEqual(6);
      for (const a of answers) {
        const direct = await fetch(`${prom.url}/api/v1/query_range`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: a.body,
        });
        expect(await a.response, new URLSearchParams(a.body).get('query') ?? '').toBe(await direct.text());
      }
      const status = page.locator('.topbar .datasources');
      await status.locator('[data-signal="metrics"][data-engine="prometheus"]').waitFor();
      expect(await status.locator('[data-signal="metrics"]').textContent()).toMatch(
        new RegExp(`^Metrics: Prometheus 2\\.42\\.\\S* at ${prom.url.replace(/\./g, '\\.')}$`),
      );
      expect(await status.locator('[data-signal="traces"]').textContent()).toBe(
        `Traces: Jaeger query API (1 service) at ${engineUrl}`,
      );
    });

    it('finds and opens a trace the Jaeger-API engine holds', async () => {
      await page.goto(`${base}/search?service=remoteshop&lookback=1h`);
      const result = page.locator(`a[href*="/trace/${traceId}"]`).first();
      await result.waitFor({ timeout: 30_000 });
      await result.click();
      await page.waitForURL(`**/trace/${traceId}**`);
      await page.getByText('remote lookup').first().waitFor({ timeout: 30_000 });
      expect(front.traceStore.getServices()).toEqual([]);
    });
  },
);
