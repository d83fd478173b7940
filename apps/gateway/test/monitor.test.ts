import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate } from '@selfheal/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/runCli.js';

const bin = fileURLToPath(new URL('../bin/selfheal.js', import.meta.url));
const everything = createRequire(
  fileURLToPath(new URL('../../../packages/monitor/package.json', import.meta.url)),
).resolve('@modelcontextprotocol/server-everything/dist/index.js');

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
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function events(file: string): Record<string, unknown>[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

let daemon: ChildProcess | undefined;
afterEach(() => {
  daemon?.kill('SIGKILL');
  daemon = undefined;
});

describe('selfheal monitor', () => {
  it('usage errors exit 2 with the reason', async () => {
    expect(await runCli('monitor')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('expected --config FILE'),
    });
    expect(await runCli('monitor', 'restart', 'x', '--config', 'c.yaml')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown action "restart"'),
    });
    expect(await runCli('monitor', 'reset', '--config', 'c.yaml')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('expected one server NAME'),
    });
  });

  it('names the file and pointer of a bad config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-mon-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'mcpServers:\n  a: { command: node }\nrecovery:\n  strategy: reboot\n');
    const r = await runCli('monitor', '--config', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.yaml');
    expect(r.stderr).toContain('/recovery/strategy');
  });

  it('says so when no monitor runs for a control verb', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-mon-'));
    const r = await runCli('monitor', 'status', '--config', join(dir, 'c.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no running monitor answers');
  });

  it('runs, logs, obeys an operator, and takes its children with it when SIGKILLed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-mon-'));
    const config = join(dir, 'monitor.yaml');
    const log = join(dir, 'events.jsonl');
    writeFileSync(
      config,
      [
        'mcpServers:',
        `  a: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(everything)}, stdio] }`,
        `  b: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(everything)}, stdio] }`,
        'health_check: { interval_seconds: 0.2, timeout_seconds: 1, startup_grace_seconds: 0 }',
        'recovery: { stop_grace_seconds: 0.5 }',
        'event_emission: { path: events.jsonl, durability: none }',
        '',
      ].join('\n'),
    );
    daemon = spawn(process.execPath, [bin, 'monitor', '--config', config], { stdio: 'ignore' });
    await eventually(
      () => events(log).filter((e) => e.event_type === 'server_recovered').length === 2,
    );
    const status = await runCli('monitor', 'status', '--config', config, '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      a: { status: 'ok', lifecycle: 'running' },
      b: { status: 'ok', lifecycle: 'running' },
    });

    const disabled = await runCli(
      'monitor',
      'disable',
      'b',
      '--config',
      config,
      '--operator',
      'ana',
    );
    expect(disabled).toMatchObject({ code: 0, stdout: expect.stringContaining('disable b: done') });
    await eventually(() =>
      events(log).some((e) => e.event_type === 'server_disabled' && e.operator === 'ana'),
    );
    expect(await runCli('monitor', 'reset', 'nope', '--config', config)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no server named "nope"'),
    });

    // The repo is the config schema's default, and every event logged is schema-valid.
    const logged = events(log);
    expect(new Set(logged.map((e) => e.repo))).toEqual(new Set(['selfheal']));
    for (const e of logged) expect(validate('event', e).issues).toEqual([]);

    const started = events(log).filter((e) => e.event_type === 'server_started');
    expect(started).toHaveLength(2);
    const pidOf = (name: string) => started.find((e) => e.server_name === name)!.pid as number;
    const [pidA, pidB] = [pidOf('a'), pidOf('b')];
    await eventually(() => !alive(pidB));
    expect(alive(pidA)).toBe(true);
    daemon.kill('SIGKILL');
    await eventually(() => !alive(pidA));
  }, 40_000);
});
