import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry } from '../config/registry.js';
import { createNodeSpawner } from '../supervisor/nodeSpawner.js';
import { type CheckedLog, createCheckedLog } from '../testing/checkedLog.js';
import { parseConfig } from '../testing/parseConfig.js';
import { createMonitor, type Monitor } from './monitor.js';
import { createMonitorStore } from './monitorStore.js';

// The demo servers of examples/servers/, each under a real monitor, doing what the examples
// README says they do. Real processes and real time with short intervals; every assertion
// waits for an outcome up to a generous deadline, nothing sleeps a fixed time.
const demo = (file: string) =>
  fileURLToPath(new URL(`../../../../examples/servers/${file}`, import.meta.url));

const fast = {
  interval_seconds: 0.1,
  unhealthy_interval_seconds: 0.05,
  timeout_seconds: 0.3,
  failure_threshold: 2,
  success_threshold: 1,
  startup_grace_seconds: 0,
};

let monitor: Monitor | undefined;
const checkedLogs: CheckedLog[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await monitor?.stop();
  monitor = undefined;
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  for (const checked of checkedLogs.splice(0)) expect(checked.invalid).toEqual([]);
});

function start(mcpServers: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const config = parseConfig(
    {
      mcpServers,
      health_check: fast,
      recovery: {
        stop_grace_seconds: 0.3,
        backoff: { initial_seconds: 0.05, multiplier: 2, max_seconds: 1 },
      },
      ...extra,
    },
    'test.json',
  );
  const checked = createCheckedLog();
  checkedLogs.push(checked);
  const store = createMonitorStore({ publish: (e) => checked.publish(e) });
  monitor = createMonitor({
    servers: createRegistry(config, { env: {} }),
    store,
    spawner: createNodeSpawner(),
  });
  const log = checked.events as (Record<string, unknown> & { event_type: string })[];
  const checks = (server: string) =>
    log.filter((e) => e.event_type === 'health_check_completed' && e.server_name === server);
  return { monitor, store, log, checks };
}

