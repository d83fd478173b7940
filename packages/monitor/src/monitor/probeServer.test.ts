import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitorClock } from '../clock.js';
import { createRegistry } from '../config/registry.js';
import { parseConfig } from '../testing/parseConfig.js';
import { createServerCheck } from './probeServer.js';

/** An MCP server's HTTP port with no W3 endpoint: every GET answers 404. */
let http: Server;
let base: string;
let gets = 0;
beforeAll(async () => {
  http = createServer((_req, res) => {
    gets++;
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => http.close(() => resolve())));

/** A session whose ping always answers. */
const answering = { ping: async () => ({}) } as unknown as Client;

function check(server: Record<string, unknown>, probes?: string[]) {
  const [monitored] = createRegistry(
    parseConfig({
      mcpServers: { s: server },
      ...(probes ? { health_check: { probes } } : {}),
    }),
    { env: {} },
  );
  return createServerCheck(
    monitored!,
    monitorClock,
    () => answering,
    () => true,
    () => undefined,
  );
}

describe('createServerCheck and a /health URL the config did not give', () => {
  it('drops the derived /health after a 404 and judges the server by ping', async () => {
    gets = 0;
    const run = check({ url: `${base}/mcp` });
    expect(await run()).toMatchObject({ probe: 'ping', status: 'ok' });
    expect(await run()).toMatchObject({ probe: 'ping', status: 'ok' });
    expect(gets).toBe(1);
  });

  it('keeps a configured health_url that answers 404 as a failed check', async () => {
    const run = check({ url: `${base}/mcp`, health_url: `${base}/health` });
    expect(await run()).toMatchObject({
      probe: 'http',
      status: 'down',
      error: expect.stringMatching(/^HTTP 404/),
    });
  });

  it('keeps the 404 as a failure when http is the only probe', async () => {
    const run = check({ url: `${base}/mcp` }, ['http']);
    expect(await run()).toMatchObject({ probe: 'http', status: 'down' });
    expect(await run()).toMatchObject({ probe: 'http', status: 'down' });
  });
});
