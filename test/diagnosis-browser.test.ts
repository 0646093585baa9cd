// The diagnosis in a real browser, against `orrery demo` (small heap, busy load): the leak
// scenario on the Scenarios page is the thread. Its first step switches recommendationCache on;
// the memory rise ticks the second; the Demo Dashboard's finding marker leads to the comparison
// with the slow spans preselected, where app.cache_hit or app.products.count ranks first; a click
// on a latency point lands on the traces of that service and window; a trace with
// app.cache_hit=false opened and the comparison seen tick the next steps; the flag switched off
// and, two minutes on, the memory flat again tick the last two. A screenshot of each step goes to test-artifacts/.
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { useDemoInBrowser } from './support/demo-browser.js';
import { describeNeeding, needChromium } from './support/needs.js';

const REC = 'recommendationservice';
const SCENARIO = 'recommendation-cache';

describeNeeding([needChromium()])('diagnosis in a browser: findings, point links and the leak scenario', () => {
  // a minute of traffic without the flag, as a baseline for the trends
  const demo = useDemoInBrowser({ prefix: 'diagnosis', baselineMs: 60_000 });
  const { shot, step } = demo;
  let base = '';
  let page: Page;
  beforeAll(() => {
    base = demo.base;
    page = demo.page;
  });

  const scenarioStep = (n: number) => page.locator(`.scenario-step[data-step="${n}"]`);

  async function openScenario(): Promise<void> {
    await page.getByRole('link', { name: 'Scenarios', exact: true }).first().click();
    await page.locator(`.scenario-list li[data-scenario-id="${SCENARIO}"] a`).click();
    await page.locator(`.scenario[data-scenario-id="${SCENARIO}"]`).waitFor();
  }

  /** Waits on the scenario page until step n is ticked. */
  async function ticked(n: number, timeoutMs: number): Promise<void> {
    await scenarioStep(n).and(page.locator('[data-state="done"]')).waitFor({ timeout: timeoutMs });
  }

  async function setFlag(on: boolean): Promise<void> {
    const cache = page.getByRole('switch', { name: 'recommendationCache', exact: true });
    await cache.waitFor();
    expect(await cache.getAttribute('aria-checked')).toBe(String(!on));
    await cache.click();
    await page
      .locator(`tr[data-flag="recommendationCache"] .flag-value[data-value="${on ? 'on' : 'off'}"]:not([data-saving])`)
      .waitFor();
  }

  // One test: each step builds on the one before (the flag of step 1 is what step 2 sees), so
  // they run in order inside it rather than as tests that would depend on each other.
  it('goes from the flag through a finding, a comparison and a latency point to a completed scenario', async () => {
    await step('1. the Scenarios page lists the leak scenario; its first step switches the flag on', async () => {
      await page.goto(base);
      await openScenario();
      expect(await page.locator('.scenario-step').count()).toBe(6);
      expect(await scenarioStep(1).getAttribute('data-state')).toBe('current');
      await shot('scenario-start');
      await scenarioStep(1).locator('a.step-link').click();
      await page.waitForURL((u) => u.pathname === '/flags');
      await setFlag(true);
      await page.goto(`${base}/scenarios/${SCENARIO}`);
      await ticked(1, 30_000);
    });

    await step("2. the recommendation service's memory rise ticks the second step", async () => {
      // the check looks at the 2 minutes after the flag, not at the shop's warm-up
      await ticked(2, 360_000);
      expect(await scenarioStep(3).getAttribute('data-state')).toBe('current');
      await shot('scenario-memory-rising');
    });

    await step(
      "3. the Demo Dashboard's finding marker opens the comparison with the slow spans preselected, app.cache_hit or app.products.count first",
      async () => {
        await scenarioStep(2).locator('a.step-link').click();
        await page.waitForURL((u) => u.pathname === '/d/demo');
        const memoryPanel = page.locator('.panel[data-panel-title="Recommendation Service (Memory)"]');
        const marker = memoryPanel.locator(`a.finding-marker[data-service="${REC}"]`).first();
        // findings come as the trend is confirmed; the dashboard refreshes every 10 s
        await marker.waitFor({ timeout: 300_000 });
        const summary = (await marker.getAttribute('title')) ?? '';
        console.log(`[diagnosis] finding: ${summary}`);
        expect(summary).toContain(REC);
        await marker.hover();
        await shot('dashboard-finding');
        await marker.click();
        await page.waitForURL((u) => u.pathname === '/diagnosis/compare');
        const url = new URL(page.url());
        expect(url.searchParams.get('service')).toBe(REC);
        expect(url.searchParams.get('select')).toBe('slowest');
        const first = page.locator('.attribute-ranking > [data-attribute-key]').first();
        await first.waitFor({ timeout: 60_000 });
        const ranked = await page
          .locator('.attribute-ranking > [data-attribute-key]')
          .evaluateAll((els) => els.slice(0, 5).map((e) => e.getAttribute('data-attribute-key')));
        console.log(`[diagnosis] ranking: ${ranked.join(', ')}`);
        expect(['app.cache_hit', 'app.products.count']).toContain(ranked[0]);
        await shot('comparison');
      },
    );

    await step(
      '4. exemplars on the latency chart open their trace; a click on a latency point opens the traces of that service and window',
      async () => {
        const dashboard = `${base}/d/demo?var-service=${REC}&refresh=`;
        const latency = page.locator('.panel[data-panel-title="Service Latency (from SpanMetrics)"]');
        const over = latency.locator('.u-over');
        const openChart = async (): Promise<{ x: number; y: number; width: number; height: number }> => {
          await page.goto(dashboard);
          // the chart is drawn again when its exemplars arrive: wait for them, then for the plot
          await latency.locator('.chart:not([data-exemplar-count="0"])').waitFor({ timeout: 30_000 });
          await page.waitForTimeout(1000);
          let box = await over.boundingBox();
          for (let i = 0; box === null && i < 20; i++) {
            await page.waitForTimeout(250);
            box = await over.boundingBox();
          }
          if (box === null) throw new Error('the latency chart is not drawn');
          return box;
        };
        /** Hovers along a row of the plot until the tooltip offers the kind of click wanted. */
        const findTarget = async (
          box: { x: number; y: number; width: number; height: number },
          kind: 'tooltip-exemplar' | 'tooltip-link',
          rows: readonly number[],
        ): Promise<{ x: number; y: number; hint: string }> => {
          for (const dy of rows)
            for (let dx = 30; dx < box.width - 10; dx += 3) {
              const x = box.x + box.width - dx;
              const y = box.y + box.height - dy;
              await page.mouse.move(x, y);
              const hint = latency.locator(`.tooltip .${kind}`);
              if ((await hint.count()) > 0) return { x, y, hint: (await hint.textContent()) ?? '' };
            }
          throw new Error(`no place on the latency chart offers a ${kind}`);
        };

        let box = await openChart();
        const exemplar = await findTarget(box, 'tooltip-exemplar', [3, 6, 10, 15, 20]);
        const traceId = /trace ([0-9a-f]+)$/.exec(exemplar.hint)?.[1];
        expect(traceId, exemplar.hint).toBeDefined();
        await shot('latency-exemplar');
        await page.mouse.click(exemplar.x, exemplar.y);
        await page.waitForURL((u) => u.pathname === `/trace/${traceId}`);
        await page.getByRole('treeitem').first().waitFor({ timeout: 30_000 });
        await shot('exemplar-trace');

        box = await openChart();
        // low on the chart at a recent point (the lowest line, p50, whose traces are many), above the
        // exemplars that crowd the bottom row
        const point = await findTarget(box, 'tooltip-link', [2, 15, 30, 50, 80]);
        expect(point.hint).toContain(`traces of ${REC} above`);
        await shot('latency-point');
        await page.mouse.click(point.x, point.y);
        await page.waitForURL((u) => u.pathname === '/search');
        const q = new URL(page.url()).searchParams;
        expect(q.get('service')).toBe(REC);
        expect(q.get('lookback')).toBe('custom');
        const startUs = Number(q.get('start'));
        const endUs = Number(q.get('end'));
        expect(endUs - startUs).toBeGreaterThan(0);
        expect(endUs - startUs).toBeLessThanOrEqual(5 * 60e6);
        expect(Date.now() * 1000 - endUs).toBeLessThan(5 * 60e6);
        // the lower bound of the point's histogram bucket: spans of that bucket lie above it
        const minUs = Number(/^(\d+)us$/.exec(q.get('minDuration') ?? '')?.[1]);
        expect(Number.isFinite(minUs)).toBe(true);
        await page.locator('.result-item').first().waitFor({ timeout: 30_000 });
        const durations = await page
          .locator('.result-item')
          .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-duration-us'))));
        expect(durations.length).toBeGreaterThan(0);
        for (const d of durations) expect(d).toBeGreaterThanOrEqual(minUs);
        await shot('latency-point-traces');
      },
    );

    await step('5. a trace with app.cache_hit=false opened and the comparison seen tick steps 3 and 4', async () => {
      await page.goto(`${base}/scenarios/${SCENARIO}`);
      await scenarioStep(3).locator('a.step-link').click();
      await page.waitForURL((u) => u.pathname === '/search');
      await page.getByLabel('Sort').selectOption({ label: 'Longest First' });
      await page.locator('.result-item').first().waitFor({ timeout: 30_000 });
      await page.locator('.result-item a.result-link').first().click();
      await page.waitForURL((u) => u.pathname.startsWith('/trace/'));
      await page
        .getByRole('treeitem', { name: /recommendationservice get_product_list/ })
        .first()
        .waitFor();
      await page.goto(`${base}/scenarios/${SCENARIO}`);
      await ticked(3, 30_000);
      // the comparison was seen from the finding marker; its step link opens it too
      await ticked(4, 30_000);
      await scenarioStep(4).locator('a.step-link').click();
      await page.waitForURL((u) => u.pathname === '/diagnosis/compare');
      await page.locator('.attribute-ranking > [data-attribute-key]').first().waitFor({ timeout: 60_000 });
      await page.goto(`${base}/scenarios/${SCENARIO}`);
      await shot('scenario-trace-and-comparison');
    });

    await step(
      '6. the flag switched off, then the memory flat again, tick the last steps: every step is ticked',
      async () => {
        await scenarioStep(5).locator('a.step-link').click();
        await page.waitForURL((u) => u.pathname === '/flags');
        await setFlag(false);
        await page.goto(`${base}/scenarios/${SCENARIO}`);
        await ticked(5, 30_000);
        // the memory is judged on the 2 minutes after the switch
        await ticked(6, 300_000);
        const states = await page
          .locator('.scenario-step')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
        expect(states).toEqual(['done', 'done', 'done', 'done', 'done', 'done']);
        expect(await page.locator('.scenario-summary').textContent()).toBe('All steps done');
        await shot('scenario-done');
      },
    );
  }, 1_500_000);
});