async function eventually<T>(probe: () => T | undefined | false, deadlineMs = 15_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the demo servers under the monitor', () => {
  it('hanging.js: answers, then hangs; missed pings bring it down and it is restarted', async () => {
    const { monitor, store, log } = start({
      hanging: {
        command: process.execPath,
        args: [demo('hanging.js')],
        env: { HANG_AFTER_MS: '500' },
      },
    });
    await monitor.start();
    const s = monitor.servers.get('hanging')!;
    await eventually(() => store.view('hanging').status === 'ok');
    const first = s.pid!;
    const down = await eventually(() => log.find((e) => e.event_type === 'server_down'));
    expect(down.reason).toMatch(/ping: no answer within 300 ms/);
    // Alive but silent: only a restart helps, and the hung process is gone after it.
    await eventually(() => log.some((e) => e.event_type === 'recovery_successful'));
    expect(s.pid).not.toBe(first);
    await eventually(() => !alive(first));
  }, 30_000);

  it('slow.js: under the timeout it is ok but slow; over it every check fails', async () => {
    const { monitor, store, log, checks } = start({
      slowish: { command: process.execPath, args: [demo('slow.js')], env: { SLOW_MS: '150' } },
      glacial: {
        command: process.execPath,
        args: [demo('slow.js')],
        env: { SLOW_MS: '900' },
        recovery: { strategy: 'manual' },
      },
    });
    await monitor.start();
    await eventually(() => checks('slowish').filter((e) => e.status === 'ok').length >= 3);
    expect(store.view('slowish').status).toBe('ok');
    for (const e of checks('slowish').filter((c) => c.status === 'ok')) {
      expect(e.response_time_ms).toBeGreaterThanOrEqual(150);
    }
    const down = await eventually(() =>
      log.find((e) => e.event_type === 'server_down' && e.server_name === 'glacial'),
    );
    expect(down.reason).toMatch(/no answer within 300 ms/);
    expect(log.some((e) => e.event_type === 'server_down' && e.server_name === 'slowish')).toBe(
      false,
    );
  }, 30_000);

  it('flapping.js: its /health alternates between ok and down', async () => {
    const port = await freePort();
    const { monitor, checks } = start({
      flapping: {
        command: process.execPath,
        args: [demo('flapping.js')],
        env: { FLAP_MS: '700', HEALTH_PORT: String(port) },
        health_url: `http://127.0.0.1:${port}/health`,
        health_check: { probes: ['http'], failure_threshold: 1 },
        // Waits for an operator instead of restarting, so the phases run undisturbed.
        recovery: { strategy: 'manual' },
      },
    });
    await monitor.start();
    // ok, then down (its own report), then ok again: one full flap.
    const flapped = () => {
      const statuses = checks('flapping').map((e) => e.status);
      const firstDown = statuses.indexOf('down', statuses.indexOf('ok'));
      return firstDown > 0 && statuses.indexOf('ok', firstDown) > firstDown;
    };
    await eventually(flapped);
    const down = checks('flapping').find(
      (e) => e.status === 'down' && String(e.error).includes('flapping'),
    );
    expect(down?.error).toBe('flapping: in a down phase');
  }, 30_000);

  it('invalid-health.js: a /health that breaks the W3 schema is a failed check', async () => {
    const port = await freePort();
    const { monitor, store, log, checks } = start({
      'invalid-health': {
        command: process.execPath,
        args: [demo('invalid-health.js')],
        env: { HEALTH_PORT: String(port) },
        health_url: `http://127.0.0.1:${port}/health`,
        health_check: { probes: ['http'] },
        recovery: { strategy: 'manual' },
      },
    });
    await monitor.start();
    const bad = await eventually(() =>
      checks('invalid-health').find((e) => String(e.error).includes('invalid /health body')),
    );
    expect(bad.status).toBe('down');
    expect(bad.error).toContain('/status');
    expect(bad.error).toContain('/uptime_seconds');
    await eventually(() => log.some((e) => e.event_type === 'recovery_exhausted'));
    expect(store.view('invalid-health')).toMatchObject({
      status: 'down',
      lifecycle: 'failed',
      requires_manual: true,
    });
  }, 30_000);
});

describe('a degraded /health under the monitor', () => {
  it('warns at once, never restarts, and is ok again after success_threshold ok checks', async () => {
    let health: 'ok' | 'degraded' = 'degraded';
    let served = 0;
    const s = createServer((_req, res) => {
      served++;
      res.writeHead(200, { 'content-type': 'application/health+json' });
      res.end(
        JSON.stringify({
          status: health,
          timestamp: new Date().toISOString(),
          uptime_seconds: 1,
          ...(health === 'degraded' && { error: 'cache cold' }),
        }),
      );
    });
    servers.push(s);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    const { monitor, store, log, checks } = start({
      api: {
        url: `${base}/mcp`,
        health_url: `${base}/health`,
        health_check: { probes: ['http'], success_threshold: 3 },
      },
    });
    await monitor.start();
    await eventually(() => log.some((e) => e.event_type === 'server_degraded'));
    expect(store.view('api')).toMatchObject({ status: 'degraded', error: 'cache cold' });
    // Many degraded checks (failure_threshold is 2): still only a warning.
    await eventually(() => served >= 8);
    expect(store.view('api').status).toBe('degraded');
    const types = () => log.map((e) => e.event_type);
    for (const never of ['server_down', 'recovery_started', 'recovery_exhausted']) {
      expect(types()).not.toContain(never);
    }
    health = 'ok';
    await eventually(() => store.view('api').status === 'ok');
    const recovered = log.findIndex((e) => e.event_type === 'server_recovered');
    const before = log.slice(0, recovered).filter((e) => e.event_type === 'health_check_completed');
    expect(before.slice(-3).map((e) => e.status)).toEqual(['ok', 'ok', 'ok']);
    expect(before.at(-4)?.status).toBe('degraded');
    expect(checks('api').length).toBeGreaterThanOrEqual(11);
  }, 30_000);
});
