// Takes the README's screenshots of the dashboard (RFC 0016): `selfheal replay --serve` over a
// small log of four servers, one of them restarted twice and one reset by an operator; the
// overview (cards and roll-up), then the SLA panel with an incident open on its events.
// Usage: node scripts/dashboardScreenshots.mjs OUT_DIR (after the gateway's build; Chromium at
// $SELFHEAL_CHROMIUM or /usr/bin/chromium).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const out = resolve(process.argv[2] ?? '.');
const bin = fileURLToPath(new URL('../bin/selfheal.js', import.meta.url));
const T0 = Date.UTC(2026, 11, 6, 9);
const at = (s, server, event_type, fields = {}) => ({
  event_type,
  timestamp: new Date(T0 + s * 1000).toISOString(),
  trace_id: `t-${server}-${s}`,
  repo: 'selfheal',
  server_name: server,
  ...fields,
});
const check = (s, server, status, ms = 4) =>
  at(s, server, 'health_check_completed', { status, response_time_ms: ms });
const events = [
  ...['github', 'filesystem', 'search', 'postgres'].map((n) =>
    at(0, n, 'server_registered', { transport: n === 'search' ? 'http' : 'stdio' }),
  ),
  ...['github', 'filesystem', 'search', 'postgres'].map((n) => check(2, n, 'ok')),
  check(120, 'search', 'down', 5000),
  check(135, 'search', 'down', 5000),
  at(135, 'search', 'server_down', { reason: 'probe timed out after 5000 ms' }),
  at(136, 'search', 'recovery_started', { strategy: 'restart', attempt: 1, reason: 'down' }),
  at(150, 'search', 'server_recovered'),
  at(400, 'postgres', 'server_down', {
    reason:
      'process exited with code 1; stderr: FATAL: password authentication failed | at connect (pg.js:88)',
  }),
  at(401, 'postgres', 'recovery_started', { strategy: 'restart', attempt: 1, reason: 'exited' }),
  at(410, 'postgres', 'recovery_exhausted', { requires_manual: true }),
  at(700, 'postgres', 'server_reset', { operator: 'ana (dashboard, 127.0.0.1)' }),
  at(712, 'postgres', 'server_recovered'),
  check(900, 'filesystem', 'degraded', 900),
  at(900, 'filesystem', 'server_degraded', { reason: 'slow: 900 ms' }),
  ...['github', 'search', 'postgres'].map((n) => check(1000, n, 'ok')),
];
const dir = mkdtempSync(join(tmpdir(), 'selfheal-screens-'));
const log = join(dir, 'events.jsonl');
writeFileSync(log, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);

const served = spawn(process.execPath, [bin, 'replay', log, '--serve', '--port', '0'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise((done, fail) => {
  let text = '';
  served.stdout.on('data', (chunk) => {
    text += chunk;
    const match = /dashboard of this replay on (\S+) /.exec(text);
    if (match) done(match[1]);
  });
  served.once('exit', (code) => fail(new Error(`selfheal replay --serve exited (${code})`)));
});
const browser = await chromium.launch({
  executablePath: process.env.SELFHEAL_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
  await page.goto(url);
  await page.locator('#sla tbody tr[data-server="postgres"]').waitFor();
  await page.screenshot({ path: join(out, 'dashboard-overview.png') });
  await page.locator('#incidents > li[data-server="postgres"] summary').click();
  await page.locator('#sla-title').scrollIntoViewIfNeeded();
  await page
    .locator('#sla-title')
    .locator('xpath=..')
    .screenshot({ path: join(out, 'dashboard-incident.png') });
} finally {
  await browser.close();
  served.kill('SIGINT');
}
