import { Server } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { createEventFactory, projectAll } from '@selfheal/events';
import { createFakeClock } from '@selfheal/internal/testing';
import type { SelfhealEvent } from '@selfheal/schemas';
import { validate } from '@selfheal/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry } from '../config/registry.js';
import { type CheckedLog, createCheckedLog } from '../testing/checkedLog.js';
import { createFakeSpawner, type FakeProcess } from '../testing/fakeSpawner.js';
import { parseConfig } from '../testing/parseConfig.js';
import { createMonitorStore } from './monitorStore.js';
import { createServerMonitor } from './serverMonitor.js';

/**
 * Wires an in-process MCP server to a fake process's pipes; `hang` stops the answers of every
 * process, `hung` those of the processes in it.
 */
function serve(
  process: FakeProcess,
  control: { hang: boolean; hung: Set<FakeProcess>; messages: number },
) {
  const server = new Server({ name: 'fake', version: '1' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', async () => ({
    tools: [{ name: 'echo', inputSchema: { type: 'object' as const } }],
  }));
  const transport = new StdioServerTransport(process.stdin, process.stdout);
  void server.connect(transport).then(() => {
    const deliver = transport.onmessage!;
    transport.onmessage = (message) => {
      control.messages++;
      if (!control.hang && !control.hung.has(process)) deliver(message);
    };
  });
}

const checkedLogs: CheckedLog[] = [];
// Every event any test emits must be valid: the store's factory does not check them.
afterEach(() => {
  for (const checked of checkedLogs.splice(0)) expect(checked.invalid).toEqual([]);
});

function setup(config: Record<string, unknown> = {}, probeGate?: () => boolean) {
  const clock = createFakeClock();
  const control = {
    hang: false,
    hung: new Set<FakeProcess>(),
    messages: 0,
    crashAfterMs: undefined as number | undefined,
  };
  const spawner = createFakeSpawner((p) => {
    serve(p, control);
    if (control.crashAfterMs !== undefined)
      clock.setTimeout(() => p.exit({ code: 1 }), control.crashAfterMs);
  });
  const [server] = createRegistry(
    parseConfig(
      {
        mcpServers: { s: { command: 'fake-server' } },
        health_check: {
          interval_seconds: 10,
          unhealthy_interval_seconds: 2,
          jitter: 0,
          timeout_seconds: 1,
          failure_threshold: 3,
          success_threshold: 2,
          startup_grace_seconds: 0,
        },
        recovery: { stop_grace_seconds: 1 },
        ...config,
      },
      'test.json',
    ),
    { env: {} },
  );
  const checked = createCheckedLog();
  checkedLogs.push(checked);
  const log = checked.events;
  const store = createMonitorStore({ clock, publish: (e) => checked.publish(e) });
  const monitor = createServerMonitor({
    server: server!,
    store,
    spawner,
    clock,
    random: () => 0.5,
    ...(probeGate && { probeGate }),
  });
  const types = () => log.map((e) => e.event_type);
  return { clock, control, spawner, store, monitor, log, types, server: server! };
}

