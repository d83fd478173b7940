import { existsSync, readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach } from 'vitest';
import { type CliProcess, startCli } from './cliProcess.js';

// What the trust tests share: a gateway started by the CLI on a config, clients of it, and
// polls of its JSONL log. Everything started is stopped after each test.
/** Gateways and clients started by the test, stopped after it. */
const running: CliProcess[] = [];
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});

/** One line of the log. */
export type Logged = Record<string, unknown> & { event_type: string; seq: number };

/** Every event of the JSONL log at `file` so far ([] before it exists). */
export function events(file: string): Logged[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Logged);
}

/** Polls the log until `probe` finds something; the deadline only ends a hung test. */
export async function untilLogged<T>(
  log: string,
  probe: (all: Logged[]) => T | undefined,
): Promise<T> {
  const end = Date.now() + 20_000;
  for (;;) {
    const found = probe(events(log));
    if (found !== undefined) return found;
    if (Date.now() > end) throw new Error(`not in ${log} in time:\n${readFileSync(log, 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `selfheal start --config CONFIG --port 0` in `dir`: its MCP URL and control socket once ready. */
export async function startGateway(dir: string, config: string) {
  const gateway = startCli(['start', '--config', config, '--port', '0'], dir);
  running.push(gateway);
  await gateway.until(/ready: \d+ of \d+ servers up/);
  const url = (await gateway.until(/listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)/))[1]!;
  const socket = (await gateway.until(/^ {2}control (\S+) /m))[1]!;
  return { gateway, url, socket };
}

/** A Streamable HTTP client of the gateway, and the times it heard tools/list_changed. */
export async function connect(url: string) {
  const client = new Client({ name: 'trust-test', version: '1' });
  clients.push(client);
  const changes: number[] = [];
  client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
    changes.push(Date.now());
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)) as Transport);
  return { client, changes };
}

/** The exposed tool names the client lists, sorted. */
export const toolNames = async (client: Client) =>
  (await client.listTools()).tools.map((t) => t.name).sort();

/** Polls `probe` until it gives something; the deadline only ends a hung test. */
export async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + 20_000;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
