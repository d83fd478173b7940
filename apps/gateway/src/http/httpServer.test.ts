import { describe, expect, it } from 'vitest';
import { manualClock } from '../../test/helpers/manualClock.js';
import { resolveConfig } from '../config/loadConfig.js';
import { createGateway } from '../gateway.js';
import { createHttpServer } from './httpServer.js';

const initialize = (url: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 't', version: '1' },
      },
    }),
  });

describe('createHttpServer sessions', () => {
  it('closes a session idle for idleSessionMs, and not a minute before', async () => {
    const clock = manualClock();
    const config = resolveConfig({ mcpServers: {}, gateway: { port: 0 } }, 'test');
    const gateway = createGateway({ config, clock });
    const http = createHttpServer({ gateway, tokens: [], idleSessionMs: 10 * 60_000 });
    const { url } = await http.listen();
    const reply = await initialize(url);
    expect(reply.status).toBe(200);
    await reply.text();
    const id = reply.headers.get('mcp-session-id');
    expect(id).toBeTruthy();
    await expect.poll(() => http.sessionCount).toBe(1);
    clock.advance(9 * 60_000);
    expect(http.sessionCount).toBe(1);
    clock.advance(60_000);
    expect(http.sessionCount).toBe(0);
    const after = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'mcp-session-id': id! },
      body: '{"jsonrpc":"2.0","id":2,"method":"ping"}',
    });
    expect(after.status).toBe(404);
    await http.close();
  });
});
