import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/client';
import { ResultSchema } from '@modelcontextprotocol/core';
import { describe, expect, it } from 'vitest';
import { notificationsFirst } from './notificationsFirst.js';

/**
 * A server as one SSE chunk delivers it: the tool's progress 0, 50, 100 and its result, all
 * dispatched in one turn of the event loop (the real transports parse a chunk in one go).
 */
function chunkedServer(): Transport {
  const transport: Transport = {
    async start() {},
    async close() {},
    async send(message: JSONRPCMessage) {
      if (!('method' in message) || !('id' in message)) return;
      if (message.method === 'initialize') {
        const result = {
          protocolVersion: '2025-11-25',
          capabilities: { tools: {} },
          serverInfo: { name: 'up', version: '1' },
        };
        setImmediate(() => transport.onmessage?.({ jsonrpc: '2.0', id: message.id, result }));
        return;
      }
      const meta = message.params?._meta as { progressToken: string | number } | undefined;
      const token = meta?.progressToken ?? 0;
      setImmediate(() => {
        for (const progress of [0, 50, 100])
          transport.onmessage?.({
            jsonrpc: '2.0',
            method: 'notifications/progress',
            params: { progressToken: token, progress, total: 100 },
          });
        transport.onmessage?.({ jsonrpc: '2.0', id: message.id, result: { content: [] } });
      });
    },
  };
  return transport;
}

async function progressSeen(ordered: boolean): Promise<number[]> {
  const transport = chunkedServer();
  const client = new Client({ name: 'gateway', version: '1' });
  await client.connect(transport);
  if (ordered) notificationsFirst(transport);
  const seen: number[] = [];
  await client.request({ method: 'tools/call', params: { name: 'p' } }, ResultSchema, {
    onprogress: (p) => seen.push(p.progress),
  });
  await client.close();
  return seen;
}

describe('notificationsFirst', () => {
  it('delivers the progress a server sends right before its result (the lost 100)', async () => {
    expect(await progressSeen(true)).toEqual([0, 50, 100]);
  });

  it('is needed: without it the SDK drops what arrives with the result', async () => {
    expect(await progressSeen(false)).not.toEqual([0, 50, 100]);
  });
});
