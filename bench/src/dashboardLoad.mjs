// The live dashboard (RFC 0016) under load, in headless Chromium: a page of BENCH_SERVERS
// (default 100) servers, its history a log of an hour of checks and five minutes of call
// summaries, then BENCH_EVENTS_PER_SECOND (default 200) events a second on /health/stream for
// BENCH_SECONDS (default 60): checks, calls, and an outage and its recovery every few seconds.
// The page and stream are the gateway's own routes (createDashboard, createHealthStream) on
// 127.0.0.1. Reported: first contentful paint and the time until every card is drawn; the
// main thread's long tasks (PerformanceObserver `longtask`: every task over 50 ms) while the
// page loads and while the events come (less the bench's own forced GCs, counted apart); the JS
// heap after a forced GC every 10 s. Targets (nothing is asserted): first paint under 1 s, no
// task over 50 ms under load, heap flat apart from the events the page holds for time travel.
// BENCH_PROFILE=file.cpuprofile records a CPU profile under load and prints where the time
// goes; BENCH_TRACE=file.json a Chrome trace of the first 10 s under load (layout, paint, GC).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHealthProjector } from '@selfheal/events';
import { createDashboard, createHealthStream, readEventFiles } from '@selfheal/gateway';
import { chromium } from 'playwright-core';
import { median } from './mcpLoad.mjs';

const SERVERS = Number(process.env.BENCH_SERVERS ?? 100);
const RATE = Number(process.env.BENCH_EVENTS_PER_SECOND ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CHROMIUM = process.env.SELFHEAL_CHROMIUM || '/usr/bin/chromium';
/** Where to write a Chrome trace of the first 10 s under load (for DevTools); none unset. */
const TRACE = process.env.BENCH_TRACE;
/** Where to write a CPU profile of the page under load (`.cpuprofile`, for DevTools); none unset. */
const PROFILE = process.env.BENCH_PROFILE;

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

/**
 * Stops the profiler, writes its profile to `file` and returns the functions with the most self
 * time under load, one line each: where the page's main thread goes.
 */
async function writeProfile(cdp, file) {
  const { profile } = await cdp.send('Profiler.stop');
  writeFileSync(file, JSON.stringify(profile));
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const intervals = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber, columnNumber } = byId.get(id).callFrame;
    const key = `${functionName || '(anonymous)'} ${url.split('/').pop()}:${lineNumber + 1}:${columnNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (intervals[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return [...self]
    .filter(([key]) => !key.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(
      ([key, ms]) =>
        `    ${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${key}`,
    );
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
    /** The page's clock while the bench forced a GC: its own long tasks, not the page's. */
    const forcedGcs = [];
    const heapMb = async () => {
      const from = await page.evaluate(() => performance.now());
      await cdp.send('HeapProfiler.collectGarbage');
      forcedGcs.push([from, await page.evaluate(() => performance.now())]);
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      return usedSize / 1_048_576;
    };
    /** `tasks` less those that began while the bench forced a GC. */
    const pagesOwn = (tasks) =>
      tasks.filter((t) => !forcedGcs.some(([from, to]) => t.start >= from && t.start <= to));
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
    if (TRACE)
      await browser.startTracing(page, {
        path: TRACE,
        categories: ['devtools.timeline', 'toplevel'],
      });
    if (PROFILE) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
      await cdp.send('Profiler.start');
    }

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
      if (TRACE && s === 10) await browser.stopTracing();
    }
    clearInterval(ticker);
    const hot = PROFILE ? await writeProfile(cdp, PROFILE) : [];
    const allTasksDuring = await page.evaluate(() => window.__longTasks.splice(0));
    const loadTasksDuring = pagesOwn(allTasksDuring);
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
        `  long tasks under load    ${fmt(loadTasksDuring)}${loadTasksDuring.length > 0 ? ` (median ${median(loadTasksDuring.map((t) => t.ms)).toFixed(0)} ms)` : ''}; besides, ${fmt(allTasksDuring.filter((t) => !loadTasksDuring.includes(t)))} in the bench's forced GCs`,
        `  JS heap after GC, MB     ${heap.map((h) => h.toFixed(1)).join(' -> ')} (every 10 s from the end of loading)`,
        `  events held for time travel at the end: ${held === null ? '-' : Number(held) + 1}`,
        ...(PROFILE ? [`  CPU profile ${PROFILE}; most self time:`, ...hot] : []),
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
