// The whole demo with Chromium on it, for the browser tests that walk a scenario from end to end
// (the seed walkthrough, the diagnosis, logs beside traces): one way to start both, take numbered
// screenshots and run named steps, so the three tests differ only in what they click.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { packageRoot } from '../../src/server/paths.js';
import { launchChromium } from './browser.js';
import { startFastDemo, WHOLE_DEMO_WAIT_MS, type RunningDemo } from './whole-demo.js';

export const ARTIFACTS = join(packageRoot(), 'test-artifacts');

export interface DemoInBrowser {
  /** http://127.0.0.1:<port> of the demo's backend and console (set once beforeAll ran) */
  readonly base: string;
  readonly page: Page;
  /** what the demo printed so far, for failure messages */
  output(): string;
  /** a full-page screenshot, test-artifacts/<prefix>-NN-<name>.png, numbered in the order taken */
  shot(name: string): Promise<void>;
  /**
   * Runs one named step of the walk: its time is logged, and when it fails a screenshot is taken
   * and the step's name leads the error.
   */
  step(name: string, fn: () => Promise<void>): Promise<void>;
}

/**
 * Registers the describe block's beforeAll (the whole-demo lock, `orrery demo` on free ports,
 * Chromium, a page, then `baselineMs` of traffic before any step) and afterAll (both stopped).
 */
export function useDemoInBrowser(options: { prefix: string; baselineMs?: number }): DemoInBrowser {
  let demo: RunningDemo | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let shots = 0;
  const ready = (): { demo: RunningDemo; page: Page } => {
    if (!demo || !page) throw new Error('the demo and its browser start in beforeAll');
    return { demo, page };
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    demo = await startFastDemo();
    context = await launchChromium({ width: 1500, height: 1000 });
    page = await context.newPage();
    if (options.baselineMs) await new Promise((r) => setTimeout(r, options.baselineMs));
  }, WHOLE_DEMO_WAIT_MS + 900_000);

  afterAll(async () => {
    await context?.close();
    await demo?.stop();
  });

  const shot = async (name: string): Promise<void> => {
    shots++;
    await ready().page.screenshot({
      path: join(ARTIFACTS, `${options.prefix}-${String(shots).padStart(2, '0')}-${name}.png`),
      fullPage: true,
    });
  };

  return {
    get base() {
      return ready().demo.base;
    },
    get page() {
      return ready().page;
    },
    output: () => demo?.output() ?? '',
    shot,
    async step(name, fn) {
      const t0 = Date.now();
      try {
        await fn();
      } catch (err) {
        await shot('failed').catch(() => undefined);
        throw new Error(
          `${options.prefix} step "${name}" failed: ${err instanceof Error ? err.message : String(err)}`,
          {
            cause: err,
          },
        );
      }
      console.log(`[${options.prefix}] ${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    },
  };
}
