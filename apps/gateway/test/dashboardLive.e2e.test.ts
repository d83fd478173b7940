import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, NO_CHROMIUM } from './helpers/browser.js';
import { type CliProcess, startCli } from './helpers/cliProcess.js';
import { runCli } from './helpers/runCli.js';

function events(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return []; // a line still being written
      }
    });
}

/** What the page shows for each server card: status, lifecycle, attempts. */
async function cards(page: Page) {
  return page.$$eval('#servers [data-server]', (nodes) =>
    Object.fromEntries(
      nodes.map((n) => [
        n.getAttribute('data-server'),
        {
          status: n.getAttribute('data-status'),
          lifecycle: n.getAttribute('data-lifecycle'),
          attempts: Number(n.querySelector('.attempts')?.textContent),
          requires_manual: (n.querySelector('.lifecycle')?.textContent ?? '').includes('operator'),
        },
      ]),
    ),
  );
}

const SERVERS = fileURLToPath(new URL('../../../examples/servers/', import.meta.url));
const TOKEN = 'dashboard-test-token';
process.env.SELFHEAL_DASHBOARD_TEST_TOKEN = TOKEN;

/**
 * A gateway that needs a token, over a steady stdio server and one that exits 400 ms after each
 * start and whose recovery gives up after 2 restarts: it waits for an operator within seconds.
 * Checks every 0.2 s, so a restarted server is up again within a second or two.
 */
function writeConfig() {
  const dir = mkdtempSync(join(tmpdir(), 'sh-dash-live-'));
  const config = join(dir, 'gateway.yaml');
  const node = JSON.stringify(process.execPath);
  writeFileSync(
    config,
    [
      'gateway: { auth: { token_env: SELFHEAL_DASHBOARD_TEST_TOKEN } }',
      'mcpServers:',
      `  steady: { command: ${node}, args: [${JSON.stringify(join(SERVERS, 'slow.js'))}], env: { SLOW_MS: "1" } }`,
      `  crashing: { command: ${node}, args: [${JSON.stringify(join(SERVERS, 'crashing.js'))}], env: { CRASH_AFTER_MS: "400" } }`,
      'health_check: { interval_seconds: 0.2, startup_grace_seconds: 0 }',
      'recovery: { max_attempts: 2, stop_grace_seconds: 0.2, backoff: { initial_seconds: 0.1, multiplier: 1, max_seconds: 0.1 } }',
      'event_emission: { path: events.jsonl }',
      '',
    ].join('\n'),
  );
  // The log of an earlier run: a minute of calls to steady, summarised (RFC 0009), ending 20 s
  // ago. The page draws it in the sparklines at once, before any call is made live.
  const end = Date.now() - 20_000;
  const summary = {
    event_type: 'call_summary',
    timestamp: new Date(end).toISOString(),
    trace_id: 'summary-steady',
    repo: 'selfheal',
    server_name: 'steady',
    method: 'tools/call',
    window_start: new Date(end - 60_000).toISOString(),
    window_ms: 60_000,
    calls: 60,
    counts: { ok: 45, error: 15 },
    latency_ms: { p50: 12, p95: 70, p99: 80, max: 95 },
  };
  writeFileSync(join(dir, 'events.jsonl'), `${JSON.stringify(summary)}\n`);
  return { dir, config, log: join(dir, 'events.jsonl') };
}

