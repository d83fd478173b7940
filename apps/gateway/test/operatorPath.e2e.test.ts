import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliProcess, startCli } from './helpers/cliProcess.js';
import { runCli } from './helpers/runCli.js';

const FATAL = fileURLToPath(new URL('./helpers/fatalServer.mjs', import.meta.url));
const CRASHING = fileURLToPath(new URL('./helpers/crashingServer.mjs', import.meta.url));
const running: CliProcess[] = [];

afterEach(async () => {
  for (const cli of running.splice(0)) {
    if (cli.child.exitCode === null && cli.child.signalCode === null) {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  }
});

function folder(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

function writeJson(file: string, document: unknown): string {
  writeFileSync(file, JSON.stringify(document));
  return file;
}

function events(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Polls the event log until `probe` finds something; the deadline only ends a hung test. */
async function untilLogged<T>(
  file: string,
  probe: (all: Record<string, unknown>[]) => T | undefined,
): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = probe(events(file));
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`not in ${file}:\n${readFileSync(file, 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const quickRecovery = {
  max_attempts: 1,
  stop_grace_seconds: 0.2,
  backoff: { initial_seconds: 0.1, multiplier: 1, max_seconds: 0.1 },
};

describe('the cause of a failure, told at once', { timeout: 30_000 }, () => {
  it('regression: a server that printed FATAL and exited 3 showed only its exit code', async () => {
    const dir = folder('sh-fatal-');
    const config = writeJson(join(dir, 'c.json'), {
      mcpServers: {
        fatal: {
          command: process.execPath,
          args: [FATAL],
          env: { EXAMPLE_API_KEY: 'sk-live-0123456789' },
        },
      },
      recovery: quickRecovery,
      event_emission: { path: 'events.jsonl' },
    });
    const gateway = startCli(['start', '--config', config, '--port', '0'], dir);
    running.push(gateway);
    const [, health] = await gateway.until(/^ {2}health {2}(\S+)$/m);
    const [line] = await gateway.until(/^ {2}down {2}fatal: .*$/m);
    expect(line).toContain('process exited (exit code 3); stderr: ');
    expect(line).toContain('FATAL: GITHUB_TOKEN is not set');
    const down = await untilLogged(join(dir, 'events.jsonl'), (all) =>
      all.find((e) => e.event_type === 'server_down'),
    );
    expect(down.reason).toMatch(/exit code 3.*FATAL: GITHUB_TOKEN is not set/);
    // The server's secret-named env value never leaves it; ordinary words stay.
    const log = readFileSync(join(dir, 'events.jsonl'), 'utf8');
    expect(log).not.toContain('sk-live-0123456789');
    expect(log).toContain('starting with key [redacted]');
    const body = (await (await fetch(health!)).json()) as { error?: string };
    expect(body.error).toContain('FATAL: GITHUB_TOKEN is not set');
  });

  it('a command not found (spawn ENOENT, or exit 127 from a shell) is permanent: not retried', async () => {
    const dir = folder('sh-nocmd-');
    const config = writeJson(join(dir, 'c.json'), {
      mcpServers: {
        missing: { command: 'selfheal-test-no-such-command' },
        shell: { command: 'sh', args: ['-c', 'selfheal-test-no-such-command'] },
      },
      recovery: { ...quickRecovery, max_attempts: 5 },
      event_emission: { path: 'events.jsonl' },
    });
    const gateway = startCli(['start', '--config', config, '--port', '0'], dir);
    running.push(gateway);
    for (const name of ['missing', 'shell']) {
      const [line] = await gateway.until(
        new RegExp(`^ {2}down {2}${name}: .*not restarted.*$`, 'm'),
      );
      expect(line).toMatch(/command not found/);
      expect(line).toContain(`selfheal monitor reset ${name} --control`);
    }
    const log = join(dir, 'events.jsonl');
    const exhausted = await untilLogged(log, (all) => {
      const found = all.filter((e) => e.event_type === 'recovery_exhausted');
      return found.length === 2 ? found : undefined;
    });
    for (const event of exhausted) {
      expect(event).toMatchObject({ requires_manual: true, permanent: true, attempts: 0 });
      expect(event.reason).toMatch(/command not found/);
    }
    expect(events(log).filter((e) => e.event_type === 'recovery_started')).toEqual([]);
    // One line each, not "recovering" first and "not restarted" after.
    expect(gateway.stdout()).not.toMatch(/down {2}(missing|shell): .*recovering/);
  });

  it('regression: a refused HTTP upstream was silent for the start-up grace, then said "fetch failed"', async () => {
    const dir = folder('sh-refused-');
    const port = await closedPort();
    const config = writeJson(join(dir, 'c.json'), {
      mcpServers: { refused: { url: `http://127.0.0.1:${port}/mcp` } },
      // The default grace, written out: a server the gateway did not start gets none.
      health_check: { startup_grace_seconds: 30 },
      event_emission: { path: 'events.jsonl' },
    });
    const gateway = startCli(['start', '--config', config, '--port', '0'], dir);
    running.push(gateway);
    // Well inside the 30 s grace that used to hide it.
    const [line] = await gateway.until(/^ {2}fail {2}refused: .*$/m, 'stdout', 15_000);
    expect(line).toContain(`connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(line).toContain('failed check 1 of 3');
    const first = await untilLogged(join(dir, 'events.jsonl'), (all) =>
      all.find((e) => e.event_type === 'health_check_completed'),
    );
    expect(first).toMatchObject({ server_name: 'refused', status: 'down' });
    expect(first.error).toContain(`connect ECONNREFUSED 127.0.0.1:${port}`);
  });
});

describe('where a stdio server starts', { timeout: 30_000 }, () => {
  it('regression: a relative command ran in the gateway folder; it starts in the config folder', async () => {
    const dir = folder('sh-cwd-');
    const everything = fileURLToPath(
      import.meta.resolve('@modelcontextprotocol/server-everything/dist/index.js'),
    );
    writeFileSync(
      join(dir, 'server.mjs'),
      `process.argv[2] = 'stdio';\nawait import(${JSON.stringify(pathToFileURL(everything).href)});\n`,
    );
    const config = writeJson(join(dir, 'c.json'), {
      mcpServers: { local: { command: 'node', args: ['./server.mjs'] } },
      event_emission: { path: 'events.jsonl' },
    });
    // The gateway runs elsewhere, as from a repository root.
    const elsewhere = folder('sh-cwd-other-');
    const gateway = startCli(['start', '--config', config, '--port', '0'], elsewhere);
    running.push(gateway);
    const [line] = await gateway.until(/^ {2}(up|down) {4}?\s*local.*$/m);
    expect(line).toMatch(/^ {2}up {4}local \(\d+ tools/);
  });
});

describe('a bind beyond loopback', { timeout: 30_000 }, () => {
  it('is refused without a token (exit 2, naming the fix) and accepted with --allow-unauthenticated', async () => {
    const dir = folder('sh-bind-');
    const config = writeJson(join(dir, 'c.json'), {
      mcpServers: {},
      event_emission: { enabled: false },
    });
    const refused = startCli(
      ['start', '--config', config, '--host', '0.0.0.0', '--port', '0'],
      dir,
    );
    running.push(refused);
    expect(await refused.exited).toBe(2);
    expect(refused.stderr()).toMatch(/0\.0\.0\.0.*without a token/);
    expect(refused.stderr()).toMatch(/gateway\.auth\.token_env or gateway\.auth\.token_file/);
    expect(refused.stderr()).toContain('--allow-unauthenticated');
    expect(refused.stdout()).not.toContain('listening');

    const open = startCli(
      ['start', '--config', config, '--host', '0.0.0.0', '--port', '0', '--allow-unauthenticated'],
      dir,
    );
    running.push(open);
    const [auth] = await open.until(/^ {2}auth .*$/m);
    expect(auth).not.toContain('loopback');
    expect(auth).toContain('anyone who can reach 0.0.0.0');
  });
});

describe("the CLI tells its version and each command's usage", { timeout: 30_000 }, () => {
  it('--version and -v print the version', async () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    for (const flag of ['--version', '-v']) {
      const cli = startCli([flag], tmpdir());
      expect(await cli.exited).toBe(0);
      expect(cli.stdout()).toBe(`${version}\n`);
    }
  });

  it('help start and start --help print the usage of start, not the general one', async () => {
    for (const args of [
      ['help', 'start'],
      ['start', '--help'],
      ['start', '--port', 'x', '-h'],
    ]) {
      const cli = startCli(args, tmpdir());
      expect(await cli.exited).toBe(0);
      expect(cli.stdout()).toMatch(/^usage: selfheal start /);
      expect(cli.stdout()).toContain('--allow-unauthenticated');
    }
    const unknown = await runCli('help', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "nope"');
  });
});

describe('two configs in one folder', { timeout: 30_000 }, () => {
  it('regression: the second gateway stopped on the shared monitor.sock; each now has its own', async () => {
    const dir = folder('sh-two-');
    mkdirSync(join(dir, 'logs'));
    const configs = ['a', 'b'].map((name) =>
      writeJson(join(dir, `${name}.json`), {
        mcpServers: { [`crash_${name}`]: { command: process.execPath, args: [CRASHING] } },
        event_emission: { path: `logs/${name}.jsonl` },
      }),
    );
    const gateways = configs.map((config) =>
      startCli(['start', '--config', config, '--port', '0'], dir),
    );
    running.push(...gateways);
    const controls: string[] = [];
    for (const gateway of gateways) {
      await gateway.until(/^ready: /m);
      controls.push((await gateway.until(/^ {2}control (\S+)/m))[1]!);
    }
    expect(controls).toEqual([
      join(dir, '.selfheal', 'a.json.sock'),
      join(dir, '.selfheal', 'b.json.sock'),
    ]);
    // The operator verbs find each by its config file, as before.
    for (const name of ['a', 'b']) {
      const status = await runCli(
        'monitor',
        'status',
        '--config',
        join(dir, `${name}.json`),
        '--json',
      );
      expect(status.code).toBe(0);
      expect(Object.keys(JSON.parse(status.stdout))).toEqual([`crash_${name}`]);
    }
  });
});
