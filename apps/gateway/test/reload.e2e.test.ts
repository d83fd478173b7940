import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliProcess, startCli } from './helpers/cliProcess.js';
import { everythingStdio, memoryStdio } from './helpers/upstreams.js';

const running: CliProcess[] = [];
const clients: Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => {});
  for (const cli of running.splice(0)) {
    if (cli.child.exitCode === null && cli.child.signalCode === null) {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  }
});

type Event = Record<string, unknown>;

function events(file: string): Event[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Event);
}

/** Polls the event log until `probe` finds something; the deadline only ends a hung test. */
async function untilLogged<T>(file: string, probe: (all: Event[]) => T | undefined): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = probe(events(file));
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`not in ${file}:\n${readFileSync(file, 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const startedOf = (all: Event[], server: string) =>
  all.filter((e) => e.event_type === 'server_started' && e.server_name === server).length;

async function connect(url: string, onToolsChanged: () => void): Promise<Client> {
  const client = new Client({ name: 'reload-test', version: '1' });
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => onToolsChanged());
  await client.connect(new StreamableHTTPClientTransport(new URL(url)) as Transport);
  clients.push(client);
  return client;
}

const toolNames = async (client: Client) =>
  (await client.listTools()).tools.map((tool) => tool.name).sort();

describe('hot reload of the config file (RFC 0019)', { timeout: 60_000 }, () => {
  it('restarts only the changed server, starts the added one, keeps a slow call of an unrelated server in flight', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-reload-'));
    const file = join(dir, 'selfheal.json');
    const log = join(dir, 'selfheal-events.jsonl');
    const first = {
      mcpServers: {
        slow: {
          ...everythingStdio(),
          tools: { allow: ['echo', 'trigger-long-running-operation'] },
        },
        mem: memoryStdio(join(dir, 'memory-a.jsonl')),
      },
    };
    writeFileSync(file, JSON.stringify(first));
    const gateway = startCli(['start', '--config', file, '--port', '0'], dir);
    running.push(gateway);
    const url = (await gateway.until(/listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)/))[1]!;
    await gateway.until(/ready: 2 of 2 servers up/);
    let toolsChanged = 0;
    const client = await connect(url, () => toolsChanged++);
    const before = await toolNames(client);
    expect(before).toContain('slow__trigger-long-running-operation');
    expect(before).not.toContain('added__echo');

    // A call that takes 4 s on the server the reload leaves alone.
    const slowCall = client.callTool(
      { name: 'slow__trigger-long-running-operation', arguments: { duration: 4, steps: 4 } },
      undefined,
      { timeout: 30_000 },
    );
    let slowDone = false;
    void slowCall.finally(() => {
      slowDone = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const seenBefore = toolsChanged;
    writeFileSync(
      file,
      JSON.stringify({
        mcpServers: {
          ...first.mcpServers,
          // A changed entry: restarted.
          mem: memoryStdio(join(dir, 'memory-b.jsonl')),
          // A new one, showing only its echo tool.
          added: { ...everythingStdio(), tools: { allow: ['echo'] } },
        },
      }),
    );
    const reloaded = await untilLogged(log, (all) =>
      all.find((e) => e.event_type === 'config_reloaded'),
    );
    expect(reloaded).toMatchObject({
      trigger: 'file',
      added: ['added'],
      removed: [],
      restarted: ['mem'],
    });
    await gateway.until(/config reloaded from .*added added; restarted mem; 1 server untouched/);
    // The reload was over while the call was still running.
    expect(slowDone).toBe(false);

    const result = await slowCall;
    expect(result.isError).toBeFalsy();
    expect(JSON.stringify(result.content)).toContain('completed');
    const all = events(log);
    expect(startedOf(all, 'slow')).toBe(1);
    expect(startedOf(all, 'mem')).toBe(2);
    expect(startedOf(all, 'added')).toBe(1);
    const after = await toolNames(client);
    expect(after).toContain('added__echo');
    expect(after.filter((name) => name.startsWith('added__'))).toEqual(['added__echo']);
    expect(toolsChanged).toBeGreaterThan(seenBefore);
    const echoed = await client.callTool({ name: 'added__echo', arguments: { message: 'new' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: new' }]);

    // Removed again: stopped, its tools gone, told to the client.
    const seen = toolsChanged;
    writeFileSync(file, JSON.stringify(first));
    await untilLogged(log, (all) =>
      all.find(
        (e) =>
          e.event_type === 'config_reloaded' &&
          Array.isArray(e.removed) &&
          e.removed.includes('added'),
      ),
    );
    expect(await toolNames(client)).not.toContain('added__echo');
    expect(toolsChanged).toBeGreaterThan(seen);
    // The health roll-up forgets it (the projection applies config_reloaded).
    const ecosystem = (await (await fetch(url.replace(/\/mcp$/, '/health/ecosystem'))).json()) as {
      servers: { total: number };
    };
    expect(ecosystem.servers.total).toBe(2);
  });

  it('refuses an invalid config with its path and pointer, keeps serving on the old one; SIGHUP reloads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-reload-bad-'));
    const file = join(dir, 'selfheal.json');
    const log = join(dir, 'selfheal-events.jsonl');
    const good = { mcpServers: { ev: everythingStdio() } };
    writeFileSync(file, JSON.stringify(good));
    const gateway = startCli(['start', '--config', file, '--port', '0'], dir);
    running.push(gateway);
    const url = (await gateway.until(/listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)/))[1]!;
    await gateway.until(/ready: 1 of 1 servers up/);
    const client = await connect(url, () => {});

    writeFileSync(file, JSON.stringify({ mcpServers: { ev: everythingStdio(), broken: {} } }));
    const refused = await gateway.until(
      /config reload refused.*\n(?:.*\n)*?.*\/mcpServers\/broken.*/,
      'stderr',
    );
    expect(refused[0]).toContain(file);
    expect(refused[0]).toContain('exactly one of "command"');
    const failed = await untilLogged(log, (all) =>
      all.find((e) => e.event_type === 'config_reload_failed'),
    );
    expect(failed).toMatchObject({ source: file, trigger: 'file' });
    expect(String(failed.error)).toContain('/mcpServers/broken');
    // Still the old config: the server answers, nothing was stopped.
    const echoed = await client.callTool({ name: 'ev__echo', arguments: { message: 'still' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: still' }]);
    expect(startedOf(events(log), 'ev')).toBe(1);

    // Fixed, then SIGHUP with the same bytes: a reload that changes nothing.
    writeFileSync(file, JSON.stringify(good));
    await untilLogged(log, (all) => all.find((e) => e.event_type === 'config_reloaded'));
    gateway.child.kill('SIGHUP');
    const signalled = await untilLogged(log, (all) =>
      all.find((e) => e.event_type === 'config_reloaded' && e.trigger === 'signal'),
    );
    expect(signalled).toMatchObject({ added: [], removed: [], restarted: [] });
    expect(gateway.child.exitCode).toBeNull();
    expect(startedOf(events(log), 'ev')).toBe(1);
  });
});
