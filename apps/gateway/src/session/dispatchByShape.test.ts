import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CallToolRequestSchema,
  type JSONRPCMessage,
  ListToolsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { dispatchByShape } from './dispatchByShape.js';

/** A server with one tool that logs before answering, and a client, both dispatching by shape. */
async function connectedPair() {
  const server = new Server(
    { name: 's', version: '1' },
    { capabilities: { tools: {}, logging: {} } },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [{ name: 'echo', inputSchema: { type: 'object' } }],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    await extra.sendNotification({
      method: 'notifications/message',
      params: { level: 'info', data: 'working' },
    });
    if (request.params.name !== 'echo')
      throw Object.assign(new Error('no such tool'), { code: -32602 });
    return { content: [{ type: 'text', text: String(request.params.arguments?.message) }] };
  });
  const client = new Client({ name: 'c', version: '1' });
  const logged: unknown[] = [];
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  const tookOver = [dispatchByShape(server, serverSide), dispatchByShape(client, clientSide)];
  client.fallbackNotificationHandler = async (n) => void logged.push(n.params);
  return { client, server, logged, tookOver, clientSide, serverSide };
}

describe('dispatchByShape', () => {
  it('takes over the pinned SDK’s dispatch; requests, responses, errors and notifications still flow', async () => {
    const { client, logged, tookOver } = await connectedPair();
    expect(tookOver).toEqual([true, true]);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
    const result = await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
    expect(result.content).toEqual([{ type: 'text', text: 'hi' }]);
    expect(logged).toEqual([{ level: 'info', data: 'working' }]);
    await expect(client.callTool({ name: 'nope', arguments: {} })).rejects.toThrow(/no such tool/);
  });

  it('skips the SDK’s guards: a message is dispatched by its keys alone', async () => {
    const { serverSide, clientSide } = await connectedPair();
    const answers: JSONRPCMessage[] = [];
    const clientDispatch = clientSide.onmessage!;
    clientSide.onmessage = (message, extra) => {
      answers.push(message);
      clientDispatch(message, extra);
    };
    // The SDK's guards would call this an unknown message (a request id must be a string or
    // an integer); by its keys it is a request, and the server answers it.
    serverSide.onmessage!({ jsonrpc: '2.0', id: 1.5, method: 'ping' } as never);
    await new Promise((resolve) => setImmediate(resolve));
    expect(answers).toEqual([{ jsonrpc: '2.0', id: 1.5, result: {} }]);
  });

  it('leaves a protocol without the SDK’s handlers, or a transport not connected, alone', () => {
    const transport = { onmessage: () => {} } as unknown as Transport;
    const before = transport.onmessage;
    expect(dispatchByShape({}, transport)).toBe(false);
    expect(transport.onmessage).toBe(before);
    expect(dispatchByShape(new Server({ name: 's', version: '1' }), {} as Transport)).toBe(false);
  });
});
