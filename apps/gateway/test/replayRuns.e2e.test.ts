import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReplayReport } from '@selfheal/events';
import { validate } from '@selfheal/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliProcess, startCli } from './helpers/cliProcess.js';
import { FAULTY } from './helpers/faultyUpstream.js';
import { runCli } from './helpers/runCli.js';

const running: CliProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.child.kill('SIGKILL');
});

/** Starts `selfheal start` on the config, waits for it to be ready, then SIGTERMs it. */
async function oneRun(config: string, dir: string): Promise<void> {
  const gateway = startCli(['start', '--config', config, '--port', '0'], dir);
  running.push(gateway);
  await gateway.until(/^ready: 1 of 1 servers up$/m);
  gateway.child.kill('SIGTERM');
  expect(await gateway.exited).toBe(0);
}

describe('replay knows gateway runs (RFC 0020)', () => {
  it('two runs of a real gateway: each logs its start and stop, and the time between is offline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'selfheal-runs-'));
    const config = join(dir, 'selfheal.json');
    writeFileSync(
      config,
      JSON.stringify({
        mcpServers: {
          echo: { command: process.execPath, args: [FAULTY], env: { FAULT_TOOLS: '' } },
        },
        health_check: { probes: ['ping'], startup_grace_seconds: 0 },
      }),
    );
    await oneRun(config, dir);
    const gapStarted = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await oneRun(config, dir);

    const log = join(dir, 'selfheal-events.jsonl');
    const events = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const runs = events.filter((e) => String(e.event_type).startsWith('gateway_'));
    expect(runs.map((e) => e.event_type)).toEqual([
      'gateway_started',
      'gateway_stopped',
      'gateway_started',
      'gateway_stopped',
    ]);
    expect(runs[0]).toMatchObject({ servers: ['echo'], config });
    expect(runs[1]).toMatchObject({ reason: 'SIGTERM', trace_id: runs[0]!.trace_id });
    for (const e of runs) expect(validate('event', e).issues).toEqual([]);

    const replayed = await runCli('replay', log, '--json');
    expect(replayed.code).toBe(0);
    const report = JSON.parse(replayed.stdout) as ReplayReport;
    expect(report.runs).toBe(2);
    const gap = Date.parse(String(runs[2]!.timestamp)) - Date.parse(String(runs[1]!.timestamp));
    expect(report.offline_ms).toBe(gap);
    expect(gap).toBeGreaterThanOrEqual(1500);
    expect(gap).toBeLessThanOrEqual(Date.now() - gapStarted);
    // The offline time is in no SLA window: the server's window is the two runs' time only.
    const span = Date.parse(report.time_span!.last) - Date.parse(report.time_span!.first);
    expect(report.servers.echo!.sla.window_ms).toBeLessThanOrEqual(span - gap);
    expect(report.servers.echo!.sla.uptime_percent).toBe(100);
    const human = await runCli('replay', log);
    expect(human.stdout).toMatch(/^Gateway runs: 2, offline between them \d/m);
  }, 60_000);

  it('a binary file given to replay is refused by name (exit 2), not printed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'selfheal-runs-'));
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]));
    const result = await runCli('replay', file);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `selfheal replay: ${file} is not a JSONL event log: it is binary (a NUL byte at offset 8). Give the log itself (a text file, one JSON event a line, e.g. selfheal-events.jsonl).\n`,
    );
  });
});
