import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, NO_CHROMIUM } from './helpers/browser.js';
import { type CliProcess, startCli } from './helpers/cliProcess.js';

describe.skipIf(NO_CHROMIUM !== undefined)('the dashboard of the embedded demo', () => {
  let gateway: CliProcess;
  let browser: Browser;
  let page: Page;
  let url: string;
  const errors: string[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-dash-'));
    gateway = startCli(['start', '--port', '0'], dir);
    [browser] = await Promise.all([launchChromium(), gateway.until(/^ready: /m, 'stdout', 60_000)]);
    url = (await gateway.until(/^ {2}page {4}(\S+)$/m))[1]!;
    page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    page.on('pageerror', (error) => errors.push(error.message));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (gateway && gateway.child.exitCode === null) {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
  });

  it('loads at / from the gateway alone, at a phone width, with every server up', async () => {
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url);
    await page.locator('#connection[data-state="live"]').waitFor({ state: 'attached' });
    // One card per server of the demo; the steady ones up (crashing exits every 20 s).
    for (const name of ['everything', 'healthy', 'memory', 'slow'])
      await page.locator(`#servers [data-server="${name}"][data-status="ok"]`).waitFor();
    await expect(page.locator('#servers [data-server]').count()).resolves.toBe(5);
    await page.locator('#sla tr[data-server="crashing"]').waitFor();
    await page.locator('.timeline li').first().waitFor();
    // Every asset from the gateway itself: nothing from a CDN.
    const origin = new URL(url).origin;
    expect(requests.filter((r) => !r.startsWith(origin) && !r.startsWith('data:'))).toEqual([]);
    // Nothing wider than the phone: no horizontal scrolling.
    const overflow = await page.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
  }, 30_000);
});
