import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createNodeSpawner, type SpawnedProcess, type Spawner } from '@selfheal/monitor';
import type { EcosystemHealth, SelfhealEvent } from '@selfheal/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { openEventLog } from '../src/commands/gatewayCommon.js';
import { runReplay } from '../src/commands/replay.js';
import type { CliIO } from '../src/io.js';
import { type RunningGateway, startGateway } from './helpers/gatewayHarness.js';

const SESSION = fileURLToPath(new URL('./helpers/sessionServer.mjs', import.meta.url));
const text = (result: unknown) =>
  (result as { content: { text: string }[] }).content.map((c) => c.text).join('');
const servedBy = (result: { _meta?: Record<string, unknown> }) =>
  result._meta?.['selfheal/served_by'];

/**
 * The real spawner, except that while `hold()` is in force the next start of a process whose
 * args include `--role=primary` waits (its `ready`) until `release()`: the test decides when
 * the monitor's restart of the primary completes, so the failover window is never a race.
 */
function gatedSpawner() {
  const inner = createNodeSpawner();
  let gate: Promise<void> | undefined;
  let open = () => {};
  const spawner: Spawner = {
    spawn(spec) {
      const spawned = inner.spawn(spec);
      const held = gate;
      if (!held || !spec.args.includes('--role=primary')) return spawned;
      return Object.create(spawned, {
        ready: { value: spawned.ready.then(() => held) },
      }) as SpawnedProcess;
    },
  };
  return {
    spawner,
    hold() {
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
    },
    release() {
      gate = undefined;
      open();
    },
  };
}

const hasProc = existsSync('/proc/self/cmdline');

/** Live processes (not the monitor's wrappers) whose command line has `arg` (Linux /proc). */
function serversWith(arg: string): number {
  let count = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv.includes(arg) && !argv.some((a) => a.includes('child-wrapper'))) count++;
    } catch {
      // gone meanwhile
    }
  }
  return count;
}

