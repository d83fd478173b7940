import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, NO_CHROMIUM } from './helpers/browser.js';
import { type CliProcess, startCli } from './helpers/cliProcess.js';
import { runCli } from './helpers/runCli.js';

const T0 = Date.UTC(2026, 10, 21, 10);
const at = (s: number, server: string, event_type: string, fields = {}) => ({
  event_type,
  timestamp: new Date(T0 + s * 1000).toISOString(),
  trace_id: `t-${server}`,
  repo: 'selfheal',
  server_name: server,
  ...fields,
});
const check = (s: number, server: string, status: string) =>
  at(s, server, 'health_check_completed', { status, response_time_ms: 4 });

/** Two logs: `alpha` detected down twice and restarted; `beta` crashed and was reset by hand. */
function writeLogs() {
  const dir = mkdtempSync(join(tmpdir(), 'sh-replay-serve-'));
  const first = [
    at(0, 'alpha', 'server_registered', { transport: 'stdio' }),
    check(1, 'alpha', 'ok'),
    check(30, 'alpha', 'down'),
    check(45, 'alpha', 'down'),
    at(45, 'alpha', 'server_down', { reason: 'health check failed' }),
    at(46, 'alpha', 'recovery_started', { strategy: 'restart', attempt: 1, reason: 'down' }),
    at(80, 'alpha', 'server_recovered'),
    check(600, 'alpha', 'down'),
    check(610, 'alpha', 'down'),
    at(620, 'alpha', 'server_down', { reason: 'health check failed' }),
    at(621, 'alpha', 'recovery_started', { strategy: 'restart', attempt: 2, reason: 'down' }),
    at(700, 'alpha', 'server_recovered'),
    check(900, 'alpha', 'ok'),
  ];
  // Out of time order on purpose (a foreign log): the replay sorts it, and so must the page.
  const second = [
    at(5, 'beta', 'server_registered', { transport: 'http' }),
    at(300, 'beta', 'server_down', {
      reason: 'process exited with code 1; stderr: boom | at main.js:3',
    }),
    at(200, 'beta', 'health_check_completed', { status: 'ok', response_time_ms: 9 }),
    at(301, 'beta', 'recovery_exhausted', { requires_manual: true }),
    at(500, 'beta', 'server_reset', { operator: 'ana' }),
    at(530, 'beta', 'server_recovered'),
    { event_type: 'rfc_accepted', timestamp: new Date(T0 + 400_000).toISOString(), trace_id: 'x' },
  ];
  const a = join(dir, 'a.jsonl');
  const b = join(dir, 'b.jsonl');
  writeFileSync(a, `${first.map((e) => JSON.stringify(e)).join('\n')}\n`);
  writeFileSync(b, `${second.map((e) => JSON.stringify(e)).join('\n')}\n`);
  return { dir, files: [a, b] };
}

interface Report {
  servers: Record<string, { state: Record<string, unknown>; sla: Record<string, number | null> }>;
  ecosystem: { status: string };
}

async function slaRows(page: Page) {
  return page.$$eval('#sla tbody tr', (rows) =>
    Object.fromEntries(
      rows.map((r) => [
        r.getAttribute('data-server'),
        [...r.querySelectorAll('td')].map((td) => td.getAttribute('data-value')),
      ]),
    ),
  );
}

const expectedRow = (sla: Record<string, number | null>) =>
  [
    sla.uptime_percent,
    sla.incidents,
    sla.mttd_ms,
    sla.mttr_ms,
    sla.restarts,
    sla.manual_interventions,
  ].map((v) => (v === null ? '' : String(v)));

