import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EventsError } from '../errors.js';
import { replayLogs } from './replay.js';

const dir = mkdtempSync(join(tmpdir(), 'selfheal-runs-'));
let n = 0;
function log(events: Record<string, unknown>[]): string {
  const file = join(dir, `log-${n++}.jsonl`);
  writeFileSync(file, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
  return file;
}
const at = (s: number) => new Date(Date.parse('2026-12-06T00:00:00Z') + s * 1000).toISOString();
const ev = (s: number, event_type: string, fields: Record<string, unknown> = {}) => ({
  event_type,
  timestamp: at(s),
  trace_id: 't',
  repo: 'selfheal',
  ...fields,
});
const check = (s: number, status: string) =>
  ev(s, 'health_check_completed', { server_name: 'a', status, response_time_ms: 1 });

describe('replay knows gateway runs (RFC 0020)', () => {
  it('offline time between runs is neither uptime nor downtime; state restarts per run', async () => {
    const file = log([
      ev(0, 'gateway_started', { pid: 1, servers: ['a'] }),
      ev(0, 'server_registered', { server_name: 'a', transport: 'stdio' }),
      check(1, 'ok'),
      ev(1, 'server_recovered', { server_name: 'a', previous_status: 'unknown' }),
      ev(50, 'server_down', { server_name: 'a', previous_status: 'ok', reason: 'x' }),
      ev(100, 'gateway_stopped', { uptime_seconds: 100, reason: 'SIGTERM' }),
      // The run's last call_summary, flushed as its log closed: no window opens for it.
      ev(100.5, 'call_summary', { server_name: 'a', calls: 3 }),
      // An hour offline: no gateway ran, so the server was neither up nor down.
      ev(3700, 'gateway_started', { pid: 2, servers: ['a'] }),
      ev(3700, 'server_registered', { server_name: 'a', transport: 'stdio' }),
      check(3701, 'ok'),
      ev(3701, 'server_recovered', { server_name: 'a', previous_status: 'unknown' }),
      ev(3800, 'health_check_completed', { server_name: 'a', status: 'ok', response_time_ms: 1 }),
    ]);
    const report = await replayLogs([file]);
    expect(report.runs).toBe(2);
    expect(report.offline_ms).toBe(3_600_000);
    const { sla, state } = report.servers.a!;
    // Online: 100 s + 100 s; down 50 s (until the stop, not until the next run).
    expect(sla.window_ms).toBe(200_000);
    expect(sla.down_ms).toBe(50_000);
    expect(sla.uptime_percent).toBe(75);
    // The incident ended with its run; the second run started from unknown, as live.
    expect(sla.open_incidents).toBe(0);
    expect(state).toMatchObject({ status: 'ok', consecutive_successes: 2 });
    expect(state.status_since).toBe(at(3701));
  });

  it('with --since, only the offline time and the run time after it count', async () => {
    const file = log([
      ev(0, 'gateway_started', { pid: 1, servers: ['a'] }),
      ev(0, 'server_registered', { server_name: 'a', transport: 'stdio' }),
      ev(1, 'server_recovered', { server_name: 'a', previous_status: 'unknown' }),
      ev(100, 'gateway_stopped', { uptime_seconds: 100, reason: 'SIGTERM' }),
      ev(400, 'gateway_started', { pid: 2, servers: ['a'] }),
      ev(400, 'server_registered', { server_name: 'a', transport: 'stdio' }),
      ev(401, 'server_recovered', { server_name: 'a', previous_status: 'unknown' }),
      ev(500, 'health_check_completed', { server_name: 'a', status: 'ok', response_time_ms: 1 }),
    ]);
    const report = await replayLogs([file], { since: Date.parse(at(300)) });
    // Offline from 100 s to 400 s, of which 300 s to 400 s is in the window.
    expect(report.offline_ms).toBe(100_000);
    // Online in the window: 400 s to 500 s only.
    expect(report.servers.a!.sla.window_ms).toBe(100_000);
    expect(report.since).toBe(at(300));
  });

  it("a fleet's stream keeps runs per replica: one replica's start or stop resets nothing the others serve", async () => {
    const r = (replica: string, e: Record<string, unknown>) => ({ ...e, replica });
    const file = log([
      r('a', ev(0, 'gateway_started', { pid: 1, servers: ['remote'] })),
      r('a', ev(0, 'server_registered', { server_name: 'remote', transport: 'streamable-http' })),
      r('a', ev(1, 'server_recovered', { server_name: 'remote', previous_status: 'unknown' })),
      r('a', ev(10, 'server_down', { server_name: 'remote', previous_status: 'ok', reason: 'x' })),
      // Replica b joins and later leaves while a runs: remote stays down, nothing is offline.
      r('b', ev(20, 'gateway_started', { pid: 2, servers: ['remote'] })),
      r('b', ev(30, 'gateway_stopped', { uptime_seconds: 10, reason: 'SIGTERM' })),
      r('a', ev(40, 'gateway_stopped', { uptime_seconds: 40, reason: 'SIGTERM' })),
      // The whole fleet is away for 60 s; then b starts afresh.
      r('b', ev(100, 'gateway_started', { pid: 3, servers: ['remote'] })),
      r('b', ev(100, 'server_registered', { server_name: 'remote', transport: 'streamable-http' })),
      r('b', ev(101, 'server_recovered', { server_name: 'remote', previous_status: 'unknown' })),
      r(
        'b',
        ev(110, 'health_check_completed', {
          server_name: 'remote',
          status: 'ok',
          response_time_ms: 1,
        }),
      ),
    ]);
    const report = await replayLogs([file], { until: Date.parse(at(35)) });
    expect(report.servers.remote!.state.status).toBe('down');
    expect(report.offline_ms).toBe(0);
    const whole = await replayLogs([file]);
    expect(whole.runs).toBe(3);
    expect(whole.offline_ms).toBe(60_000);
    // Online 0-40 s and 100-110 s; down from 10 s to the fleet's stop at 40 s.
    expect(whole.servers.remote!.sla.window_ms).toBe(50_000);
    expect(whole.servers.remote!.sla.down_ms).toBe(30_000);
    expect(whole.servers.remote!.state.status).toBe('ok');
  });

  it("a fleet's replay keeps a server one replica's reload removed while another serves it (RFC 0018)", async () => {
    const r = (replica: string, e: Record<string, unknown>) => ({ ...e, replica });
    const reload = (s: number, removed: string[]) =>
      ev(s, 'config_reloaded', { source: 'x.json', added: [], removed, restarted: [] });
    const registered = (s: number, name: string) =>
      ev(s, 'server_registered', { server_name: name, transport: 'stdio' });
    const events = [
      r('a', ev(0, 'gateway_started', { pid: 1, servers: ['api', 'files'] })),
      r('a', registered(0, 'api')),
      r('a', registered(0, 'files')),
      r('b', ev(1, 'gateway_started', { pid: 2, servers: ['api', 'files'] })),
      r('b', registered(1, 'api')),
      r('b', registered(1, 'files')),
      r('a', reload(5, ['files'])),
    ];
    const shown = (report: Awaited<ReturnType<typeof replayLogs>>) =>
      report.ecosystem.details.map((d) => d.server_name).sort();
    expect(shown(await replayLogs([log(events)]))).toEqual(['api', 'files']);
    // Once b stopped, a's next removal is the last word on it.
    const gone = await replayLogs([
      log([
        ...events,
        r('b', ev(6, 'gateway_stopped', { uptime_seconds: 5, reason: 'SIGTERM' })),
        r('a', reload(7, ['api'])),
      ]),
    ]);
    expect(shown(gone)).toEqual(['files']);
  });

  it('--server keeps the reload that removed its server: it is gone, as in the whole replay', async () => {
    const file = log([
      ev(0, 'gateway_started', { pid: 1, servers: ['api', 'files'] }),
      ev(0, 'server_registered', { server_name: 'api', transport: 'stdio' }),
      ev(0, 'server_registered', { server_name: 'files', transport: 'stdio' }),
      ev(1, 'health_check_completed', { server_name: 'files', status: 'ok', response_time_ms: 1 }),
      ev(1, 'server_recovered', { server_name: 'files', previous_status: 'unknown' }),
      ev(5, 'config_reloaded', { source: 'x.json', added: [], removed: ['files'], restarted: [] }),
      ev(10, 'health_check_completed', { server_name: 'api', status: 'ok', response_time_ms: 1 }),
    ]);
    const whole = await replayLogs([file]);
    expect(Object.keys(whole.servers)).toEqual(['api']);
    const files = await replayLogs([file], { server: 'files' });
    expect(files.servers).toEqual({});
    expect(files.ecosystem.details).toEqual([]);
  });

  it('a run that ends without gateway_stopped (killed) ends at its last event', async () => {
    const file = log([
      ev(0, 'gateway_started', { pid: 1, servers: ['a'] }),
      check(0, 'ok'),
      ev(0, 'server_recovered', { server_name: 'a', previous_status: 'unknown' }),
      check(10, 'ok'),
      ev(70, 'gateway_started', { pid: 2, servers: ['a'] }),
      check(70, 'ok'),
      ev(70, 'server_recovered', { server_name: 'a', previous_status: 'unknown' }),
      check(80, 'ok'),
    ]);
    const report = await replayLogs([file]);
    expect(report.runs).toBe(2);
    expect(report.offline_ms).toBe(60_000);
    expect(report.servers.a!.sla.window_ms).toBe(20_000);
  });

  it('checks decide where the log has no decisions: 3 failures down, 3 successes up', async () => {
    const file = log([
      check(0, 'ok'),
      check(10, 'down'),
      check(20, 'down'),
      check(30, 'down'), // third failure: down
      check(40, 'ok'),
      check(50, 'ok'),
      check(60, 'ok'), // third success: up
      check(100, 'ok'),
    ]);
    const report = await replayLogs([file]);
    expect(report.derived_decisions).toBe(3); // unknown -> ok, down, recovered
    const { sla, state } = report.servers.a!;
    expect(sla.incidents).toBe(1);
    expect(sla.down_ms).toBe(30_000);
    expect(sla.mttd_ms).toBe(20_000);
    expect(state.status).toBe('ok');
    // Two failures in a row are not down.
    const short = await replayLogs([
      log([check(0, 'ok'), check(10, 'down'), check(20, 'down'), check(30, 'ok')]),
    ]);
    expect(short.servers.a!.sla.incidents).toBe(0);
  });

  it('a server that logs its own decisions is not decided from its checks', async () => {
    const file = log([
      ev(0, 'server_registered', { server_name: 'a', transport: 'stdio' }),
      check(0, 'down'),
      check(10, 'down'),
      check(20, 'down'),
    ]);
    const report = await replayLogs([file]);
    expect(report.derived_decisions).toBe(0);
    expect(report.servers.a!.state.status).toBe('unknown');
  });

  it('a binary or compressed file is refused with its name, not read as lines', async () => {
    const gz = join(dir, 'events.jsonl.gz');
    writeFileSync(gz, gzipSync(JSON.stringify(check(0, 'ok'))));
    await expect(replayLogs([gz])).rejects.toThrow(
      `${gz} is not a JSONL event log: it is gzip-compressed`,
    );
    const bin = join(dir, 'events.bin');
    writeFileSync(bin, Buffer.from([0x7b, 0x00, 0x01, 0x02, 0xff, 0x0a]));
    const refused = await replayLogs([bin]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(EventsError);
    expect((refused as EventsError).message).toBe(
      `${bin} is not a JSONL event log: it is binary (a NUL byte at offset 1). Give the log itself (a text file, one JSON event a line, e.g. selfheal-events.jsonl).`,
    );
  });
});
