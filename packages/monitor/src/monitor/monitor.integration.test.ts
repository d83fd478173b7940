import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry } from '../config/registry.js';
import { createNodeSpawner } from '../supervisor/nodeSpawner.js';
import { type CheckedLog, createCheckedLog } from '../testing/checkedLog.js';
import { parseConfig } from '../testing/parseConfig.js';
import { createMonitor, type Monitor } from './monitor.js';
import { createMonitorStore } from './monitorStore.js';

// Real processes, real time: short intervals so each scenario takes a second or two. The
// assertions are on outcomes, each polled up to a generous deadline; nothing sleeps a fixed time.
const everything = createRequire(import.meta.url).resolve(
  '@modelcontextprotocol/server-everything/dist/index.js',
);
const crashing = fileURLToPath(
  new URL('../../../../examples/servers/crashing.js', import.meta.url),
);

const fast = {
  health_check: {
    interval_seconds: 0.1,
    unhealthy_interval_seconds: 0.05,
    timeout_seconds: 0.3,
    failure_threshold: 2,
    success_threshold: 1,
    startup_grace_seconds: 0,
  },
  recovery: {
    stop_grace_seconds: 0.3,
    backoff: { initial_seconds: 0.05, multiplier: 2, max_seconds: 1 },
  },
};

let monitor: Monitor | undefined;
const checkedLogs: CheckedLog[] = [];
afterEach(async () => {
  await monitor?.stop();
  monitor = undefined;
  // Every event emitted must be valid: the store's factory does not check them.
  for (const checked of checkedLogs.splice(0)) expect(checked.invalid).toEqual([]);
});

function start(servers: Record<string, unknown>) {
  const [config] = [parseConfig({ mcpServers: servers, ...fast }, 'test.json')];
  const checked = createCheckedLog();
  checkedLogs.push(checked);
  const log = checked.events;
  const store = createMonitorStore({ publish: (e) => checked.publish(e) });
  monitor = createMonitor({
    servers: createRegistry(config, { env: {} }),
    store,
    spawner: createNodeSpawner(),
  });
  return { monitor, store, log };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
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

describe('monitor with real processes', () => {
  it('refuses a server added after stop (a reload that races the shutdown spawns nothing)', async () => {
    const { monitor: m } = start({});
    const [config] = [
      parseConfig(
        {
          mcpServers: { late: { command: process.execPath, args: [everything, 'stdio'] } },
          ...fast,
        },
        'test.json',
      ),
    ];
    await m.stop();
    const [late] = createRegistry(config, { env: {} });
    expect(() => m.add(late!)).toThrow(/not added: the monitor is stopped/);
    expect(m.servers.has('late')).toBe(false);
  });

  it('a stdio server killed with SIGKILL is restarted and answers tools/list again', async () => {
    const { monitor, store, log } = start({
      everything: { command: process.execPath, args: [everything, 'stdio'] },
    });
    await monitor.start();
    const s = monitor.servers.get('everything')!;
    await eventually(() => store.view('everything').status === 'ok');
    const before = s.pid!;
    const killedAt = performance.now();
    const since = log.length;
    process.kill(before, 'SIGKILL');
    // The figure (back within 2 s; 0.6-0.9 s measured, RFC 0007) is printed below, not
    // asserted: a wall-clock bound fails on a loaded machine. The deadline only ends a hang.
    // Polled; a call that fails or times out is simply tried again.
    let tools = 0;
    let pending: Promise<void> | undefined;
    await eventually(() => {
      const client = s.pid !== undefined && s.pid !== before ? s.client : undefined;
      if (client && !pending) {
        pending = client
          .listTools({}, { timeout: 500 })
          .then((r) => {
            tools = r.tools.length;
          })
          .catch(() => {})
          .finally(() => {
            pending = undefined;
          });
      }
      return tools > 0;
    }, 15_000);
    const total = performance.now() - killedAt;
    // Where the time went, for the record (RFC 0007): the server's own start dominates.
    const at = (type: string) => {
      const e = log.slice(since).find((x) => x.event_type === type);
      return e
        ? `${type} +${Date.parse(e.timestamp) - Math.round(performance.timeOrigin + killedAt)} ms`
        : `${type} -`;
    };
    console.info(
      `SIGKILL to tools/list: ${Math.round(total)} ms (${['server_down', 'recovery_started', 'server_started', 'recovery_successful'].map(at).join(', ')})`,
    );
    expect(s.pid).not.toBe(before);
    expect(alive(before)).toBe(false);
  }, 30_000);

  it('a SIGSTOPped server is detected by missed pings and restarted', async () => {
    const { monitor, store, log } = start({
      everything: { command: process.execPath, args: [everything, 'stdio'] },
    });
    await monitor.start();
    const s = monitor.servers.get('everything')!;
    await eventually(() => store.view('everything').status === 'ok');
    const stopped = s.pid!;
    process.kill(stopped, 'SIGSTOP');
    await eventually(() => log.some((e) => e.event_type === 'server_down'));
    const down = log.find((e) => e.event_type === 'server_down') as { reason?: string };
    expect(down.reason).toMatch(/ping: no answer within 300 ms/);
    await eventually(() => store.view('everything').status === 'ok' && s.pid !== stopped);
    await eventually(() => !alive(stopped));
    expect(log.map((e) => e.event_type)).toEqual(
      expect.arrayContaining(['recovery_started', 'recovery_successful', 'server_recovered']),
    );
  }, 30_000);

  it('a crash-looping server stops at 5 attempts and waits for the operator', async () => {
    const { monitor, store, log } = start({
      crashing: { command: process.execPath, args: [crashing], env: { CRASH_AFTER_MS: '150' } },
    });
    await monitor.start();
    await eventually(() => store.view('crashing').requires_manual);
    const attempts = log
      .filter((e) => e.event_type === 'recovery_started')
      .map((e) => (e as { attempt?: number }).attempt);
    expect(attempts).toEqual([1, 2, 3, 4, 5]);
    expect(store.view('crashing')).toMatchObject({ lifecycle: 'failed', requires_manual: true });
    await eventually(() => monitor.servers.get('crashing')!.pid === undefined);
    const reply = await monitor.control({ action: 'reset', server: 'crashing', operator: 'ana' });
    expect(reply.ok).toBe(true);
    expect(log.filter((e) => e.event_type === 'server_reset')).toHaveLength(1);
    expect(store.view('crashing')).toMatchObject({ requires_manual: false });
  }, 30_000);

  it('after the monitor stops, no child process remains', async () => {
    const { monitor, store } = start({
      a: { command: process.execPath, args: [everything, 'stdio'] },
      b: { command: process.execPath, args: [everything, 'stdio'] },
    });
    await monitor.start();
    await eventually(() => store.view('a').status === 'ok' && store.view('b').status === 'ok');
    const pids = [...monitor.servers.values()].map((s) => s.pid!);
    expect(pids.every(alive)).toBe(true);
    await monitor.stop();
    await eventually(() => pids.every((pid) => !alive(pid)));
  }, 30_000);
});
