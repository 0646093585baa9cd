// The trace pages in a real browser (Debian's chromium, playwright-core) against a backend fed with
// known traces: search form, URL state, sorts, scatter, results, the waterfall and span detail,
// compare, bad input (tags, durations, unknown IDs), markup as text; and the figures of issue 12:
// time to a drawn trace page of 20 and 5,000 spans, to a search page of 100 results, and frame time
// while scrolling the 5,000-span waterfall.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Span } from '../src/otlp/model.js';
import { createBackend, type Backend } from '../src/server/backend.js';
import { packageRoot } from '../src/server/paths.js';
import { batch, sid, span } from '../src/traces/testdata.js';
import { launchChromium } from './support/browser.js';
import { describeNeeding, needChromium } from './support/needs.js';

const root = packageRoot();
const ARTIFACTS = join(root, 'test-artifacts');
const MARKUP = '<img src=x onerror=window.__xss=1>';

const NOW = Date.now();
const tidOf = (n: number): string => 'c0ffee00' + n.toString(16).padStart(24, '0');

/** A frontend → recommendationservice trace; slow (and a cache miss) when n is odd. */
function shopTrace(n: number): { service: string; spans: Span[] }[] {
  const start = NOW - 20 * 60_000 + n * 10_000;
  const miss = n % 2 === 1;
  const total = miss ? 300 + n * 3 : 20 + n;
  const traceId = tidOf(n);
  return [
    {
      service: 'frontend',
      spans: [span({ traceId, spanId: sid(n * 100 + 1), name: 'HTTP GET', startMs: start, durationMs: total })],
    },
    {
      service: 'recommendationservice',
      spans: [
        span({
          traceId,
          spanId: sid(n * 100 + 2),
          parentSpanId: sid(n * 100 + 1),
          name: 'get_product_list',
          kind: 1,
          startMs: start + 2,
          durationMs: total - 4,
          attributes: { 'app.cache_hit': !miss, 'app.products.count': miss ? 1000 + n : 10 },
          status: n === 7 ? { code: 2, message: 'boom' } : undefined,
        }),
      ],
    },
  ];
}

/** A trace of `count` spans: a chain of five, then a wide fan-out, over three services. */
function bigTrace(traceId: string, count: number, startMs: number): { service: string; spans: Span[] }[] {
  const services = ['frontend', 'checkoutservice', 'cartservice'];
  const groups = services.map((service) => ({ service, spans: [] as Span[] }));
  for (let i = 0; i < count; i++) {
    const parent = i === 0 ? undefined : i < 5 ? sid(5_000_000 + i - 1) : sid(5_000_000 + 4 + (i % 7));
    groups[i % 3]!.spans.push(
      span({
        traceId,
        spanId: sid(5_000_000 + i),
        parentSpanId: parent,
        name: `op-${i % 40}`,
        startMs: startMs + i * 0.2,
        durationMs: Math.max(0.05, 1000 - i * 0.19),
        attributes: { 'app.index': i, 'app.note': i === 3 ? 'x'.repeat(600) : 'short' },
      }),
    );
  }
  return groups;
}

const BIG_20 = 'b16b16b16b16b16b16b16b16b16b1620';
const BIG_5000 = 'b16b16b16b16b16b16b16b16b1655000';

