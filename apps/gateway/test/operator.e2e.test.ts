import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliProcess, startCli } from './helpers/cliProcess.js';
import { runCli } from './helpers/runCli.js';

const CRASHING = fileURLToPath(new URL('../../../examples/servers/crashing.js', import.meta.url));
const running: CliProcess[] = [];

afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});

/**
 * A config holding the example server that exits 400 ms after each start, with a recovery that
 * gives up after 2 restarts 0.1 s apart: it waits for an operator within a few seconds.
 */
function crashLoopConfig() {
  const dir = mkdtempSync(join(tmpdir(), 'sh-op-'));
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      'mcpServers:',
      `  crashing: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(CRASHING)}], env: { CRASH_AFTER_MS: "400" } }`,
      'health_check: { interval_seconds: 0.2, startup_grace_seconds: 0 }',
      'recovery: { max_attempts: 2, stop_grace_seconds: 0.2, backoff: { initial_seconds: 0.1, multiplier: 1, max_seconds: 0.1 } }',
      'event_emission: { path: events.jsonl }',
      '',
    ].join('\n'),
  );
  return {
    dir,
    config,
    log: join(dir, 'events.jsonl'),
    socket: join(dir, '.selfheal', 'gateway.yaml.sock'),
  };
}

function events(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Polls the event log until `probe` holds; the deadline only ends a hung test. */
async function untilLogged<T>(
  log: string,
  probe: (all: Record<string, unknown>[]) => T | undefined,
) {
  const end = Date.now() + 30_000;
  for (;;) {
    const found = probe(events(log));
    if (found !== undefined) return found;
    if (Date.now() > end) throw new Error(`not in ${log} in time:\n${readFileSync(log, 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The seq of the first event of `type` after `afterSeq`, once it is in the log. */
function after(log: string, type: string, afterSeq: number) {
  return untilLogged(
    log,
    (all) =>
      all.find((e) => e.event_type === type && (e.seq as number) > afterSeq)?.seq as
        | number
        | undefined,
  );
}

describe('an operator and a running gateway', () => {
  it('resets, disables and enables a server that exhausted its restarts, over the control socket', async () => {
    const { dir, config, log, socket } = crashLoopConfig();
    const gateway = startCli(['start', '--config', config, '--port', '0'], dir);
    running.push(gateway);
    const [, controlLine] = await gateway.until(/^ {2}control (.*)$/m);
    expect(controlLine).toBe(`${socket} (operator: selfheal monitor status --control ${socket})`);
    // The line that says recovery stopped names the exact command, with the real path.
    await gateway.until(
      new RegExp(
        `down {2}crashing: .* \\(recovery stopped after 2 attempts; waiting for an operator; to start it again: selfheal monitor reset crashing --control ${socket}\\)\\n`,
      ),
    );
    const status = await runCli('monitor', 'status', '--control', socket, '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      crashing: { requires_manual: true, lifecycle: 'failed', status: 'down' },
    });
    const human = await runCli('monitor', 'status', 'crashing', '--control', socket);
    expect(human.stdout).toMatch(/crashing +down +failed +attempts 2 \(requires manual\)/);

    // One line per new fact: no line about the server repeats the one before it (a down line
    // may repeat an earlier one's attempts when the server answered in between: an up line).
    const lines = gateway
      .stdout()
      .split('\n')
      .filter((line) => /^ {2}(down|up) +crashing\b/.test(line))
      .map((line) =>
        line.replace(/^ {2}down {2}crashing: .*? \((the monitor|recovery stopped)/, '$1'),
      );
    expect(lines.filter((line) => !line.startsWith('  up')).length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < lines.length; i++) expect(lines[i]).not.toBe(lines[i - 1]);

    const exhausted = await after(log, 'recovery_exhausted', -1);
    const reset = await runCli(
      'monitor',
      'reset',
      'crashing',
      '--control',
      socket,
      '--operator',
      'ana',
    );
    expect(reset).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('reset crashing: done'),
    });
    const resetSeq = await untilLogged(log, (all) => {
      const e = all.find((x) => x.event_type === 'server_reset' && (x.seq as number) > exhausted);
      return e && e.operator === 'ana' ? (e.seq as number) : undefined;
    });
    await after(log, 'server_started', resetSeq);
    // The attempts start again from 0 (only a reset lowers them), and the start output says so.
    await gateway.until(
      /recovery stopped after 2 attempts.*\n(?:.*\n)*?.*\(the monitor is recovering it, 0 attempts so far\)\n/,
    );

    const disabled = await runCli('monitor', 'disable', 'crashing', '--control', socket);
    expect(disabled).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('disable crashing: done'),
    });
    const disabledSeq = await after(log, 'server_disabled', resetSeq);
    // The event names the caller: its uid and pid, not a bare "operator".
    const disabledEvent = events(log).find((e) => e.seq === disabledSeq)!;
    expect(disabledEvent).toMatchObject({
      operator_uid: process.getuid!(),
      operator_pid: expect.any(Number),
    });
    expect(disabledEvent.operator).toBe(
      process.env.USER || `uid ${process.getuid!()} (pid ${disabledEvent.operator_pid})`,
    );
    const whileDisabled = JSON.parse(
      (await runCli('monitor', 'status', '--control', socket, '--json')).stdout,
    );
    expect(whileDisabled).toMatchObject({ crashing: { lifecycle: 'disabled' } });
    const enabled = await runCli('monitor', 'enable', 'crashing', '--control', socket);
    expect(enabled).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('enable crashing: done'),
    });
    const enabledSeq = await after(log, 'server_enabled', disabledSeq);
    await after(log, 'server_started', enabledSeq);

    // A second gateway on the same config stops at start-up, naming the socket and --control.
    const second = startCli(['start', '--config', config, '--port', '0'], dir);
    running.push(second);
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toBe(
      `selfheal start: cannot open the control socket ${socket}: another selfheal gateway or monitor answers there (one running on the same config?); stop it, or give this one its own socket with --control PATH\n`,
    );
    // ...and it did not touch the first one's socket: that one still answers.
    expect((await runCli('monitor', 'status', '--control', socket)).code).toBe(0);

    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    expect(existsSync(socket)).toBe(false);
  }, 60_000);

  it('selfheal stdio answers on its socket, says where on stderr only, and removes it on exit', async () => {
    const { dir, config } = crashLoopConfig();
    const socket = join(dir, 'own.sock');
    const gateway = startCli(['stdio', '--config', config, '--control', socket], dir, 'pipe');
    running.push(gateway);
    const [, path] = await gateway.until(/^selfheal stdio: control socket (\S+) /m, 'stderr');
    expect(path).toBe(socket);
    await gateway.until(
      /recovery stopped after 2 attempts; waiting for an operator; to start it again: selfheal monitor reset crashing --control (\S+)\)/,
      'stderr',
    );
    const status = await runCli('monitor', 'status', '--control', socket, '--json');
    expect(JSON.parse(status.stdout)).toMatchObject({ crashing: { requires_manual: true } });
    expect((await runCli('monitor', 'reset', 'crashing', '--control', socket)).code).toBe(0);
    gateway.child.stdin!.end();
    expect(await gateway.exited).toBe(0);
    expect(gateway.stdout()).toBe('');
    expect(existsSync(socket)).toBe(false);
  }, 60_000);

  it('the embedded demo keeps its socket in a folder of its own, removed on stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-op-demo-'));
    const gateway = startCli(['start', '--port', '0'], dir);
    running.push(gateway);
    const path = (await gateway.until(/^ {2}control (\S+) /m))[1]!;
    expect(path.startsWith(tmpdir())).toBe(true);
    expect(existsSync(path)).toBe(true);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    expect(existsSync(join(path, '..'))).toBe(false);
  }, 60_000);
});
