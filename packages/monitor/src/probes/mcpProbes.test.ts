import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport, Server } from '@modelcontextprotocol/server';
import { createFakeClock } from '@selfheal/internal/testing';
import { describe, expect, it } from 'vitest';
import { createPingProbe, createToolsProbe } from './mcpProbes.js';

/** A client linked in memory to a server whose tool list and liveness the test controls. */
async function linked() {
  const state = { tools: ['echo', 'add'], hung: false };
  const server = new Server({ name: 't', version: '1' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', async () => ({
    tools: state.tools.map((name) => ({ name, inputSchema: { type: 'object' as const } })),
  }));
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'c', version: '1' });
  await client.connect(clientSide);
  // A hung server: requests arrive and are never answered.
  const deliver = serverSide.onmessage!;
  serverSide.onmessage = (message, extra) => {
    if (!state.hung) deliver(message, extra);
  };
  return { client, state };
}

describe('createPingProbe', () => {
  it('ok when the server answers', async () => {
    const { client } = await linked();
    expect(await createPingProbe(() => client)()).toMatchObject({ probe: 'ping', status: 'ok' });
  });

  it('down when there is no session', async () => {
    expect(await createPingProbe(() => undefined)()).toMatchObject({
      status: 'down',
      error: 'no MCP session',
    });
  });

  it('down for a hung server exactly at the deadline', async () => {
    const clock = createFakeClock();
    const { client, state } = await linked();
    state.hung = true;
    let result: unknown;
    void createPingProbe(() => client, { clock, timeoutMs: 1000 })().then((r) => {
      result = r;
    });
    await clock.advance(999);
    expect(result).toBeUndefined();
    await clock.advance(1);
    expect(result).toEqual({
      probe: 'ping',
      status: 'down',
      response_time_ms: 1000,
      error: 'ping: no answer within 1000 ms',
    });
  });
});

describe('createToolsProbe', () => {
  it('ok with the tool count', async () => {
    const { client } = await linked();
    expect(
      await createToolsProbe(
        () => client,
        () => undefined,
      )(),
    ).toMatchObject({
      probe: 'tools',
      status: 'ok',
      tool_count: 2,
    });
  });

  it('down when the list turns empty after it was not', async () => {
    const { client, state } = await linked();
    state.tools = [];
    expect(
      await createToolsProbe(
        () => client,
        () => 0,
      )(),
    ).toMatchObject({ status: 'ok' });
    expect(
      await createToolsProbe(
        () => client,
        () => 2,
      )(),
    ).toMatchObject({
      status: 'down',
      tool_count: 0,
      error: 'tools/list is empty (it listed 2 before)',
    });
  });
});
