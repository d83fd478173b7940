import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry } from '../config/registry.js';
import { createPingProbe, createToolsProbe } from '../probes/mcpProbes.js';
import { createNodeSpawner } from '../supervisor/nodeSpawner.js';
import {
  createProcessSupervisor,
  type ProcessSupervisor,
} from '../supervisor/processSupervisor.js';
import { parseConfig } from '../testing/parseConfig.js';
import { openSession } from './mcpSession.js';

const everything = createRequire(import.meta.url).resolve(
  '@modelcontextprotocol/server-everything/dist/index.js',
);
let supervisor: ProcessSupervisor | undefined;
afterEach(() => supervisor?.close());

describe('openSession over a supervised stdio process', () => {
  it('talks MCP to the real everything server through the supervisor pipes', async () => {
    const [server] = createRegistry(
      parseConfig(
        { mcpServers: { everything: { command: process.execPath, args: [everything, 'stdio'] } } },
        'test.json',
      ),
      { env: {} },
    );
    supervisor = createProcessSupervisor({
      spawner: createNodeSpawner(),
      spec: { command: server!.command!, args: server!.args, env: server!.env },
      stopGraceMs: 1000,
    });
    const child = await supervisor.start();
    const client = await openSession(server!, child, { timeoutMs: 10_000 });
    expect(await createPingProbe(() => client)()).toMatchObject({ status: 'ok' });
    const tools = await createToolsProbe(
      () => client,
      () => undefined,
    )();
    expect(tools).toMatchObject({ status: 'ok' });
    expect(tools.tool_count).toBeGreaterThan(0);

    const exits: string[] = [];
    supervisor.onExit((info, expected) => exits.push(`${info.signal}/${expected}`));
    process.kill(child.pid!, 'SIGKILL');
    expect(await child.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(exits).toEqual(['SIGKILL/false']);
    expect(await createPingProbe(() => client, { timeoutMs: 500 })()).toMatchObject({
      status: 'down',
    });
  }, 20_000);
});