describeNeeding([needChromium()])('trace pages in a browser', () => {
  let backend: Backend;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  const figures: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    backend = createBackend({ port: 0, otlpHttpPort: 0, otlpGrpcPort: 0 });
    const { ports } = await backend.start();
    base = `http://127.0.0.1:${ports.api}`;
    const store = backend.traceStore;
    for (let n = 0; n < 110; n++) store.consumeTraces(batch(...shopTrace(n)));
    store.consumeTraces(batch(...bigTrace(BIG_20, 20, NOW - 60_000)));
    store.consumeTraces(batch(...bigTrace(BIG_5000, 5000, NOW - 50_000)));
    store.consumeTraces(
      batch({
        service: MARKUP,
        spans: [
          span({
            traceId: 'bad0bad0bad0bad0bad0bad0bad0bad0',
            spanId: sid(9),
            name: MARKUP,
            startMs: NOW - 30_000,
            attributes: { [MARKUP]: MARKUP },
          }),
        ],
      }),
    );
    context = await launchChromium({ width: 1500, height: 1000 });
    page = await context.newPage();
    page.on('dialog', (d) => void d.dismiss());
  }, 120_000);

  afterAll(async () => {
    if (figures.length > 0) console.log(`\nTrace page figures (chromium, this machine):\n  ${figures.join('\n  ')}\n`);
    await context?.close();
    await backend?.stop();
  });

  async function searchFor(service: string, fill: Record<string, string> = {}): Promise<void> {
    await page.goto(`${base}/search`);
    await page.getByLabel('Service', { exact: true }).selectOption(service);
    for (const [label, value] of Object.entries(fill)) await page.getByLabel(label, { exact: true }).fill(value);
    await page.getByRole('button', { name: 'Find Traces' }).click();
  }

  async function rowDurations(): Promise<number[]> {
    return page
      .locator('.result-item')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-duration-us'))));
  }

  it('searches by service and tags, keeps the search in the URL, sorts and draws the scatter', async () => {
    await searchFor('recommendationservice', { Tags: 'app.cache_hit=false', 'Limit Results': '100' });
    await page.locator('.result-item').first().waitFor();
    expect(await page.locator('.results-count').textContent()).toBe('55 Traces');
    const url = new URL(page.url());
    expect(url.searchParams.get('tags')).toBe('app.cache_hit=false');
    expect(url.searchParams.get('service')).toBe('recommendationservice');
    expect(await page.locator('.scatter circle.dot').count()).toBe(55);
    expect(await page.locator('.scatter circle.dot.error').count()).toBe(1);
    // sorting reorders what was found; it does not search again
    let searched = 0;
    const count = (r: { url(): string }): void => {
      if (r.url().includes('/api/traces?')) searched++;
    };
    page.on('request', count);
    await page.getByLabel('Sort').selectOption({ label: 'Longest First' });
    await page.waitForURL((u) => u.searchParams.get('sort') === 'longest');
    await page.waitForTimeout(300);
    page.off('request', count);
    expect(searched).toBe(0);
    const d = await rowDurations();
    expect(d).toEqual([...d].sort((a, b) => b - a));
    expect(await page.getByLabel('Sort').locator('option').allTextContents()).toEqual([
      'Most Recent',
      'Longest First',
      'Shortest First',
      'Most Spans',
      'Least Spans',
    ]);
    // each row: "service: operation", chips with counts, a link to /trace/<id>
    const first = page.locator('.result-item').first();
    expect(await first.locator('.result-name').textContent()).toBe('frontend: HTTP GET');
    expect(await first.locator('.chip').allTextContents()).toEqual(['frontend (1)', 'recommendationservice (1)']);
    expect(await first.locator('a.result-link').getAttribute('href')).toMatch(/^\/trace\/c0ffee00[0-9a-f]{24}$/);
    // the address alone reproduces the search
    await page.goto(page.url());
    await page.locator('.result-item').first().waitFor();
    expect(await page.locator('.results-count').textContent()).toBe('55 Traces');
    await page.screenshot({ path: join(ARTIFACTS, 'trace-search.png'), fullPage: true });
  });

  it('a brushed region of the scatter narrows the list', async () => {
    const svg = page.locator('.scatter svg');
    const box = (await svg.boundingBox())!;
    // the upper half of the plot: the slowest traces
    await page.mouse.move(box.x + 70, box.y + 5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 5, box.y + box.height * 0.45, { steps: 5 });
    await page.mouse.up();
    await page.getByRole('button', { name: 'Clear selection' }).waitFor();
    const n = await page.locator('.result-item').count();
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(55);
    await page.getByRole('button', { name: 'Clear selection' }).click();
    expect(await page.locator('.result-item').count()).toBe(55);
  });

  it('says which tag or duration is wrong and does not search', async () => {
    await page.goto(`${base}/search`);
    await page.getByLabel('Service', { exact: true }).selectOption('recommendationservice');
    let searched = 0;
    page.on('request', (r) => {
      if (r.url().includes('/api/traces?')) searched++;
    });
    await page.getByLabel('Tags', { exact: true }).fill('app.cache_hit=false oops');
    await page.getByLabel('Min Duration', { exact: true }).fill('10');
    await page.getByRole('button', { name: 'Find Traces' }).click();
    expect(await page.locator('#search-tags-error').textContent()).toBe('"oops" has no value: write oops=value');
    expect(await page.locator('#search-minDuration-error').textContent()).toContain('"10" is not a duration');
    expect(await page.getByLabel('Tags', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(searched).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'trace-search-errors.png') });
  });

  it('opens a trace: header, focusable rows named by service and operation, span detail with typed values', async () => {
    await page.goto(`${base}/trace/${tidOf(9)}`);
    const row = page.getByRole('treeitem', { name: /recommendationservice get_product_list/ });
    await row.waitFor();
    expect(await page.locator('.trace-facts').textContent()).toContain('Total Spans2');
    await row.focus();
    await page.keyboard.press('Enter');
    const detail = page.locator('.span-detail');
    await detail.waitFor();
    const attrs = detail.getByRole('table', { name: 'Attributes' });
    expect(
      await attrs
        .locator('tr', { has: page.locator('th', { hasText: 'app.cache_hit' }) })
        .locator('td')
        .textContent(),
    ).toBe('false');
    expect(await attrs.locator('td[data-key="app.products.count"]').textContent()).toBe('1009');
    expect(await attrs.locator('td[data-key="app.products.count"]').getAttribute('class')).toBe('value-number');
    expect(await detail.textContent()).toContain('Span ID');
    await page.screenshot({ path: join(ARTIFACTS, 'trace-page.png'), fullPage: true });
    // the other views
    for (const tab of ['Trace Statistics', 'Trace Spans Table', 'Trace Flamegraph', 'Trace JSON']) {
      await page.getByRole('tab', { name: tab }).click();
      await page.getByRole('tab', { name: tab, selected: true }).waitFor();
    }
    expect(await page.locator('.raw-json').textContent()).toContain('"operationName": "get_product_list"');
  });

  it('find in trace highlights and counts matches; collapse all hides descendants', async () => {
    await page.goto(`${base}/trace/${BIG_20}`);
    await page.locator('.span-row').first().waitFor();
    await page.getByLabel('Find in trace').fill('op-3');
    await page.locator('[data-matches="1"]').waitFor();
    expect(await page.locator('.span-row-wrap.match').count()).toBe(1);
    // the keyboard walks the rows and folds them
    await page.getByRole('treeitem').first().focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.closest('[data-index]')?.getAttribute('data-index'))).toBe(
      '2',
    );
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowLeft');
    expect(await page.locator('.span-row').count()).toBe(1);
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('.span-row').count()).toBe(20);
    await page.getByRole('button', { name: 'Collapse all' }).click();
    expect(await page.locator('.span-row').count()).toBe(1);
    await page.getByRole('button', { name: 'Expand all' }).click();
    expect(await page.locator('.span-row').count()).toBe(20);
  });

  it('compares two selected traces as a merged tree', async () => {
    await page.goto(`${base}/search?service=recommendationservice&limit=100`);
    await page.locator('.result-item').first().waitFor();
    const boxes = page.locator('.result-item input[type="checkbox"]');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByRole('link', { name: 'Compare the 2 selected traces' }).click();
    const rows = page.locator('.diff-table tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    expect(await page.locator('.diff-table tr[data-state="both"]').count()).toBe(2);
    await page.screenshot({ path: join(ARTIFACTS, 'trace-compare.png'), fullPage: true });
  });

  it('an unknown or malformed trace ID gets a "trace not found" page', async () => {
    await page.goto(`${base}/trace/0123456789abcdef0123456789abcdef`);
    await page.getByRole('heading', { name: 'Trace not found' }).waitFor();
    await page.goto(`${base}/trace/not-a-trace`);
    await page.getByRole('heading', { name: 'Trace not found' }).waitFor();
    expect(await page.locator('.not-found').textContent()).toContain('not-a-trace is not a trace ID');
    // the header's trace-ID box opens a trace
    const box = page.getByRole('textbox', { name: 'Lookup by Trace ID' }).first();
    await box.fill(tidOf(3));
    await box.press('Enter');
    await page.getByRole('treeitem', { name: /frontend HTTP GET/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/trace/${tidOf(3)}`);
  });

  it('renders markup in service, span and attribute names as text', async () => {
    await page.goto(`${base}/search?service=${encodeURIComponent(MARKUP)}`);
    await page.locator('.result-item').first().waitFor();
    expect(await page.locator('.result-name').first().textContent()).toBe(`${MARKUP}: ${MARKUP}`);
    await page.locator('a.result-link').first().click();
    await page.getByRole('treeitem').first().click();
    await page.locator('.span-detail').waitFor();
    expect(await page.locator(`.kv-table td[data-key="${MARKUP}"]`).textContent()).toBe(MARKUP);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('figures: time to a drawn trace page (20 and 5,000 spans), a search page of 100, scroll frame time', async () => {
    const timeTo = async (url: string, drawn: string): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        await page.goto('about:blank');
        const t = Date.now();
        await page.goto(url);
        await page.locator(drawn).first().waitFor();
        times.push(Date.now() - t);
      }
      return times.sort((a, b) => a - b)[1]!;
    };
    const t20 = await timeTo(`${base}/trace/${BIG_20}`, '.span-row');
    const t5000 = await timeTo(`${base}/trace/${BIG_5000}`, '.span-row');
    const t100 = await timeTo(`${base}/search?service=frontend&limit=100`, '.result-item:nth-child(100)');
    expect(await page.locator('.result-item').count()).toBe(100);
    figures.push(`time to a drawn trace page, 20 spans: ${t20} ms (median of 3)`);
    figures.push(`time to a drawn trace page, 5,000 spans: ${t5000} ms (median of 3)`);
    figures.push(`time to a drawn search page of 100 results: ${t100} ms (median of 3)`);

    await page.goto(`${base}/trace/${BIG_5000}`);
    await page.locator('.span-row').first().waitFor();
    // DOM rows stay few: the waterfall is virtualized
    expect(await page.locator('.span-row').count()).toBeLessThan(120);
    const frames = await page.evaluate(async () => {
      const el = document.querySelector('.waterfall')!;
      const deltas: number[] = [];
      let last = performance.now();
      for (let i = 0; i < 120; i++) {
        el.scrollTop += 400;
        await new Promise((r) => requestAnimationFrame(() => r(undefined)));
        const now = performance.now();
        deltas.push(now - last);
        last = now;
      }
      deltas.sort((a, b) => a - b);
      return { p50: deltas[60]!, p95: deltas[114]!, max: deltas[119]!, end: el.scrollTop };
    });
    expect(frames.end).toBeGreaterThan(20_000);
    figures.push(
      `frame time scrolling the 5,000-span waterfall (400 px a frame): p50 ${frames.p50.toFixed(1)} ms, p95 ${frames.p95.toFixed(1)} ms, max ${frames.max.toFixed(1)} ms`,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'trace-5000-spans.png') });
  }, 120_000);
});