describe('createServerMonitor on a fake clock', () => {
  it('probes nothing while its probe gate is shut, and probes again once it opens (RFC 0018)', async () => {
    let open = false;
    const { clock, monitor, types } = setup({}, () => open);
    await monitor.start();
    await clock.advance(0);
    await clock.advance(30_000);
    expect(types()).toEqual(['server_registered', 'server_started']);
    open = true;
    monitor.requestCheck();
    await clock.advance(0);
    expect(types()).toEqual([
      'server_registered',
      'server_started',
      'health_check_completed',
      'server_recovered',
    ]);
    await monitor.stop();
  }, 15_000);

  it('starts, settles ok on the first good check, and checks every interval', async () => {
    const { clock, monitor, store, types } = setup();
    await monitor.start();
    await clock.advance(0);
    expect(types()).toEqual([
      'server_registered',
      'server_started',
      'health_check_completed',
      'server_recovered',
    ]);
    expect(store.view('s')).toMatchObject({ status: 'ok', lifecycle: 'running' });
    await clock.advance(9_999);
    expect(types()).toHaveLength(4);
    await clock.advance(1);
    expect(types()).toHaveLength(5);
    await monitor.stop();
  });

  it('a hung server: down after 3 missed pings, restarted, ok after 2 good checks', async () => {
    const { clock, control, monitor, spawner, store, types, log } = setup();
    await monitor.start();
    await clock.advance(0);
    control.hung.add(spawner.spawned[0]!);
    await clock.advance(10_000 + 1000); // check 1 times out
    await clock.advance(2000 + 1000); // check 2
    expect(store.view('s').status).toBe('ok');
    await clock.advance(2000 + 1000); // check 3: the threshold
    expect(store.view('s')).toMatchObject({ status: 'down', consecutive_failures: 3 });
    // It had answered for 11 s (at least stable_after_seconds, 10) before the first missed
    // ping: restarted at once, no backoff wait (RFC 0020).
    await clock.advance(0);
    expect(spawner.spawned[0]!.signals).toEqual(['SIGTERM']);
    expect(spawner.spawned).toHaveLength(2);
    expect(types()).toContain('recovery_successful');
    const at = (type: string) => log.find((e) => e.event_type === type)!.timestamp;
    expect(log.find((e) => e.event_type === 'recovery_started')).toMatchObject({
      delay_ms: 0,
      stable_seconds: 11,
    });
    expect(at('recovery_started')).toBe(at('server_down'));
    await clock.advance(2000);
    await clock.advance(2000);
    expect(store.view('s')).toMatchObject({ status: 'ok', lifecycle: 'running' });
    const incident = log.filter((e) => e.event_type !== 'health_check_completed').slice(-5);
    expect(incident.map((e) => e.event_type)).toEqual([
      'server_down',
      'recovery_started',
      'server_started',
      'recovery_successful',
      'server_recovered',
    ]);
    // One incident, one trace: from the first failed check to the recovery.
    const firstFailure = log.findIndex(
      (e) =>
        e.event_type === 'health_check_completed' && (e as { status?: string }).status === 'down',
    );
    const traces = new Set(log.slice(firstFailure).map((e) => e.trace_id));
    expect(traces.size).toBe(1);
    await monitor.stop();
  });

  it('a crash loop walks exactly 1, 2, 4, 8, 16 s, then recovery_exhausted', async () => {
    const { clock, control, monitor, store, log } = setup();
    control.crashAfterMs = 500;
    await monitor.start();
    await clock.advance(60_000);
    const started = log.filter((e) => e.event_type === 'recovery_started') as (SelfhealEvent & {
      attempt: number;
      delay_ms: number;
    })[];
    expect(started.map((e) => [e.attempt, e.delay_ms])).toEqual([
      [1, 1000],
      [2, 2000],
      [3, 4000],
      [4, 8000],
      [5, 16000],
    ]);
    // Each attempt starts exactly its backoff after the crash before it.
    const downs = log.filter(
      (e) =>
        e.event_type === 'health_check_completed' && (e as { probe?: string }).probe === 'process',
    );
    expect(downs).toHaveLength(6);
    started.forEach((e, i) => {
      expect(Date.parse(e.timestamp) - Date.parse(downs[i]!.timestamp)).toBe(e.delay_ms);
    });
    const exhausted = log.filter((e) => e.event_type === 'recovery_exhausted');
    expect(exhausted).toEqual([
      expect.objectContaining({ requires_manual: true, attempts: 5, server_name: 's' }),
    ]);
    expect(Date.parse(exhausted[0]!.timestamp)).toBe(Date.parse(downs[5]!.timestamp));
    expect(store.view('s')).toMatchObject({ lifecycle: 'failed', requires_manual: true });
    await monitor.stop();
  });

  it('an operator reset after exhaustion starts again from attempt 1', async () => {
    const { clock, control, monitor, store, log } = setup();
    control.crashAfterMs = 500;
    await monitor.start();
    await clock.advance(60_000);
    control.crashAfterMs = undefined;
    await monitor.reset('ana');
    await clock.advance(0);
    expect(log.find((e) => e.event_type === 'server_reset')).toMatchObject({ operator: 'ana' });
    await clock.advance(2000);
    expect(store.view('s')).toMatchObject({
      status: 'ok',
      lifecycle: 'running',
      requires_manual: false,
      recovery_attempts: 0,
    });
    await monitor.stop();
  });

  it('disable stops the process and every check until enable', async () => {
    const { clock, monitor, spawner, store, log } = setup();
    await monitor.start();
    await clock.advance(0);
    await monitor.disable('uid 1000 (pid 4242)', { uid: 1000, pid: 4242 });
    expect(log.find((e) => e.event_type === 'server_disabled')).toMatchObject({
      operator: 'uid 1000 (pid 4242)',
      operator_uid: 1000,
      operator_pid: 4242,
    });
    expect(spawner.live()).toBe(0);
    const count = log.length;
    await clock.advance(120_000);
    expect(log.length).toBe(count);
    expect(store.view('s').lifecycle).toBe('disabled');
    await monitor.enable('ana');
    await clock.advance(0);
    expect(spawner.live()).toBe(1);
    expect(store.view('s').lifecycle).toBe('running');
    await monitor.stop();
  });

  it("follows another replica's disable and enable observed into its store, emitting neither (RFC 0018)", async () => {
    const { clock, monitor, spawner, store, log, types } = setup();
    const other = createEventFactory({ clock, replica: 'gw-b' });
    await monitor.start();
    await clock.advance(0);
    expect(monitor.client).toBeDefined();
    store.observe(other.create('server_disabled', { server_name: 's', operator: 'ana' }));
    await monitor.followLifecycle();
    // What its own disable stops: the process, the session, every check.
    expect(spawner.live()).toBe(0);
    expect(monitor.client).toBeUndefined();
    const count = log.length;
    await clock.advance(120_000);
    expect(log.length).toBe(count);
    expect(types()).not.toContain('server_disabled');
    // Told again on this replica: already disabled, nothing more in the log.
    await monitor.disable('bo');
    expect(log.length).toBe(count);
    store.observe(other.create('server_enabled', { server_name: 's', operator: 'ana' }));
    await monitor.followLifecycle();
    await clock.advance(0);
    expect(spawner.live()).toBe(1);
    expect(types().slice(count)).toEqual(['server_started', 'health_check_completed']);
    await clock.advance(10_000);
    expect(types().at(-1)).toBe('health_check_completed');
    expect(types()).not.toContain('server_enabled');
    await monitor.stop();
  });

  it('starts nothing for a server its store already shows disabled by another replica', async () => {
    const { clock, monitor, spawner, store, types } = setup();
    const other = createEventFactory({ clock, replica: 'gw-b' });
    // A replica that starts later: the stream folded before its monitor starts.
    store.observe(other.create('server_disabled', { server_name: 's', operator: 'ana' }));
    await monitor.start();
    await clock.advance(60_000);
    expect(spawner.spawned).toHaveLength(0);
    expect(types()).toEqual(['server_registered']);
    store.observe(other.create('server_enabled', { server_name: 's', operator: 'ana' }));
    await monitor.followLifecycle();
    await clock.advance(0);
    expect(spawner.live()).toBe(1);
    expect(types()).toContain('health_check_completed');
    await monitor.stop();
  });

  it('leaves a disable and an enable observed before its start to the start', async () => {
    const { clock, monitor, spawner, store, types } = setup();
    const other = createEventFactory({ clock, replica: 'gw-b' });
    for (const type of ['server_disabled', 'server_enabled'] as const) {
      store.observe(other.create(type, { server_name: 's', operator: 'ana' }));
      await monitor.followLifecycle();
    }
    expect(spawner.spawned).toHaveLength(0);
    expect(types()).toEqual([]);
    await monitor.start();
    await clock.advance(0);
    expect(spawner.live()).toBe(1);
    expect(types()).toEqual([
      'server_registered',
      'server_started',
      'health_check_completed',
      'server_recovered',
    ]);
    await monitor.stop();
  });

  it('health_check.enabled false: no probes, but an exit is still reported and recovered', async () => {
    const { clock, control, monitor, spawner, store, types } = setup({
      health_check: { enabled: false, interval_seconds: 10 },
    });
    await monitor.start();
    await clock.advance(0);
    expect(types()).toEqual([
      'server_registered',
      'server_started',
      'health_check_completed',
      'server_recovered',
    ]);
    await clock.advance(600_000);
    // Ten minutes: not one probe, not even an initialize on the server's pipes.
    expect(types()).toHaveLength(4);
    expect(control.messages).toBe(0);
    spawner.spawned[0]!.exit({ code: 1 });
    await clock.advance(0);
    // Up for ten minutes: restarted at once, no backoff wait (RFC 0020).
    expect(spawner.spawned).toHaveLength(2);
    expect(store.view('s')).toMatchObject({ recovery_attempts: 1 });
    expect(types().slice(4)).toEqual([
      'health_check_completed',
      'server_down',
      'recovery_started',
      'server_started',
      'recovery_successful',
      'health_check_completed',
      'server_recovered',
    ]);
    expect(store.view('s')).toMatchObject({ status: 'ok', lifecycle: 'running' });
    await clock.advance(600_000);
    expect(types()).toHaveLength(11);
    expect(control.messages).toBe(0);
    await monitor.stop();
  });

  it('a stable server is restarted at once on its first crash, and backs off on the next ones', async () => {
    const { clock, monitor, spawner, log } = setup();
    await monitor.start();
    await clock.advance(9_999);
    // Answering for just under stable_after_seconds (10): the first backoff step applies.
    spawner.spawned[0]!.exit({ code: 1 });
    await clock.advance(999);
    expect(spawner.spawned).toHaveLength(1);
    await clock.advance(1);
    expect(spawner.spawned).toHaveLength(2);
    await monitor.reset('ana');
    await clock.advance(10_000);
    const before = spawner.spawned.length;
    spawner.spawned.at(-1)!.exit({ code: 1 });
    await clock.advance(0);
    expect(spawner.spawned).toHaveLength(before + 1);
    // The restarted process dies before it answers: from here on the backoff (attempt 2: 2 s).
    spawner.spawned.at(-1)!.exit({ code: 1 });
    await clock.advance(1999);
    expect(spawner.spawned).toHaveLength(before + 1);
    await clock.advance(1);
    expect(spawner.spawned).toHaveLength(before + 2);
    const started = log.filter((e) => e.event_type === 'recovery_started').slice(-2);
    expect(started).toEqual([
      expect.objectContaining({ attempt: 1, delay_ms: 0, stable_seconds: 10 }),
      expect.objectContaining({ attempt: 2, delay_ms: 2000 }),
    ]);
    expect(started[1]).not.toHaveProperty('stable_seconds');
    await monitor.stop();
  });

  it('every emitted event is schema-valid, and replaying them reproduces the live state', async () => {
    const { clock, control, monitor, store, log } = setup();
    control.crashAfterMs = 3000;
    await monitor.start();
    await clock.advance(30_000);
    control.crashAfterMs = undefined;
    await clock.advance(30_000);
    for (const event of log) expect(validate('event', event).issues).toEqual([]);
    expect(JSON.parse(JSON.stringify(projectAll(log)))).toEqual(
      JSON.parse(JSON.stringify(store.state())),
    );
    await monitor.stop();
  });
});

