// The console in a real browser (Debian's chromium driven by playwright-core) against a backend fed
// with known data: the Demo Dashboard's panels, time range and variable changes, error states,
// Explore, markup safety, and a panel's value checked against the same PromQL through the API.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBackend, type Backend } from '../src/server/backend.js';
import { packageRoot } from '../src/server/paths.js';
import { formatValue } from '../console/src/model/units.js';
import { FIXED_SERVICES, writeDemoMetrics } from './fixtures/demo-metrics.js';
import { createFlagServer } from '../demo/flags/server.js';
import { FlagStore } from '../demo/flags/store.js';
import { LoadRunner } from '../demo/loadgen/runner.js';
import { createLoadServer } from '../demo/loadgen/server.js';
import { describeNeeding, needChromium } from './support/needs.js';
import { launchChromium } from './support/browser.js';

// console/dist is not a "need": the global setup (test/support/global-setup.ts) builds it when stale.
const root = packageRoot();

const ARTIFACTS = join(root, 'test-artifacts');
const MARKUP_SERVICE = '<img src=x onerror=window.__xss=1>';
const FILLER_SERVICES = 13;
const MARKUP_FLAG_DESCRIPTION = '<img src=x onerror=window.__xss=2>';

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: http.Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

describeNeeding([needChromium()])('console in a browser', () => {
  let backend: Backend;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let seriesCount = 0;
  let dataEndMs = 0;
  // The demo's flag service and load generator (against a fake shop), behind the backend's proxies.
  let flagStore: FlagStore | undefined;
  let flagServer: http.Server | undefined;
  let shop: http.Server | undefined;
  let loadServer: http.Server | undefined;
  let runner: LoadRunner | undefined;
  let otlpHttp = '';

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const dashboards = mkdtempSync(join(tmpdir(), 'orrery-dashboards-'));
    copyFileSync(join(root, 'dashboards/demo.json'), join(dashboards, 'demo.json'));
    copyFileSync(join(root, 'dashboards/collector.json'), join(dashboards, 'collector.json'));
    // A dashboard that does not validate, and a valid one whose query fails and one with a stat panel.
    writeFileSync(
      join(dashboards, 'broken.json'),
      JSON.stringify({
        uid: 'broken',
        title: 'Broken',
        panels: [{ id: 1, title: 'x', type: 'pie', gridPos: { x: 0, y: 0, w: 6, h: 4 }, queries: [{ expr: 'up' }] }],
      }),
    );
    writeFileSync(
      join(dashboards, 'checks.json'),
      JSON.stringify({
        uid: 'checks',
        title: 'Checks',
        panels: [
          {
            id: 1,
            title: 'Bad query',
            type: 'timeseries',
            gridPos: { x: 0, y: 0, w: 12, h: 6 },
            queries: [{ expr: 'rate(process_memory_usage[5m]' }],
          },
          {
            id: 2,
            title: 'Memory now',
            type: 'stat',
            unit: 'bytes',
            gridPos: { x: 12, y: 0, w: 12, h: 6 },
            queries: [{ expr: 'sum(process_memory_usage)', legendFormat: 'rss' }],
          },
        ],
      }),
    );
    backend = createBackend({
      port: 0,
      otlpHttpPort: 0,
      otlpGrpcPort: 0,
      dashboardsDir: dashboards,
      proxies: { '/api/flags': undefined, '/api/load': undefined },
    });
    const { ports } = await backend.start();
    base = `http://127.0.0.1:${ports.api}`;
    otlpHttp = `http://127.0.0.1:${ports.otlpHttp}`;
    const flagDir = mkdtempSync(join(tmpdir(), 'orrery-flags-'));
    const flags = JSON.parse(readFileSync(join(root, 'demo/flags/flags.json'), 'utf8')) as {
      flags: Record<string, unknown>;
    };
    flags.flags['markupFlag'] = {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      metadata: { description: MARKUP_FLAG_DESCRIPTION },
    };
    writeFileSync(join(flagDir, 'flags.json'), JSON.stringify(flags));
    flagStore = await FlagStore.open({ file: join(flagDir, 'flags.json'), log: () => undefined });
    flagServer = createFlagServer({
      store: flagStore,
      annotationsUrl: `${base}/api/annotations`,
      log: () => undefined,
    });
    backend.setProxyTarget('/api/flags', await listen(flagServer));
    shop = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const fail = req.url?.startsWith('/api/checkout');
        res.writeHead(fail ? 503 : 200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    runner = new LoadRunner({ baseUrl: await listen(shop), users: 2, spawnRate: 5, pauseScale: 0.02, running: false });
    loadServer = createLoadServer(runner, () => undefined);
    backend.setProxyTarget('/api/load', await listen(loadServer));
    dataEndMs = Date.now();
    seriesCount = writeDemoMetrics(backend.storage, {
      endMs: dataEndMs,
      durationMs: 3_600_000,
      fillerServices: FILLER_SERVICES,
      extraServiceNames: [MARKUP_SERVICE],
    });
    context = await launchChromium({ width: 1600, height: 1000 });
    page = await context.newPage();
    page.on('dialog', (d) => void d.dismiss());
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await runner?.close();
    await close(loadServer);
    await close(shop);
    flagStore?.close();
    await close(flagServer);
    await backend?.stop();
  });

  async function waitForPanels(count: number): Promise<void> {
    await page.waitForFunction(
      (n) => {
        const panels = [...document.querySelectorAll('.panel')];
        return panels.length === n && panels.every((p) => p.getAttribute('data-state') !== 'loading');
      },
      count,
      { timeout: 60_000 },
    );
  }

  async function legendOf(title: string): Promise<string[]> {
    return page.locator(`.panel[data-panel-title="${title}"] .chart-legend .legend-label`).allTextContents();
  }

  /** Opens the Demo Dashboard over the last hour and waits until every panel is drawn. */
  async function openDemoDashboard(): Promise<void> {
    await page.goto(`${base}/d/demo?from=now-1h&to=now`);
    // six charts and the logs panel of recommendationservice's cache misses
    await waitForPanels(7);
    // Fully drawn: every time-series panel has its canvas.
    await page.waitForFunction(() => document.querySelectorAll('.panel .uplot canvas').length === 6, undefined, {
      timeout: 30_000,
    });
  }

  // Each test opens the page it needs: none relies on where an earlier test left the browser.
  it('draws every panel of the Demo Dashboard with the expected series and legends', async () => {
    const started = performance.now();
    await openDemoDashboard();
    const drawnMs = performance.now() - started;
    console.log(
      `Demo Dashboard (1 h, ${seriesCount} series in the store) fully drawn in ${drawnMs.toFixed(0)} ms after navigation`,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'demo-dashboard.png'), fullPage: true });

    const states = await page
      .locator('.panel')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-panel-title'), e.getAttribute('data-state')]));
    expect(states.every(([, s]) => s === 'data')).toBe(true);
    expect((await legendOf('Recommendation Service (CPU%)')).sort()).toEqual(['system', 'user']);
    expect(await legendOf('Recommendation Service (Memory)')).toEqual(['rss', 'heap used']);
    expect(await legendOf('Recommendations Count')).toEqual(['catalog']);
    const errorRate = await legendOf('Error Rate');
    expect(errorRate).toHaveLength(FIXED_SERVICES.length + 1 + FILLER_SERVICES);
    expect(await legendOf('Service Latency (from SpanMetrics)')).toEqual(['p50', 'p95', 'p99', 'p99.9']);
    expect((await legendOf('Endpoint Rate by Service')).sort()).toEqual([
      'GetProduct',
      'ListRecommendations',
      'get_product_list',
    ]);
  });

  it('renders label values with markup as text, never as HTML', async () => {
    await openDemoDashboard();
    const errorRate = await legendOf('Error Rate');
    expect(errorRate).toContain(MARKUP_SERVICE);
    expect(await page.locator('.panel img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('changes the queries when the time range or $service changes', async () => {
    const seen: string[] = [];
    const listener = (req: { url(): string; postData(): string | null }): void => {
      if (req.url().includes('/api/v1/query_range')) seen.push(req.postData() ?? '');
    };
    await openDemoDashboard();
    page.on('request', listener);
    await page.selectOption('select[aria-label="Time range"]', 'now-6h');
    await waitForPanels(7);
    await page.waitForFunction(() => new URL(location.href).searchParams.get('from') === 'now-6h');
    const sixHour = seen.splice(0);
    expect(sixHour.length).toBeGreaterThanOrEqual(6);
    // 6 h over a panel ~790 px wide: Grafana's interval rounds to 30 s, rate interval 40 s... or wider; never the 15-minute 10 s step.
    for (const body of sixHour) expect(new URLSearchParams(body).get('step')).not.toBe('10');

    await page.selectOption('select[aria-label="Service"]', 'frontend');
    await waitForPanels(7);
    await page.waitForFunction(() => new URL(location.href).searchParams.get('var-service') === 'frontend');
    const afterService = seen.splice(0).map((b) => new URLSearchParams(b).get('query') ?? '');
    expect(afterService.some((q) => q.includes('service_name="frontend"'))).toBe(true);
    expect(afterService.some((q) => q.includes('$service'))).toBe(false);
    page.off('request', listener);
    await page.screenshot({ path: join(ARTIFACTS, 'demo-dashboard-frontend-6h.png'), fullPage: true });
  });

  it('shows a failing query with Prometheus error text and the panel value the API returns', async () => {
    // Remember the end time the stat panel asked for: its value is the range query's last point.
    let statEnd: string | undefined;
    const listener = (req: { url(): string; postData(): string | null }): void => {
      const form = new URLSearchParams(req.postData() ?? '');
      if (req.url().includes('/api/v1/query_range') && form.get('query') === 'sum(process_memory_usage)') {
        statEnd = form.get('end') ?? undefined;
      }
    };
    page.on('request', listener);
    await page.goto(`${base}/d/checks?from=now-15m&to=now`);
    await waitForPanels(2);
    page.off('request', listener);
    const error = await page.locator('.panel[data-panel-title="Bad query"] .panel-error').textContent();
    // The panel shows the range query's error exactly as the API words it.
    const api = await fetch(
      `${base}/api/v1/query_range?query=${encodeURIComponent('rate(process_memory_usage[5m]')}&start=1&end=2&step=1`,
    );
    const apiBody = (await api.json()) as { errorType: string; error: string };
    expect(api.status).toBe(400);
    expect(error).toContain(apiBody.error);

    // The same PromQL through the API, at the time of the panel's last point.
    expect(statEnd).toBeDefined();
    const res = await fetch(
      `${base}/api/v1/query?query=${encodeURIComponent('sum(process_memory_usage)')}&time=${statEnd!}`,
    );
    const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
    const expected = formatValue(Number(body.data.result[0]!.value[1]), 'bytes');
    expect(await page.locator('.panel[data-panel-title="Memory now"] .stat-value').textContent()).toBe(expected);
    await page.screenshot({ path: join(ARTIFACTS, 'checks-dashboard.png'), fullPage: true });
  });

  it('hover tooltip shows the value the API returns for that time', async () => {
    await page.goto(`${base}/d/demo?from=now-15m&to=now`);
    await waitForPanels(7);
    const chart = page.locator('.panel[data-panel-title="Recommendation Service (CPU%)"] .u-over');
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    const tooltip = page.locator('.panel[data-panel-title="Recommendation Service (CPU%)"] .tooltip');
    await tooltip.waitFor({ state: 'visible' });
    const rows = await tooltip.locator('.tooltip-row').allTextContents();
    // user CPU grows 0.05 s per second in the fixture: 5 % of a core; the API agrees.
    // Any time inside the data will do: the fixture's CPU rate is constant.
    const res = await fetch(
      `${base}/api/v1/query?query=${encodeURIComponent('100 * sum by (cpu_mode) (rate(process_cpu_time_seconds_total{service_name="recommendationservice"}[40s]))')}&time=${(dataEndMs - 300_000) / 1000}`,
    );
    const body = (await res.json()) as {
      data: { result: { metric: { cpu_mode: string }; value: [number, string] }[] };
    };
    const user = body.data.result.find((r) => r.metric.cpu_mode === 'user')!;
    expect(rows.some((r) => r.includes('user') && r.includes(formatValue(Number(user.value[1]), 'percent')))).toBe(
      true,
    );
  });

  it("links the latency panel to a trace search of the dashboard's service and time window", async () => {
    await page.goto(`${base}/d/demo?from=now-15m&to=now&var-service=frontend`);
    await waitForPanels(7);
    const link = page.locator('.panel[data-panel-title="Service Latency (from SpanMetrics)"] .panel-link', {
      hasText: 'View traces',
    });
    const href = new URL((await link.getAttribute('href'))!, base);
    expect(href.pathname).toBe('/search');
    expect(href.searchParams.get('service')).toBe('frontend');
    const startUs = Number(href.searchParams.get('start'));
    const endUs = Number(href.searchParams.get('end'));
    expect(endUs - startUs).toBeGreaterThanOrEqual(15 * 60 * 1e6 - 1e6);
    expect(Math.abs(endUs / 1000 - Date.now())).toBeLessThan(60_000);
  });

  it('lists an invalid dashboard with the field at fault while the others still open', async () => {
    await page.goto(`${base}/dashboards`);
    const invalid = page.locator('li.invalid[data-file="broken.json"]');
    await invalid.waitFor();
    expect(await invalid.textContent()).toContain('panels[0].type: must be one of timeseries, stat, bar');
    await page.click('text=Collector');
    await waitForPanels(9);
    expect(await page.locator('.panel[data-state="error"]').count()).toBe(0);
  });

  it('runs a query in Explore, shows its table, offers completions and keeps the query in the URL', async () => {
    await page.goto(`${base}/explore`);
    const box = page.getByRole('textbox', { name: 'PromQL query', exact: true });
    await box.click();
    await box.pressSequentially('process_mem');
    // Metric names come from the API through Prometheus's own completion.
    // Wait for the list of the whole prefix (an earlier keystroke's list may still be showing).
    const option = page.locator('.cm-tooltip-autocomplete li[aria-selected="true"]', {
      hasText: 'process_memory_usage',
    });
    await option.waitFor();
    // A click applies the option itself (an Enter can reach a list that a late answer replaced);
    // the editor's text is polled, as it changes in the next frame.
    await option.click();
    await expect.poll(() => box.textContent(), { timeout: 5000 }).toBe('process_memory_usage');
    await page.click('button:has-text("Run query")');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('expr') === 'process_memory_usage');
    expect(await page.locator('.cm-content .cm-line span').count()).toBeGreaterThan(0); // highlighted
    await page.locator('.explore-result .uplot').waitFor();
    await page.click('[role=tab]:has-text("Table")');
    await page.locator('.result-table tbody tr').first().waitFor();
    const rows = await page.locator('.result-table tbody tr').allTextContents();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('service_name="recommendationservice"');
    await page.screenshot({ path: join(ARTIFACTS, 'explore-table.png'), fullPage: true });

    // A malformed query shows Prometheus's message.
    await box.fill('sum(');
    await page.click('button:has-text("Run query")');
    await page.locator('.explore-result .panel-error').waitFor();
    expect(await page.locator('.explore-result .panel-error').textContent()).toMatch(/parse error/);
  });

  it('completes functions the old hand-made list lacked, and label values as text', async () => {
    await page.goto(`${base}/explore`);
    const box = page.getByRole('textbox', { name: 'PromQL query', exact: true });
    await box.click();
    await box.pressSequentially('histogram_co');
    await page.locator('.cm-tooltip-autocomplete li', { hasText: 'histogram_count' }).first().waitFor();
    await box.fill('');
    await box.pressSequentially('sin');
    await page.locator('.cm-tooltip-autocomplete li', { hasText: 'sinh' }).first().waitFor();
    await box.fill('');
    await box.pressSequentially('traces_span_metrics_calls_total{service_name="');
    const options = page.locator('.cm-tooltip-autocomplete li');
    await options.filter({ hasText: 'recommendationservice' }).first().waitFor();
    expect(await options.allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining(MARKUP_SERVICE)]));
    expect(await page.locator('.cm-tooltip-autocomplete img').count()).toBe(0);
    // The linter marks a wrongly typed query before it is run.
    await box.fill('rate(up)');
    await page.locator('.cm-lintRange-error, .cm-lintPoint-error').first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'explore-completion.png') });
  });

  it('opens every query of a two-query panel in Explore with its unit', async () => {
    await page.goto(`${base}/d/demo?from=now-15m&to=now`);
    await waitForPanels(7);
    await page.locator('.panel[data-panel-title="Recommendation Service (Memory)"] .panel-explore').click();
    await page.locator('.explore-result .uplot').waitFor();
    const url = new URL(page.url());
    expect(url.searchParams.getAll('expr')).toHaveLength(2);
    expect(url.searchParams.get('unit')).toBe('bytes');
    expect(await page.getByRole('textbox', { name: /^PromQL query/ }).count()).toBe(2);
    const legend = await page.locator('.explore-result .chart-legend .legend-item').count();
    expect(legend).toBe(2);
  });

  it('switches a flag from the Flags page, shows it at once and leaves a flag marker on the dashboard', async () => {
    await page.goto(`${base}/flags`);
    const cache = page.getByRole('switch', { name: 'recommendationCache', exact: true });
    await cache.waitFor();
    expect(await cache.getAttribute('aria-checked')).toBe('false');
    // Markup in a description is text.
    expect(await page.locator('tr[data-flag="markupFlag"]').textContent()).toContain(MARKUP_FLAG_DESCRIPTION);
    expect(await page.locator('.flags img').count()).toBe(0);
    await cache.click();
    // Polled as Playwright's own assertions wait: React may still be committing when click() returns.
    await expect.poll(() => cache.getAttribute('aria-checked'), { timeout: 5000 }).toBe('true');
    // The page shows the change before the service has answered, marked "saving…" until it has.
    await page.locator('tr[data-flag="recommendationCache"] .flag-value[data-value="on"]:not([data-saving])').waitFor();
    const stored = (await (await fetch(`${base}/api/flags/recommendationCache`)).json()) as { value: unknown };
    expect(stored.value).toBe('on');
    await page.screenshot({ path: join(ARTIFACTS, 'flags.png'), fullPage: true });

    // A share of "on" from the slider, by keyboard.
    const share = page.getByRole('slider', { name: 'adServiceFailure share on' });
    await share.focus();
    for (let i = 0; i < 5; i++) await share.press('ArrowRight');
    await page.locator('tr[data-flag="adServiceFailure"] .flag-value', { hasText: '5% on' }).waitFor();
    await expect
      .poll(
        async () => ((await (await fetch(`${base}/api/flags/adServiceFailure`)).json()) as { value: unknown }).value,
      )
      .toBe(0.05);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();

    // The flag service recorded the change; the dashboard's charts mark it and name the kind.
    await expect
      .poll(async () => {
        const list = (await (await fetch(`${base}/api/annotations?from=0&to=${Date.now() + 1000}`)).json()) as {
          tags: string[];
        }[];
        return list.some((a) => a.tags.includes('recommendationCache'));
      })
      .toBe(true);
    backend.annotations.add({ time: Date.now() - 60_000, tags: ['restart', 'recommendationservice'], text: 'x' });
    await page.goto(`${base}/d/demo?from=now-15m&to=now`);
    await waitForPanels(7);
    const memory = page.locator('.panel[data-panel-title="Recommendation Service (Memory)"]');
    await memory.locator('.legend-marker[data-marker="flag"]').waitFor();
    await memory.locator('.legend-marker[data-marker="restart"]').waitFor();
    // Not hovering: the legend holds names only, no "--" placeholders.
    expect(await memory.locator('.chart-legend').textContent()).not.toContain('--');
    await page.screenshot({ path: join(ARTIFACTS, 'demo-dashboard-markers.png'), fullPage: true });
  });

  it('says so when the flag service is down and recovers by itself when it is back', async () => {
    const flagsUrl = `http://127.0.0.1:${(flagServer!.address() as AddressInfo).port}`;
    backend.setProxyTarget('/api/flags', undefined);
    try {
      await page.goto(`${base}/flags`);
      const alert = page.locator('.flags [role=alert]');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('no upstream configured for /api/flags');
    } finally {
      backend.setProxyTarget('/api/flags', flagsUrl);
    }
    // No reload: the page polls while it fails.
    await page.getByRole('switch', { name: 'recommendationCache', exact: true }).waitFor({ timeout: 20_000 });
    expect(await page.locator('.flags [role=alert]').count()).toBe(0);
  });

  it('drives the load generator from the Load page and shows its statistics per endpoint', async () => {
    await page.goto(`${base}/load`);
    await page.getByLabel('Number of users').fill('3');
    await page.getByLabel('Spawn rate').fill('10');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.locator('[data-stat="status"]', { hasText: 'Running' }).waitFor();
    await page.waitForFunction(
      () =>
        document.querySelectorAll('.load-stats tbody tr[data-endpoint]:not([data-endpoint="Aggregated"])').length > 2,
      undefined,
      { timeout: 30_000 },
    );
    await page.locator('.load-chart .uplot').waitFor({ timeout: 30_000 });
    const snap = (await (await fetch(`${base}/api/load`)).json()) as { running: boolean; targetUsers: number };
    expect(snap).toMatchObject({ running: true, targetUsers: 3 });
    // The fake shop fails checkout: the table and the failures list show it.
    await page.locator('.load-errors td', { hasText: '503' }).first().waitFor({ timeout: 30_000 });
    const headers = await page.locator('.load-stats thead th').allTextContents();
    expect(headers).toEqual(
      expect.arrayContaining(['# Requests', '# Fails', 'Median (ms)', '95%ile (ms)', '99%ile (ms)']),
    );
    await page.screenshot({ path: join(ARTIFACTS, 'load.png'), fullPage: true });
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.locator('[data-stat="status"]', { hasText: 'Stopped' }).waitFor();
    await page.getByRole('button', { name: 'Reset statistics' }).click();
    await page.locator('.load-stats tr[data-endpoint="Aggregated"] td:nth-child(3)', { hasText: /^0$/ }).waitFor();
    // A wrong field is named and nothing is sent.
    await page.getByLabel('Number of users').fill('many');
    expect(await page.locator('.load-controls [role=alert]').textContent()).toContain('Number of users');
    expect(await page.getByRole('button', { name: 'Start' }).isDisabled()).toBe(true);

    // Readable in a narrow window: wide tables scroll inside the page, the page does not widen.
    await page.setViewportSize({ width: 420, height: 900 });
    try {
      for (const path of ['/load', '/flags', '/monitor?service=recommendationservice']) {
        await page.goto(`${base}${path}`);
        await page.locator('table').first().waitFor();
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
        await page.screenshot({ path: join(ARTIFACTS, `narrow${path.split('?')[0]!.replace('/', '-')}.png`) });
      }
    } finally {
      await page.setViewportSize({ width: 1600, height: 1000 });
    }
  });

  it('shows every one of many Explore series in a scrolling legend, in distinct colours, with the tooltip on screen', async () => {
    const expr = 'traces_span_metrics_calls_total{span_name="GetProduct",status_code="STATUS_CODE_UNSET"}';
    await page.goto(`${base}/explore?expr=${encodeURIComponent(expr)}&from=now-15m&to=now`);
    await page.locator('.explore-result .uplot').waitFor();
    const items = page.locator('.explore-result .chart-legend .legend-item');
    const expected = FIXED_SERVICES.length + 1 + FILLER_SERVICES;
    expect(await items.count()).toBe(expected);
    const colours = await items
      .locator('.swatch')
      .evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
    expect(new Set(colours).size).toBe(expected);
    await items.last().scrollIntoViewIfNeeded();
    expect(await items.last().isVisible()).toBe(true);
    const over = page.locator('.explore-result .u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width - 3, box.y + box.height * 0.3);
    const tip = page.locator('.explore-result .tooltip');
    await tip.waitFor({ state: 'visible' });
    const tipBox = (await tip.boundingBox())!;
    const viewport = page.viewportSize()!;
    expect(tipBox.x).toBeGreaterThanOrEqual(0);
    expect(tipBox.x + tipBox.width).toBeLessThanOrEqual(viewport.width);
    expect(tipBox.y + tipBox.height).toBeLessThanOrEqual(viewport.height);
    await page.screenshot({ path: join(ARTIFACTS, 'explore-many-series.png') });
  });

  it('greets a newcomer on the home page, answers unknown routes with a not-found page, and serves a favicon', async () => {
    await page.goto(`${base}/`);
    for (const name of ['Demo Dashboard', 'Flags', 'Traces']) {
      expect(await page.locator('.start-steps').getByRole('link', { name, exact: true }).count()).toBe(1);
    }
    await page.goto(`${base}/no/such/page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    expect(await page.locator('.not-found').textContent()).toContain('/no/such/page');
    expect(await page.locator('.dashboard-list').count()).toBe(0);
    const ico = await fetch(`${base}/favicon.ico`);
    expect(ico.status).toBe(200);
    expect(ico.headers.get('content-type')).toBe('image/x-icon');
    expect((await ico.arrayBuffer()).byteLength).toBeGreaterThan(0);
    expect(await page.locator('link[rel="icon"]').count()).toBeGreaterThan(0);
  });

  /** One trace per call: a server span in `parent` and its child server span in `child` (OTLP JSON). */
  async function sendCalls(calls: readonly [string, string][]): Promise<void> {
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const hex = (n: number, len: number): string => n.toString(16).padStart(len, '0');
    const resourceSpans = calls.flatMap(([parent, child], i) => {
      const traceId = hex(0xabc000 + i, 32);
      const span = (service: string, id: string, parentId: string | undefined) => ({
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId: id,
                ...(parentId ? { parentSpanId: parentId } : {}),
                name: `${service} op`,
                kind: 2,
                startTimeUnixNano: String(nowNs - 5_000_000n),
                endTimeUnixNano: String(nowNs),
              },
            ],
          },
        ],
      });
      return [span(parent, hex(2 * i + 1, 16), undefined), span(child, hex(2 * i + 2, 16), hex(2 * i + 1, 16))];
    });
    const res = await fetch(`${otlpHttp}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans }),
    });
    expect(res.status).toBe(200);
  }

  it('draws the service map from the traces and opens the trace search of a clicked service', async () => {
    await sendCalls([
      ['frontend', 'recommendationservice'],
      ['frontend', 'recommendationservice'],
      ['recommendationservice', 'productcatalogservice'],
      ['frontend', MARKUP_SERVICE],
    ]);
    await page.goto(`${base}/map`);
    const node = page.locator('a.map-node[data-service="recommendationservice"]');
    await node.waitFor();
    expect(await page.locator('.map-edge[data-edge="frontend → recommendationservice"] text').textContent()).toBe('2');
    expect(await page.locator(`a.map-node[data-service="${MARKUP_SERVICE}"]`).count()).toBe(1);
    expect(await page.locator('.service-map img').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'service-map.png'), fullPage: true });
    await node.click();
    await page.waitForURL((u) => u.pathname === '/search' && u.searchParams.get('service') === 'recommendationservice');
  });

  it('monitors a service: latency, rate and error charts and per-operation rows that match the API', async () => {
    await page.goto(`${base}/monitor?service=recommendationservice&from=now-15m&to=now`);
    await waitForPanels(3);
    expect(await page.locator('.panel[data-state="data"]').count()).toBe(3);
    expect(await legendOf('Latency')).toEqual(['p50', 'p95', 'p99']);
    const row = page.locator('tr[data-operation="ListRecommendations"]');
    await row.waitFor();
    // get_product_list is an internal span: not in the server view.
    expect(await page.locator('tr[data-operation="get_product_list"]').count()).toBe(0);
    const errorCell = (await row.locator('td').nth(5).textContent()) ?? '';
    const q =
      'sum by (span_name) (rate(traces_span_metrics_calls_total{service_name="recommendationservice",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_ERROR"}[15m])) / sum by (span_name) (rate(traces_span_metrics_calls_total{service_name="recommendationservice",span_kind="SPAN_KIND_SERVER"}[15m]))';
    const body = (await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as {
      data: { result: { metric: { span_name: string }; value: [number, string] }[] };
    };
    const api = body.data.result.find((r) => r.metric.span_name === 'ListRecommendations')!;
    expect(errorCell).toBe(formatValue(Number(api.value[1]) * 100, 'percent'));
    await page.screenshot({ path: join(ARTIFACTS, 'monitor.png'), fullPage: true });
    await page.selectOption('select[aria-label="Span kind"]', 'SPAN_KIND_INTERNAL');
    await page.locator('tr[data-operation="get_product_list"]').waitFor();
  });
});
