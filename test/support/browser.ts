// Debian's Chromium for the browser tests, started the one way this machine and CI allow: headless,
// no sandbox (root), and none of the background connections a closed network refuses by the
// dozen, with a fresh profile each time.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM_BIN } from './needs.js';

export function launchChromium(viewport: { width: number; height: number }): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'orrery-chromium-')), {
    executablePath: CHROMIUM_BIN,
    headless: true,
    viewport,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
