import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEventFactory } from '@selfheal/events';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/runCli.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = join(repo, '../shared/fixtures/chora-w3-timeline.jsonl');

/** A small health log: `a` healthy; `b` fails, goes down, is restarted and recovers; `c` exhausts. */
function healthLog(): string {
  let now = Date.UTC(2026, 10, 21, 10);
  const events = createEventFactory({ clock: { now: () => now } });
  const lines: string[] = [];
  const at = (seconds: number, event: object) => {
    now = Date.UTC(2026, 10, 21, 10) + seconds * 1000;
    lines.push(JSON.stringify(typeof event === 'function' ? event() : event));
  };
  const check = (server_name: string, status: 'ok' | 'down') => () =>
    events.healthCheckCompleted({
      server_name,
      status,
      response_time_ms: status === 'ok' ? 4 : 5000,
    });
  at(0, check('a', 'ok'));
  at(0, check('b', 'ok'));
  at(30, check('b', 'down'));
  at(60, check('b', 'down'));
  at(90, check('b', 'down'));
  at(90, () => events.serverDown({ server_name: 'b', consecutive_failures: 3 }));
  at(91, () =>
    events.recoveryStarted({ server_name: 'b', reason: 'down', attempt: 1, strategy: 'restart' }),
  );
  at(100, () => events.recoverySuccessful({ server_name: 'b', attempts: 1 }));
  at(120, () => events.serverRecovered({ server_name: 'b' }));
  at(200, () => events.serverDown({ server_name: 'c' }));
  at(201, () => events.recoveryExhausted({ server_name: 'c', requires_manual: true }));
  at(1000, check('a', 'ok'));
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-replay-'));
  const file = join(dir, 'events.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('selfheal replay', () => {
  it('replays the real W3 timeline: 69 events, 0 invalid, out-of-order lines counted', async () => {
    const r = await runCli('replay', fixture, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      events_total: 69,
      invalid_lines: 0,
      out_of_order: 10,
      servers: {},
    });
    expect(Object.values(out.by_type as Record<string, number>).reduce((a, b) => a + b)).toBe(69);
    expect(out.by_repo).toEqual({
      'chora-base': 24,
      'client-applications': 1,
      'ecosystem-manifest': 14,
      'mcp-gateway': 15,
      'mcp-orchestration': 15,
    });
    const text = await runCli('replay', fixture);
    expect(text.stdout).toContain('69 events from 69 lines, 0 invalid, 10 out of time order');
    expect(text.stdout).toMatch(/phase_completed\s+12/);
  });

  it('prints final state, SLA and the ecosystem roll-up of a health log', async () => {
    const file = healthLog();
    const r = await runCli('replay', file);
    expect(r.code).toBe(0);
    // Counters move only on checks: b has had no check since it recovered.
    expect(r.stdout).toMatch(/\n {2}b\s+ok\s+running\s+3\s/);
    expect(r.stdout).toMatch(/\n {2}c\s+down\s+failed\s+0\s+-\s+-\s+0\s+REQUIRED/);
    // b: down 90 s -> 120 s over a 1000 s window; detected 60 s after the first failed check.
    expect(r.stdout).toMatch(/\n {2}b\s+97\.000%\s+1\s+60\.0s\s+30\.0s\s+100%\s+1\s+0/);
    // a logs checks but no decisions: its checks decide (RFC 0020), so it is healthy too.
    expect(r.stdout).toContain('Ecosystem: degraded (3 servers: 2 healthy, 0 degraded, 1 down)');
    expect(r.stdout).toContain('Decided from checks: 3 status changes');
    const json = JSON.parse((await runCli('replay', file, '--json')).stdout);
    expect(json.servers.b.sla).toMatchObject({
      uptime_percent: 97,
      incidents: 1,
      mttd_ms: 60_000,
      mttr_ms: 30_000,
      auto_recovered_within_2m: 1,
      restarts: 1,
    });
    expect(json.servers.c.state).toMatchObject({ lifecycle: 'failed', requires_manual: true });
  });

  it('--until and --server narrow the fold', async () => {
    const file = healthLog();
    const until = JSON.parse(
      (await runCli('replay', file, '--json', '--until', '2026-11-21T10:01:40Z')).stdout,
    );
    expect(until.servers.b.state.status).toBe('down');
    expect(Object.keys(until.servers)).toEqual(['a', 'b']);
    const onlyC = JSON.parse((await runCli('replay', file, '--json', '--server', 'c')).stdout);
    expect(Object.keys(onlyC.servers)).toEqual(['c']);
    expect(onlyC.events_total).toBe(2);
  });

  it('--since starts the window: earlier events set the state, the figures are of the window', async () => {
    const file = healthLog();
    const r = await runCli('replay', file, '--json', '--since', '2026-11-21T10:01:35Z');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({
      since: '2026-11-21T10:01:35.000Z',
      events_total: 5,
      filtered_out: 7,
    });
    // b went down at 90 s, before the window: down from 95 s to its recovery at 120 s, over a
    // window of 905 s, and not an incident of the window (it began before).
    expect(json.servers.b.sla).toMatchObject({
      window_ms: 905_000,
      down_ms: 25_000,
      uptime_percent: 97.238,
      incidents: 0,
      mttr_ms: null,
      restarts: 0,
    });
    expect(json.servers.b.state.status).toBe('ok');
    expect(json.servers.c.sla).toMatchObject({ incidents: 1, open_incidents: 1 });
    const text = await runCli('replay', file, '--since', '2026-11-21T10:01:35Z');
    expect(text.stdout).toContain('Since: 2026-11-21T10:01:35.000Z');
    expect(text.stdout).toMatch(/\n {2}b\s+97\.238%\s+0\s+-\s+-/);
    const reversed = await runCli(
      'replay',
      file,
      '--since',
      '2026-11-21T10:05:00Z',
      '--until',
      '2026-11-21T10:01:00Z',
    );
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toContain('is after --until');
    const bad = await runCli('replay', file, '--since', 'yesterday');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since "yesterday" is not an RFC 3339 date-time');
  });

  it('merges several files and reports bad lines with file and line, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'selfheal-replay-'));
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(
      bad,
      '{"event_type":"server_down","timestamp":"2026-11-21T10:00:05Z","trace_id":"t","server_name":"z"}\nnot json\n{"event_type":"ser',
    );
    const r = await runCli('replay', healthLog(), bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${bad}:2: not JSON`);
    expect(r.stdout).toContain(`${bad}:3: torn last line`);
    expect(r.stdout).toContain('2 invalid');
    const json = JSON.parse((await runCli('replay', bad, '--json')).stdout);
    expect(json).toMatchObject({ events_total: 1, invalid_lines: 2 });
  });

  it('--strict checks the fields of known types', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'selfheal-replay-'));
    const file = join(dir, 'log.jsonl');
    writeFileSync(
      file,
      '{"event_type":"recovery_started","timestamp":"2026-11-21T10:00:05Z","trace_id":"t","server_name":"z"}\n',
    );
    expect((await runCli('replay', file)).code).toBe(0);
    const strict = await runCli('replay', file, '--strict');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('/attempt: expected a value (required)');
  });

  it('exits 2 for a missing file, a bad --until, no file or an unknown option', async () => {
    const missing = await runCli('replay', '/nonexistent/events.jsonl');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read log /nonexistent/events.jsonl: no such file');
    const until = await runCli('replay', fixture, '--until', 'last tuesday');
    expect(until.code).toBe(2);
    expect(until.stderr).toContain('--until "last tuesday" is not an RFC 3339 date-time');
    expect((await runCli('replay')).code).toBe(2);
    expect((await runCli('replay', fixture, '--bogus')).code).toBe(2);
    expect((await runCli('replay', '--help')).stdout).toContain('usage: selfheal replay');
  });

  it('works as the installed `selfheal` bin', () => {
    const bin = join(repo, 'apps/gateway/bin/selfheal.js');
    const r = spawnSync(process.execPath, [bin, 'replay', fixture, '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).events_total).toBe(69);
  });
});

describe('selfheal replay nats://HOST/STREAM (RFC 0018)', () => {
  it('refuses a stream given with other sources, saying so', async () => {
    const r = await runCli('replay', 'nats://127.0.0.1:4222/EVENTS', 'events.jsonl');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('a nats:// stream is replayed on its own');
  });

  it('names the expected shape of a stream URL', async () => {
    const r = await runCli('replay', 'nats://127.0.0.1:4222/');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nats://HOST[:PORT]/STREAM');
  });

  it('says when NATS cannot be reached (exit 2)', async () => {
    const r = await runCli('replay', 'nats://127.0.0.1:1/EVENTS');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot reach NATS at nats:\/\/127\.0\.0\.1:1/);
  });
});
