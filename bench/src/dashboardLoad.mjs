// The live dashboard (RFC 0016) under load, in headless Chromium: a page of BENCH_SERVERS
// (default 100) servers, its history a log of an hour of checks and five minutes of call
// summaries, then BENCH_EVENTS_PER_SECOND (default 200) events a second on /health/stream for
// BENCH_SECONDS (default 60): checks, calls, and an outage and its recovery every few seconds.
// The page and stream are the gateway's own routes (createDashboard, createHealthStream) on
// 127.0.0.1. Reported: first contentful paint and the time until every card is drawn; the
// main thread's long tasks (PerformanceObserver `longtask`: every task over 50 ms) while the
// page loads and while the events come; the JS heap after a forced GC every 10 s. Targets
// (nothing is asserted): first paint under 1 s, no task over 50 ms under load, heap flat apart
// from the events the page holds for time travel.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHealthProjector } from '@selfheal/events';
import { createDashboard, createHealthStream, readEventFiles } from '@selfheal/gateway';
import { chromium } from 'playwright-core';

const SERVERS = Number(process.env.BENCH_SERVERS ?? 100);
const RATE = Number(process.env.BENCH_EVENTS_PER_SECOND ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CHROMIUM = process.env.SELFHEAL_CHROMIUM || '/usr/bin/chromium';

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const names = Array.from({ length: SERVERS }, (_, i) => `srv-${String(i).padStart(3, '0')}`);
let seq = 0;
const event = (ms, event_type, fields) => ({
  event_type,
  timestamp: new Date(ms).toISOString(),
  event_id: `bench-${++seq}`,
  trace_id: `t-${seq}`,
  repo: 'selfheal',
  ...fields,
});
const check = (ms, server_name, status = 'ok') =>
  event(ms, 'health_check_completed', {
    server_name,
    status,
    response_time_ms: 3 + (seq % 7),
  });

/** An hour of history: registrations, a check a minute per server, five minutes of summaries. */
function writeHistory(dir) {
  const now = Date.now();
  const lines = [];
  for (const name of names)
    lines.push(
      event(now - 3_600_000, 'server_registered', { server_name: name, transport: 'stdio' }),
    );
  for (let m = 59; m >= 0; m--) {
    for (const name of names) lines.push(check(now - m * 60_000 - 500, name));
    if (m < 5)
      for (const name of names)
        lines.push(
          event(now - m * 60_000, 'call_summary', {
            server_name: name,
            method: 'tools/call',
            window_start: new Date(now - (m + 1) * 60_000).toISOString(),
            window_ms: 60_000,
            calls: 120,
            counts: { ok: 118, error: 2 },
            latency_ms: { p50: 8, p95: 30, p99: 45, max: 60 },
          }),
        );
  }
  const file = join(dir, 'events.jsonl');
  writeFileSync(file, `${lines.map((e) => JSON.stringify(e)).join('\n')}\n`);
  return { file, events: lines };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-dashboard-bench-'));
  const history = writeHistory(dir);
  const projector = createHealthProjector();
  for (const e of history.events) projector.apply(e);
  const subscribers = new Set();
  const publish = (e) => {
    projector.apply(e);
    for (const next of subscribers) next(e);
  };
  const dashboard = createDashboard({ mode: 'live', events: () => readEventFiles([history.file]) });
  const stream = createHealthStream({
    events: {
      subscribe(next) {
        subscribers.add(next);
        return { unsubscribe: () => subscribers.delete(next) };
      },
    },
    snapshot: () => ({ timestamp: new Date().toISOString(), servers: projector.state().servers }),
    refuse: () => undefined,
  });
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://bench').pathname;
    if (!(await dashboard.handle(req, res, path))) res.writeHead(404).end();
  });
  server.on('upgrade', (req, socket, head) => stream.handleUpgrade(req, socket, head));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('crash', () => process.stderr.write('dashboard bench: the page crashed\n'));
    page.on('pageerror', (error) =>
      process.stderr.write(`dashboard bench: page error: ${error.message}\n`),
    );
    await page.addInitScript(() => {
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const t of list.getEntries())
          window.__longTasks.push({ start: t.startTime, ms: t.duration });
      }).observe({ type: 'longtask', buffered: true });
    });
    const cdp = await page.context().newCDPSession(page);
    const heapMb = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      return usedSize / 1_048_576;
    };
    const started = performance.now();
    await page.goto(url);
    await page.locator('#connection[data-state="live"]').waitFor({ state: 'attached' });
    await page.waitForFunction(
      (n) => document.querySelectorAll('#servers [data-server]').length === n,
      SERVERS,
    );
    const allCards = performance.now() - started;
    // The history's fold and the sparklines: wait until the SLA table has every server.
    await page.waitForFunction(
      (n) => document.querySelectorAll('#sla tbody tr').length === n,
      SERVERS,
    );
    const loaded = performance.now() - started;
    const fcp = await page.evaluate(
      () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
    );
    const loadTasks = await page.evaluate(() => window.__longTasks.splice(0));
    const heap = [await heapMb()];

    // The load: RATE events a second in 20 ms ticks; every 5 s an outage, recovered 2 s later.
    let sent = 0;
    const t0 = Date.now();
    const perTick = RATE / 50;
    let owed = 0;
    /** The server down now, recovered two seconds later. */
    let down;
    const ticker = setInterval(() => {
      const now = Date.now();
      owed += perTick;
      for (; owed >= 1; owed--) {
        const name = names[sent % SERVERS];
        publish(
          sent % 5 === 0
            ? event(now, 'call_completed', {
                server_name: name,
                method: 'tools/call',
                outcome: sent % 50 === 0 ? 'error' : 'ok',
                latency_ms: 5 + (sent % 40),
              })
            : check(now, name),
        );
        sent++;
      }
      const second = Math.floor((now - t0) / 1000);
      const victim = names[(second * 7) % SERVERS];
      if (second % 5 === 0 && !down) {
        down = victim;
        publish(event(now, 'server_down', { server_name: victim, reason: 'bench outage' }));
      } else if (second % 5 === 2 && down) {
        publish(event(now, 'server_recovered', { server_name: down }));
        down = undefined;
      }
    }, 20);
    for (let s = 10; s <= SECONDS; s += 10) {
      await new Promise((r) => setTimeout(r, 10_000 - ((Date.now() - t0) % 10_000)));
      heap.push(await heapMb());
    }
    clearInterval(ticker);
    const loadTasksDuring = await page.evaluate(() => window.__longTasks.splice(0));
    const held = await page.evaluate(
      () => document.querySelector('#travel-slider')?.getAttribute('max') ?? null,
    );
    const fmt = (xs) =>
      xs.length === 0
        ? 'none'
        : `${xs.length}, longest ${Math.max(...xs.map((t) => t.ms)).toFixed(0)} ms`;
    process.stdout.write(
      [
        `dashboard: ${SERVERS} servers, history ${history.events.length} events; then ${sent} events in ${((Date.now() - t0) / 1000).toFixed(0)} s (${RATE}/s target) on /health/stream`,
        `  first contentful paint   ${fcp === null ? '-' : `${fcp.toFixed(0)} ms`}`,
        `  all ${SERVERS} cards drawn     ${allCards.toFixed(0)} ms after navigation start`,
        `  history folded (SLA)     ${loaded.toFixed(0)} ms`,
        `  long tasks while loading ${fmt(loadTasks)}`,
        `  long tasks under load    ${fmt(loadTasksDuring)}${loadTasksDuring.length > 0 ? ` (median ${median(loadTasksDuring.map((t) => t.ms)).toFixed(0)} ms)` : ''}`,
        `  JS heap after GC, MB     ${heap.map((h) => h.toFixed(1)).join(' -> ')} (every 10 s from the end of loading)`,
        `  events held for time travel at the end: ${held === null ? '-' : Number(held) + 1}`,
        '',
      ].join('\n'),
    );
  } finally {
    await browser.close();
    stream.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