describe('createServerMonitor for an embedding gateway', () => {
  it('reports each session it opens and closes, across a restart', async () => {
    const { clock, monitor, spawner } = setup();
    const seen: (string | undefined)[] = [];
    monitor.onSession((client) => seen.push(client ? 'open' : 'closed'));
    await monitor.start();
    await clock.advance(0);
    expect(seen).toEqual(['open']);
    const first = monitor.client;
    spawner.spawned[0]!.exit({ code: 1 });
    await clock.advance(0);
    expect(seen).toEqual(['open', 'closed']);
    await clock.advance(1000); // backoff of attempt 1: restart and a new session
    expect(seen).toEqual(['open', 'closed', 'open']);
    expect(monitor.client).toBeDefined();
    expect(monitor.client).not.toBe(first);
    await monitor.stop();
    expect(seen).toEqual(['open', 'closed', 'open', 'closed']);
  });

  it('keeps a session when asked to, even with no probe that needs one', async () => {
    const probesOnly = { health_check: { probes: ['process'], startup_grace_seconds: 0 } };
    const plain = setup(probesOnly);
    await plain.monitor.start();
    expect(plain.monitor.client).toBeUndefined();
    await plain.monitor.stop();
    const kept = setup(probesOnly);
    const monitor = createServerMonitor({
      server: kept.server,
      store: kept.store,
      spawner: kept.spawner,
      clock: kept.clock,
      keepSession: true,
    });
    await monitor.start();
    expect(monitor.client).toBeDefined();
    await monitor.stop();
  });

  it('runs a requested check at once instead of at the next interval', async () => {
    const { clock, monitor, types } = setup();
    await monitor.start();
    await clock.advance(0);
    const checks = () => types().filter((t) => t === 'health_check_completed').length;
    expect(checks()).toBe(1);
    await clock.advance(5_000);
    expect(checks()).toBe(1);
    monitor.requestCheck();
    await clock.advance(0);
    expect(checks()).toBe(2);
    await monitor.stop();
    monitor.requestCheck();
    await clock.advance(60_000);
    expect(checks()).toBe(2);
  });
});
