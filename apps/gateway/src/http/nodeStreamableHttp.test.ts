import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeStreamableHttpTransport } from './nodeStreamableHttp.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** One session's transport behind a server on 127.0.0.1:0; `answer` plays the MCP server. */
async function session(answer: (m: JSONRPCMessage, t: NodeStreamableHttpTransport) => void) {
  const transport = new NodeStreamableHttpTransport({ sessionIdGenerator: () => 'sid-1' });
  transport.onmessage = (m) => answer(m, transport);
  await transport.start();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on(
      'end',
      () => void transport.handleRequest(req, res, body ? JSON.parse(body) : undefined),
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  const post = (message: unknown, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: {
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
        'mcp-session-id': 'sid-1',
        ...headers,
      },
      body: JSON.stringify(message),
    });
  return { transport, post };
}

const init = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 't', version: '1' },
  },
};

describe('NodeStreamableHttpTransport', () => {
  it('answers a lone response as plain JSON, and notifications first on an SSE stream', async () => {
    const { post } = await session((m, t) => {
      if (!('id' in m) || !('method' in m)) return;
      if (m.method === 'tools/call')
        void t.send(
          {
            jsonrpc: '2.0',
            method: 'notifications/progress',
            params: { progressToken: 1, progress: 1 },
          },
          { relatedRequestId: m.id },
        );
      void t.send({ jsonrpc: '2.0', id: m.id, result: { method: m.method } });
    });
    const first = await post(init, { 'mcp-session-id': '' });
    expect(first.headers.get('mcp-session-id')).toBe('sid-1');
    expect(first.headers.get('content-type')).toBe('application/json');
    const text = await first.text();
    expect(first.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(text).toBe('{"jsonrpc":"2.0","id":0,"result":{"method":"initialize"}}');
    const call = await post({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: {} });
    expect(call.headers.get('content-type')).toBe('text/event-stream');
    expect(call.headers.get('content-length')).toBeNull();
    const frames = (await call.text()).split('\n\n').filter(Boolean);
    expect(frames.map((f) => JSON.parse(f.split('data: ')[1]!).method ?? 'result')).toEqual([
      'notifications/progress',
      'result',
    ]);
  });

  it('refuses what the SDK transport refuses, with the same statuses', async () => {
    const { post } = await session((m, t) => {
      if ('id' in m && 'method' in m) void t.send({ jsonrpc: '2.0', id: m.id, result: {} });
    });
    expect((await post(init, { 'mcp-session-id': '' })).status).toBe(200);
    const ping = { jsonrpc: '2.0', id: 2, method: 'ping' };
    expect((await post(ping, { accept: 'application/json' })).status).toBe(406);
    expect((await post(ping, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post(ping, { 'mcp-session-id': 'other' })).status).toBe(404);
    expect((await post(ping, { 'mcp-protocol-version': '1999-01-01' })).status).toBe(400);
    expect((await post(init)).status).toBe(400); // already initialized
    expect((await post({ jsonrpc: '2.0', id: 3 })).status).toBe(400);
    expect((await post({ jsonrpc: '2.0', method: 'notifications/initialized' })).status).toBe(202);
  });

  it('throws for a message whose request stream is gone, so the caller can fall back', async () => {
    const { transport } = await session(() => {});
    await expect(
      transport.send({ jsonrpc: '2.0', method: 'notifications/message' }, { relatedRequestId: 99 }),
    ).rejects.toThrow('No connection established for request ID: 99');
  });
});