describe.skipIf(NO_CHROMIUM !== undefined)('the dashboard of a running gateway', () => {
  let gateway: CliProcess;
  let browser: Browser;
  let page: Page;
  let url: string;
  let setup: ReturnType<typeof writeConfig>;
  let log: string;
  const errors: string[] = [];

  beforeAll(async () => {
    setup = writeConfig();
    log = setup.log;
    gateway = startCli(['start', '--config', setup.config, '--port', '0'], setup.dir);
    [browser] = await Promise.all([launchChromium(), gateway.until(/^ready: /m, 'stdout', 60_000)]);
    url = (await gateway.until(/^ {2}page {4}(\S+)\?token=<token>$/m))[1]!;
    page = await browser.newPage({ viewport: { width: 1024, height: 800 } });
    page.on('pageerror', (error) => errors.push(error.message));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (gateway && gateway.child.exitCode === null) {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
  });

  it('is behind the gateway token: /?token= once, then a cookie for the page, API and stream', async () => {
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(`${url}dashboard/api/events`)).status).toBe(401);
    expect((await fetch(`${url}?token=wrong`)).status).toBe(401);
    const bearer = await fetch(`${url}dashboard/api/info`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(await bearer.json()).toEqual({ mode: 'live', actions: true });
    await page.goto(`${url}?token=${TOKEN}`);
    // The token leaves the address bar: the cookie carries it.
    expect(page.url()).toBe(url);
    await page.locator('#connection[data-state="live"]').waitFor({ state: 'attached' });
    await page.locator('#servers [data-server="steady"][data-status="ok"]').waitFor();
    expect(errors).toEqual([]);
    // The sparklines start from the log's call summary, not empty: its 60 calls, a quarter failed.
    const steady = page.locator('#servers [data-server="steady"]');
    await expect.poll(async () => Number(await steady.getAttribute('data-calls'))).toBe(60);
    await expect(steady.locator('.spark-value').nth(1).textContent()).resolves.toBe('25%');
    await expect(steady.locator('.spark-value').nth(2).textContent()).resolves.toBe('12/80ms');
    // The cookie is a credential derived for the dashboard, not the token: it opens the page's
    // API, and neither /mcp nor the metrics.
    const [cookie] = await page.context().cookies(url);
    expect(cookie!.value).not.toContain(TOKEN);
    const withCookie = { cookie: `${cookie!.name}=${cookie!.value}` };
    expect((await fetch(`${url}dashboard/api/info`, { headers: withCookie })).status).toBe(200);
    const mcp = await fetch(`${url}mcp`, {
      method: 'POST',
      headers: {
        ...withCookie,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'cookie-only', version: '1' },
        },
      }),
    });
    expect(mcp.status).toBe(401);
    expect((await fetch(`${url}metrics`, { headers: withCookie })).status).toBe(401);
  }, 30_000);

  it('draws the calls an MCP client makes: calls/s, errors and latency of the server', async () => {
    const client = new Client({ name: 'dashboard-test', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${url}mcp`), {
        requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      }),
    );
    try {
      const { tools } = await client.listTools();
      const echo = tools.find((t) => t.name.startsWith('steady') && t.name.endsWith('echo'))!;
      for (let i = 0; i < 10; i++)
        await client.callTool({ name: echo.name, arguments: { message: `m${i}` } });
    } finally {
      await client.close();
    }
    const sparks = page.locator('#servers [data-server="steady"] .spark-value');
    // The 10 tool calls (and the tools/list) within the last minutes, none failed.
    const card = page.locator('#servers [data-server="steady"]');
    await expect
      .poll(async () => Number(await card.getAttribute('data-calls')))
      .toBeGreaterThanOrEqual(10);
    // calls/s is the rate of the last whole 5 s bucket: shown once the calls' bucket is whole.
    await expect
      .poll(async () => Number(await sparks.nth(0).textContent()), { timeout: 12_000 })
      .toBeGreaterThan(0);
    await expect(sparks.nth(1).textContent()).resolves.toBe('0%');
    await expect(sparks.nth(2).textContent()).resolves.toMatch(/^\d+\/\d+ms$/);
    await expect(page.locator('#servers [data-server="steady"] canvas').count()).resolves.toBe(3);
  }, 30_000);

  it('shows a SIGKILLed stdio server down within 1 s and up again after its restart, without a reload', async () => {
    const started = events(log).filter(
      (e) => e.event_type === 'server_started' && e.server_name === 'steady',
    );
    const pid = started.at(-1)!.pid as number;
    const card = page.locator('#servers [data-server="steady"]');
    await expect(card.getAttribute('data-status')).resolves.toBe('ok');
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    process.kill(pid, 'SIGKILL');
    await page
      .locator('#servers [data-server="steady"][data-status="down"]')
      .waitFor({ timeout: 1000 });
    await expect(page.locator('#ecosystem-status').textContent()).resolves.toBe('degraded');
    await page
      .locator('#servers [data-server="steady"][data-status="ok"]')
      .waitFor({ timeout: 20_000 });
    // At least the restart that brought it back (a loaded machine may need a second).
    expect(Number(await card.locator('.attempts').textContent())).toBeGreaterThanOrEqual(1);
    expect(navigations).toEqual([]);
    // The outage is an incident on the page, as in the log.
    await page.locator('#incidents li[data-server="steady"]').first().waitFor();
  }, 30_000);

  it('the slider at an instant shows exactly what selfheal replay --until reports', async () => {
    const all = events(log);
    const down = all.find((e) => e.event_type === 'server_down' && e.server_name === 'steady')!;
    // Just after the crash was seen: slow is down and recovering, the others are up.
    const instant = new Date(Date.parse(down.timestamp as string) + 1).toISOString();
    await page.locator('#travel-instant').fill(instant);
    await page.locator('#travel-go').click();
    await expect(page.locator('#as-of').textContent()).resolves.toContain(instant);
    const replay = await runCli('replay', log, '--until', instant, '--json');
    const report = JSON.parse(replay.stdout) as {
      servers: Record<string, { state: Record<string, unknown> }>;
      ecosystem: { status: string };
    };
    const expected = Object.fromEntries(
      Object.entries(report.servers).map(([name, { state }]) => [
        name,
        {
          status: state.status,
          lifecycle: state.lifecycle,
          attempts: state.recovery_attempts,
          requires_manual: state.requires_manual,
        },
      ]),
    );
    expect(expected.steady).toMatchObject({ status: 'down' });
    expect(await cards(page)).toEqual(expected);
    await expect(page.locator('#ecosystem-status').textContent()).resolves.toBe(
      report.ecosystem.status,
    );
    // Operator buttons are for the present only.
    await expect(page.locator('#servers button').count()).resolves.toBe(0);
    await page.locator('#travel-live').click();
    await page.locator('#servers [data-server="steady"][data-status="ok"]').waitFor();
    await expect(page.locator('#as-of').count()).resolves.toBe(0);
  }, 30_000);

  it('resets from the page a server that waits for an operator, naming the operator', async () => {
    const card = page.locator('#servers [data-server="crashing"][data-lifecycle="failed"]');
    await card.waitFor({ timeout: 20_000 });
    await card.getByRole('button', { name: 'Reset' }).click();
    await page.locator('#action-dialog[open]').waitFor();
    await page.locator('#action-operator').fill('ana');
    await page.locator('#action-confirm').click();
    await page.locator('#notice', { hasText: 'reset crashing: done' }).waitFor();
    const reset = events(log).find((e) => e.event_type === 'server_reset');
    expect(reset).toMatchObject({
      server_name: 'crashing',
      operator: 'ana (dashboard, 127.0.0.1)',
    });
    // Restarted: a server_started after the reset, and the page sees it leave `failed`.
    await page
      .locator('#servers [data-server="crashing"]:not([data-lifecycle="failed"])')
      .waitFor();
    const startedAfter = () =>
      events(log).some(
        (e) =>
          e.event_type === 'server_started' &&
          e.server_name === 'crashing' &&
          (e.seq as number) > (reset!.seq as number),
      );
    await expect.poll(startedAfter, { timeout: 10_000 }).toBe(true);
  }, 40_000);

  it('says so while the gateway is gone, and resynchronises after it restarts', async () => {
    const port = new URL(url).port;
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    const banner = page.locator('#connection[data-state="disconnected"]');
    await banner.waitFor({ timeout: 5000 });
    await expect(banner.textContent()).resolves.toMatch(/Disconnected from the gateway/);
    await expect(banner.isVisible()).resolves.toBe(true);
    await expect(page.locator('main.stale').count()).resolves.toBe(1);
    // No actions on a state that is not live.
    await expect(page.locator('#servers button').count()).resolves.toBe(0);
    gateway = startCli(['start', '--config', setup.config, '--port', port], setup.dir);
    await gateway.until(/^ready: /m, 'stdout', 30_000);
    await page
      .locator('#connection[data-state="live"]')
      .waitFor({ state: 'attached', timeout: 15_000 });
    await expect(page.locator('main.stale').count()).resolves.toBe(0);
    // The new run's state and events: steady registered again, and up.
    await page.locator('#servers [data-server="steady"][data-status="ok"]').waitFor();
    const registered = events(log).filter(
      (e) => e.event_type === 'server_registered' && e.server_name === 'steady',
    );
    expect(registered.length).toBe(2);
    await page.locator(`.timeline [data-event-id="${registered[1]!.event_id}"]`).waitFor({
      state: 'attached',
    });
  }, 60_000);
});
