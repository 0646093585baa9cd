// Logs beside traces, by clicking, in a real browser: against `orrery demo` on free ports with a
// small heap and a busy load, recommendationCache goes on; recommendationservice's cache-miss log
// lines (found through the Loki API) carry the trace ID of a slow trace (its get_product_list far
// slower than before the flag). In the console: the Logs page shows that line with its level and
// volume, "View trace" opens the trace with get_product_list selected, "Logs for this span" comes
// back to the line, "Logs for this trace" shows the frontend's line of the same request; the query
// box completes stream labels and values; the Demo Dashboard's logs panel lists the misses; and
// the supervisor's out-of-memory exit is a log line at error level. Screenshots go to
// test-artifacts/.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { ARTIFACTS, useDemoInBrowser } from './support/demo-browser.js';
import { describeNeeding, needChromium } from './support/needs.js';

const REC = 'recommendationservice';
const MISSES = `{service_name="${REC}"} |= "cache miss"`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface LokiStreams {
  data: { result: { stream: Record<string, string>; values: [string, string, Record<string, unknown>?][] }[] };
}
interface JaegerTraces {
  data: { traceID: string; spans: { spanID: string; operationName: string; duration: number }[] }[];
}

describeNeeding([needChromium()])('logs in the console, tied to traces', () => {
  const demo = useDemoInBrowser({ prefix: 'logs' });
  let base = '';
  let page: Page;
  beforeAll(() => {
    base = demo.base;
    page = demo.page;
  });

  // categorized: structured metadata (trace_id, span_id…) apart from the stream labels, as Grafana asks
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(base + path, { headers: { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' } });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const loki = (query: string, sinceS: number): Promise<LokiStreams> =>
    get<LokiStreams>(
      `/loki/api/v1/query_range?${new URLSearchParams({ query, since: `${sinceS}s`, limit: '1000' }).toString()}`,
    );
  /** get_product_list of a trace, in µs, and its span ID */
  const lookupOf = async (traceId: string): Promise<{ spanId: string; durationUs: number } | undefined> => {
    const t = await get<JaegerTraces>(`/api/traces/${traceId}`).catch(() => undefined);
    const span = t?.data[0]?.spans.find((s) => s.operationName === 'get_product_list');
    return span ? { spanId: span.spanID, durationUs: span.duration } : undefined;
  };

  // One test: the flag turned on first is what every later step looks at.
  it('goes from a slow cache miss line to its trace and back to its logs', async () => {
    // Before the flag: how long get_product_list takes without the cache (after a warm-up).
    await sleep(20_000);
    const before = await get<JaegerTraces>(
      `/api/traces?${new URLSearchParams({ service: REC, operation: 'get_product_list', limit: '20', lookback: '5m' })}`,
    );
    const baseline = before.data
      .flatMap((t) => t.spans.filter((s) => s.operationName === 'get_product_list').map((s) => s.duration))
      .sort((a, b) => a - b);
    expect(baseline.length).toBeGreaterThan(0);
    const medianUs = baseline[Math.floor(baseline.length / 2)]!;
    // every request logs "request handled" already, with the flag's variant
    const offLines = await loki(`{service_name="${REC}"} | feature_flag_key="recommendationCache"`, 60);
    expect(offLines.data.result.length).toBeGreaterThan(0);

    const put = await fetch(`${base}/api/flags/recommendationCache`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"value":"on"}',
    });
    expect(put.status).toBe(200);
    const flagOnMs = Date.now();

    // A cache-miss line whose trace is slow: get_product_list at least 5x the median before the
    // flag and at least 250 ms (the leak's set difference over a list grown by every miss).
    const slowUs = Math.max(250_000, 5 * medianUs);
    let slow: { traceId: string; spanId: string; durationUs: number; line: string } | undefined;
    const checked = new Set<string>();
    while (!slow) {
      expect(Date.now() - flagOnMs, `no slow cache miss in 4 minutes\n${demo.output().slice(-2000)}`).toBeLessThan(
        240_000,
      );
      await sleep(5000);
      const misses = await loki(MISSES, 300);
      for (const s of misses.data.result)
        for (const [, line, extra] of s.values) {
          const md = (extra as { structuredMetadata?: Record<string, string> } | undefined)?.structuredMetadata;
          const traceId = md?.['trace_id'] ?? s.stream['trace_id'];
          if (!traceId || checked.has(traceId)) continue;
          const lookup = await lookupOf(traceId);
          if (!lookup) continue; // the trace may not be stored yet: try again on the next round
          checked.add(traceId);
          // the line's span is the lookup's span
          expect(md?.['span_id'] ?? s.stream['span_id']).toBe(lookup.spanId);
          if (lookup.durationUs >= slowUs) slow = { traceId, ...lookup, line };
        }
    }
    console.log(
      `[logs] slow cache miss ${slow.traceId}: get_product_list ${(slow.durationUs / 1000).toFixed(0)} ms ` +
        `(median before the flag ${(medianUs / 1000).toFixed(1)} ms), ${checked.size} miss traces checked`,
    );

    // The Logs page: the miss line, its level, the volume histogram.
    await page.goto(`${base}/logs?${new URLSearchParams({ query: MISSES, from: 'now-15m', to: 'now' })}`);
    const line = page.locator(`.log-line[data-trace-id="${slow.traceId}"]`).first();
    await line.waitFor({ timeout: 30_000 });
    expect(await line.getAttribute('data-level')).toBe('info');
    expect(await line.locator('.log-text').textContent()).toBe(slow.line);
    expect(await page.locator('.logs-volume').getAttribute('data-levels')).toContain('info');
    expect(await page.locator('.logs-volume canvas').count()).toBeGreaterThan(0);
    // expanded: its labels and structured metadata apart
    await line.locator('.log-row').click();
    expect(await line.locator('table[aria-label="Labels"] td[data-key="service_name"]').textContent()).toBe(REC);
    expect(
      await line.locator('table[aria-label="Structured metadata"] td[data-key="app_products_count"]').textContent(),
    ).toMatch(/^\d+$/);
    await page.screenshot({ path: join(ARTIFACTS, 'logs-cache-misses.png'), fullPage: true });

    // View trace: the trace page with get_product_list selected.
    await line.getByRole('link', { name: 'View trace' }).click();
    await page.waitForURL(new RegExp(`/trace/${slow.traceId}\\?span=${slow.spanId}`));
    await page.locator(`[data-page="trace"][data-trace-id="${slow.traceId}"]`).waitFor({ timeout: 30_000 });
    const detail = page.getByRole('region', { name: 'Span get_product_list' });
    await detail.waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'logs-trace.png'), fullPage: true });

    // …and back: the span's logs hold the miss line, with the same span ID.
    await detail.getByRole('link', { name: 'Logs for this span' }).click();
    await page.waitForURL(/\/logs\?/);
    const back = page.locator(`.log-line[data-span-id="${slow.spanId}"]`, { hasText: 'cache miss' });
    await back.first().waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).searchParams.get('query')).toBe(`{service_name="${REC}"} | span_id="${slow.spanId}"`);

    // The trace's logs: the frontend's "request handled" of the same request is there too.
    await page.goBack();
    await page.locator(`[data-page="trace"][data-trace-id="${slow.traceId}"]`).waitFor();
    await page.getByRole('link', { name: 'Logs for this trace' }).click();
    await page
      .locator(`.log-line[data-trace-id="${slow.traceId}"]`, { hasText: 'GET /api/recommendations handled' })
      .first()
      .waitFor({ timeout: 30_000 });
    const services = await page.locator('.log-line .log-service').allTextContents();
    expect(services).toEqual(expect.arrayContaining(['frontend', REC]));

    // The query box completes stream labels, then their values.
    await page.goto(`${base}/logs?from=now-15m&to=now&query=`);
    const box = page.getByRole('combobox', { name: 'LogQL query' });
    await box.fill('{serv');
    await page.getByRole('option', { name: 'service_name', exact: true }).click();
    expect(await box.inputValue()).toBe('{service_name="');
    await page.getByRole('option', { name: REC, exact: true }).waitFor();
    await box.press('ArrowDown');
    await box.press('ArrowUp');
    await page.getByRole('option', { name: REC, exact: true }).click();
    expect(await box.inputValue()).toBe(`{service_name="${REC}"`);
    await box.fill(`${await box.inputValue()}} |= "cache miss"`);
    await box.press('Enter');
    await page.locator('.logs-result[data-state="data"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('.log-line').count()).toBeGreaterThan(0);

    // The Demo Dashboard's logs panel lists the misses.
    await page.goto(`${base}/d/demo?from=now-15m&to=now`);
    const panel = page.locator('.panel[data-panel-title="recommendationservice cache misses"]');
    await panel.locator('.log-line').first().waitFor({ timeout: 30_000 });
    expect(await panel.getAttribute('data-state')).toBe('data');
    expect(await panel.locator('.log-text').first().textContent()).toMatch(/^cache miss: fetched \d+ products/);
    await page.screenshot({ path: join(ARTIFACTS, 'logs-dashboard-panel.png'), fullPage: true });

    // The leak ends in an out-of-memory exit: the supervisor logs it at error level.
    let oom: LokiStreams['data']['result'] = [];
    while (oom.length === 0) {
      expect(Date.now() - flagOnMs, `no out-of-memory record in 6 minutes\n${demo.output().slice(-2000)}`).toBeLessThan(
        360_000,
      );
      await sleep(5000);
      oom = (await loki('{service_name="supervisor"} |= "out of memory"', 600)).data.result;
    }
    const [, oomLine, oomExtra] = oom[0]!.values[0]!;
    expect(oomLine).toMatch(/^recommendationservice exited: out of memory/);
    const md = (oomExtra as { structuredMetadata?: Record<string, string> } | undefined)?.structuredMetadata ?? {};
    expect(md['detected_level'] ?? oom[0]!.stream['detected_level']).toBe('error');
    expect(md['app_service_name'] ?? oom[0]!.stream['app_service_name']).toBe(REC);
  }, 900_000);
});