describe.skipIf(NO_CHROMIUM !== undefined)('selfheal replay FILE... --serve', () => {
  let served: CliProcess;
  let browser: Browser;
  let page: Page;
  let files: string[];

  beforeAll(async () => {
    const logs = writeLogs();
    files = logs.files;
    served = startCli(['replay', ...files, '--serve', '--port', '0'], logs.dir);
    const [b, match] = await Promise.all([
      launchChromium(),
      served.until(/dashboard of this replay on (\S+) /),
    ]);
    browser = b;
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(match[1]!);
    await page.locator('#sla tbody tr[data-server="beta"]').waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (served && served.child.exitCode === null) {
      served.child.kill('SIGINT');
      expect(await served.exited).toBe(0);
    }
  });

  it("shows the incidents and SLA of the CLI's report for the same files", async () => {
    const report = JSON.parse((await runCli('replay', ...files, '--json')).stdout) as Report;
    const rows = await slaRows(page);
    expect(Object.keys(rows).sort()).toEqual(Object.keys(report.servers).sort());
    for (const [name, { sla }] of Object.entries(report.servers))
      expect(rows[name], name).toEqual(expectedRow(sla));
    // Each incident listed, its MTTD and MTTR samples averaging to the server's figures.
    const incidents = await page.$$eval('#incidents > li', (items) =>
      items.map((li) => ({
        server: li.getAttribute('data-server')!,
        detect: li.getAttribute('data-detect'),
        repair: li.getAttribute('data-repair'),
      })),
    );
    for (const [name, { sla }] of Object.entries(report.servers)) {
      const mine = incidents.filter((i) => i.server === name);
      expect(mine.length).toBe(sla.incidents);
      const mean = (values: (string | null)[]) => {
        const xs = values.filter((v) => v !== '' && v !== null).map(Number);
        return xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length;
      };
      expect(mean(mine.map((i) => i.repair))).toBe(sla.mttr_ms);
      expect(mean(mine.map((i) => i.detect))).toBe(sla.mttd_ms);
    }
    expect(incidents.length).toBe(3);
    // An incident opens onto its events.
    await page.locator('#incidents > li[data-server="beta"] summary').click();
    await expect(
      page.locator('#incidents > li[data-server="beta"] .timeline li').allTextContents(),
    ).resolves.toEqual([
      expect.stringContaining('server_down'),
      expect.stringContaining('recovery_exhausted'),
      expect.stringContaining('server_reset'),
      expect.stringContaining('server_recovered'),
    ]);
  }, 30_000);

  it('at a chosen instant, shows the state and SLA of replay --until, also by keyboard', async () => {
    const instant = new Date(T0 + 350_000).toISOString();
    await page.locator('#travel-instant').fill(instant);
    await page.locator('#travel-instant').press('Enter');
    await expect(page.locator('#as-of').textContent()).resolves.toContain(instant);
    const report = JSON.parse(
      (await runCli('replay', ...files, '--until', instant, '--json')).stdout,
    ) as Report;
    const beta = page.locator('#servers [data-server="beta"]');
    await expect(beta.getAttribute('data-status')).resolves.toBe(report.servers.beta!.state.status);
    await expect(beta.getAttribute('data-lifecycle')).resolves.toBe('failed');
    // The last error with the stderr tail of the process that died.
    await expect(beta.locator('.stderr').textContent()).resolves.toBe('boom\nat main.js:3');
    const rows = await slaRows(page);
    for (const [name, { sla }] of Object.entries(report.servers))
      expect(rows[name], name).toEqual(expectedRow(sla));
    await expect(page.locator('#ecosystem-status').textContent()).resolves.toBe(
      report.ecosystem.status,
    );

    // The slider steps one event at a time from the keyboard: Home is the first event.
    await page.locator('#travel-slider').focus();
    await page.keyboard.press('Home');
    await expect(page.locator('#as-of').textContent()).resolves.toContain(
      new Date(T0).toISOString(),
    );
    await page.keyboard.press('ArrowRight');
    await expect(page.locator('#as-of').textContent()).resolves.toContain(
      new Date(T0 + 1000).toISOString(),
    );
    await page.keyboard.press('End');
    await expect(page.locator('#as-of').textContent()).resolves.toContain(
      new Date(T0 + 900_000).toISOString(),
    );
  }, 30_000);

  it('over a chosen window (from an instant to the time-travel instant) shows replay --since --until', async () => {
    const since = new Date(T0 + 100_000).toISOString();
    const until = new Date(T0 + 650_000).toISOString();
    await page.locator('#travel-instant').fill(until);
    await page.locator('#travel-instant').press('Enter');
    await page.locator('#sla-window').selectOption('from');
    await page.locator('#sla-from').fill(since);
    await page.locator('#sla-apply').click();
    const span = page.locator('#sla-span');
    await expect.poll(() => span.getAttribute('data-since')).toBe(since);
    await expect(span.getAttribute('data-until')).resolves.toBe(until);
    const report = JSON.parse(
      (await runCli('replay', ...files, '--since', since, '--until', until, '--json')).stdout,
    ) as Report;
    const rows = await slaRows(page);
    expect(Object.keys(rows).sort()).toEqual(Object.keys(report.servers).sort());
    for (const [name, { sla }] of Object.entries(report.servers))
      expect(rows[name], name).toEqual(expectedRow(sla));
    // alpha's first outage (45 s to 80 s) is before the window: only its second is listed,
    // still open at the window's end, and beta's.
    expect(report.servers.alpha!.sla.incidents).toBe(1);
    await expect(
      page.$$eval('#incidents > li', (items) => items.map((li) => li.getAttribute('data-down'))),
    ).resolves.toEqual([String(T0 + 620_000), String(T0 + 300_000)]);
    // A preset: the hour before the end, from a whole minute.
    await page.locator('#sla-window').selectOption(String(3_600_000));
    await expect
      .poll(() => span.getAttribute('data-since'))
      .toBe(new Date(Math.floor((T0 + 650_000 - 3_600_000) / 60_000) * 60_000).toISOString());
    // A start that is not an instant is refused, saying so.
    await page.locator('#sla-window').selectOption('from');
    await page.locator('#sla-from').fill('yesterday');
    await page.locator('#sla-apply').click();
    await expect(page.locator('#sla-problem').textContent()).resolves.toContain(
      '"yesterday" is not an RFC 3339 date-time',
    );
  }, 30_000);
});