describe('an upstream killed mid-run (SIGKILL): failover, restart, traffic back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-failover-'));
  const logPath = join(dir, 'events.jsonl');
  /** Marks this run's primary processes on their command line. */
  const tag = `--run=${dir}`;
  const gate = gatedSpawner();
  const events: SelfhealEvent[] = [];
  let gw: RunningGateway | undefined;
  let closeLog: (() => Promise<void>) | undefined;

  afterAll(async () => {
    gate.release();
    await gw?.stop();
    await closeLog?.();
  });

  /** Resolves with the first event, past or future, after index `from` that matches. */
  const when = (match: (e: SelfhealEvent) => boolean, from = 0) =>
    new Promise<SelfhealEvent>((resolve) => {
      const past = events.slice(from).find(match);
      if (past) return resolve(past);
      const subscription = gw!.gateway.bus.events$.subscribe((e) => {
        if (!match(e)) return;
        subscription.unsubscribe();
        resolve(e);
      });
    });
  const of = (type: string, server: string) => (e: SelfhealEvent) =>
    e.event_type === type && e.server_name === server;

  it('fails over to the backup, restarts the primary, and gives it the traffic back; replay agrees', async () => {
    gw = await startGateway(
      {
        mcpServers: {
          primary: {
            command: process.execPath,
            args: [SESSION, '--role=primary', tag],
            fallback: ['backup'],
          },
          backup: { command: process.execPath, args: [SESSION, '--role=backup'] },
        },
        health_check: {
          probes: ['ping'],
          interval_seconds: 0.2,
          unhealthy_interval_seconds: 0.1,
          // A process exit is known at once whatever the threshold; these only keep a slow
          // ping on a loaded machine from taking the primary down on its own.
          timeout_seconds: 10,
          failure_threshold: 3,
          success_threshold: 1,
          startup_grace_seconds: 0,
        },
        recovery: {
          backoff: { initial_seconds: 0.05, multiplier: 1, max_seconds: 0.05 },
          stop_grace_seconds: 0.5,
        },
        event_emission: { path: logPath },
      },
      [],
      {
        gatewayOptions: { spawner: gate.spawner },
        beforeStart: async (gateway) => {
          gateway.bus.events$.subscribe((e) => events.push(e));
          closeLog = (await openEventLog(gateway))!.close;
        },
      },
    );
    const { gateway } = gw;
    await Promise.all([
      when(of('server_recovered', 'primary')),
      when(of('server_recovered', 'backup')),
    ]);
    // One owner: the monitor's process is the gateway's own connection, not a second copy.
    if (hasProc) expect(serversWith(tag)).toBe(1);
    const client: Client = await gw.connect();

    // Before: the primary answers, over the shared connection: the monitor's process (RFC 0010).
    const before = await client.callTool({ name: 'primary__pid', arguments: {} });
    expect(servedBy(before)).toBe('primary');
    const monitorPid = gateway.monitor.servers.get('primary')!.pid!;
    expect(Number(text(before))).toBe(monitorPid);
    if (hasProc) expect(serversWith(tag)).toBe(1);

    // A read-only call is in flight on the primary when its process is SIGKILLed.
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const inFlight = client.callTool(
      { name: 'primary__slow_read', arguments: { mark: join(dir, 'in-flight') } },
      undefined,
      { onprogress: () => started() },
    );
    inFlight.catch(() => {}); // awaited below; a failed test must not leave it unhandled
    await running;
    gate.hold();
    const mark = events.length;
    process.kill(monitorPid, 'SIGKILL');
    const down = await when(of('server_down', 'primary'), mark);
    // Known at once: from the exit, or from a ping that was on its way when the process died.
    expect(down).toMatchObject({
      reason: expect.stringMatching(/process exited \(killed by SIGKILL\)|Connection closed/),
    });
    const answered = await inFlight;
    expect(answered.isError).toBeFalsy();
    expect(['primary', 'backup']).toContain(servedBy(answered));

    // While the primary is down (its restart held): calls fail over to the backup.
    expect(gateway.isDown('primary')).toBe(true);
    for (let i = 0; i < 3; i++) {
      const during = await client.callTool({ name: 'primary__pid', arguments: {} });
      expect(during.isError).toBeFalsy();
      expect(servedBy(during)).toBe('backup');
    }
    await when(of('recovery_started', 'primary'), mark);
    // The restart is held: the process does not count as started yet.
    expect(events.slice(mark).some(of('server_started', 'primary'))).toBe(false);

    // The monitor's restart completes: the primary is back and takes the traffic again.
    gate.release();
    const back = await when(of('server_recovered', 'primary'), mark);
    expect(back).toMatchObject({ previous_status: 'down' });
    expect(gateway.isDown('primary')).toBe(false);
    const after = await client.callTool({ name: 'primary__pid', arguments: {} });
    expect(servedBy(after)).toBe('primary');
    expect(Number(text(after))).not.toBe(monitorPid);
    expect(Number(text(after))).toBe(gateway.monitor.servers.get('primary')!.pid);
    // One fallback_used per route, tool and reason a minute (call_summary counts every call).
    const fallbacks = events.filter((e) => e.event_type === 'fallback_used');
    expect(fallbacks.length).toBeGreaterThanOrEqual(1);
    for (const e of fallbacks) expect(e).toMatchObject({ from: 'primary', to: 'backup' });

    // The end of the run: the monitor stops (it emits nothing on shutdown), then what the
    // gateway shows, then what a replay of its log folds to.
    await gateway.monitor.stop();
    const shown = (await (
      await fetch(gw.url.replace('/mcp', '/health/ecosystem'))
    ).json()) as EcosystemHealth;
    expect(Object.fromEntries(shown.details.map((d) => [d.server_name, d.status]))).toEqual({
      primary: 'ok',
      backup: 'ok',
    });
    await gw.stop();
    gw = undefined;
    await closeLog!();
    closeLog = undefined;

    // Every monitor event reached the log once: one line per event the bus carried.
    const lines = readFileSync(logPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as SelfhealEvent);
    const health = (list: SelfhealEvent[]) =>
      list
        .filter((e) => /^(server_|recovery_|health_check_)/.test(e.event_type))
        .map((e) => e.event_id);
    expect(health(lines)).toEqual(health(events));
    expect(lines.filter(of('server_down', 'primary'))).toHaveLength(1);
    expect(lines.filter(of('server_registered', 'primary'))).toHaveLength(1);

    let out = '';
    const io: CliIO = {
      stdout: (t) => {
        out += t;
      },
      stderr: () => {},
    };
    const code = await runReplay([logPath, '--json'], io);
    expect(code).toBe(0);
    const replayed = JSON.parse(out) as { ecosystem: EcosystemHealth };
    expect(replayed.ecosystem.details).toEqual(shown.details);
    expect(replayed.ecosystem.status).toBe(shown.status);
    expect(replayed.ecosystem.servers).toEqual(shown.servers);
  }, 60_000);
});
