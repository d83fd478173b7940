import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { main } from '../src/cli.js';
import { type RunningGateway, startGateway } from './helpers/gatewayHarness.js';
import { startTestUpstream, type TestUpstream } from './helpers/testUpstream.js';

const TOKEN = 'correct-horse-battery-staple';
const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'raw', version: '1' },
  },
});

interface Reply {
  status: number;
  body: string;
}

/** One raw HTTP request, so tests control every header (Host included). */
function send(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'POST',
        path: options.path ?? '/mcp',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          authorization: `Bearer ${TOKEN}`,
          ...options.headers,
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const rpcError = (reply: Reply) =>
  (JSON.parse(reply.body) as { error: { code: number; message: string } }).error;

describe('HTTP security', () => {
  let upstream: TestUpstream;
  let gw: RunningGateway;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    gw = await startGateway(
      { mcpServers: { t: { url: upstream.url } }, gateway: { max_body_bytes: 2048 } },
      [TOKEN, 'second-token'],
    );
  });

  afterAll(async () => {
    await gw?.stop();
    await upstream?.stop();
  });

  it('refuses /mcp without a bearer token, or with a wrong one', async () => {
    const none = await send(gw.port, { body: INITIALIZE, headers: { authorization: '' } });
    expect(none.status).toBe(401);
    const wrong = await send(gw.port, {
      body: INITIALIZE,
      headers: { authorization: `Bearer ${TOKEN}x` },
    });
    expect(wrong.status).toBe(401);
    const basic = await send(gw.port, { body: INITIALIZE, headers: { authorization: TOKEN } });
    expect(basic.status).toBe(401);
    expect(
      (await send(gw.port, { method: 'GET', path: '/metrics', headers: { authorization: '' } }))
        .status,
    ).toBe(401);
  });

  it('guards WS /health/stream and /health/ecosystem with the token and the Host check', async () => {
    const url = `ws://127.0.0.1:${gw.port}/health/stream`;
    const outcome = (headers: Record<string, string>) =>
      new Promise<number | 'open'>((resolve) => {
        const ws = new WebSocket(url, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.terminate();
          resolve('open');
        });
        ws.on('error', () => {});
      });
    expect(await outcome({})).toBe(401);
    expect(await outcome({ authorization: 'Bearer nope' })).toBe(401);
    expect(await outcome({ authorization: `Bearer ${TOKEN}`, origin: 'http://evil.example' })).toBe(
      403,
    );
    expect(await outcome({ authorization: `Bearer ${TOKEN}` })).toBe('open');
    const ecosystem = await send(gw.port, {
      method: 'GET',
      path: '/health/ecosystem',
      headers: { authorization: '' },
    });
    expect(ecosystem.status).toBe(401);
    // Healthy once the monitor's first check has answered.
    await expect
      .poll(
        async () =>
          JSON.parse((await send(gw.port, { method: 'GET', path: '/health/ecosystem' })).body),
        {
          timeout: 10_000,
        },
      )
      .toMatchObject({ status: 'ok', servers: { total: 1, healthy: 1 } });
  });

  it('accepts every configured token', async () => {
    for (const token of [TOKEN, 'second-token']) {
      const ok = await send(gw.port, {
        body: INITIALIZE,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(ok.status).toBe(200);
    }
  });

  it('serves a real MCP client that sends the token', async () => {
    const client = new Client({ name: 'sdk', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(gw.url), {
        requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      }) as Transport,
    );
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('t__echo');
    await client.close();
  });

  it('keeps /health open (W3 contract), token or not', async () => {
    const health = await send(gw.port, {
      method: 'GET',
      path: '/health',
      headers: { authorization: '', host: 'monitor.example' },
    });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
  });

  it('serves a /health that passes `selfheal check --require-ok`', async () => {
    let out = '';
    const write = (text: string) => {
      out += text;
    };
    const io = { stdout: write, stderr: write };
    const code = await main(['check', `http://127.0.0.1:${gw.port}/health`, '--require-ok'], io);
    expect(out).not.toContain('violation');
    expect(code).toBe(0);
  });

  it('refuses a foreign Host header (DNS rebinding) and a foreign Origin', async () => {
    const host = await send(gw.port, { body: INITIALIZE, headers: { host: 'evil.example' } });
    expect(host.status).toBe(403);
    expect(rpcError(host).message).toContain('Host header "evil.example" is not accepted');
    const rebound = await send(gw.port, {
      body: INITIALIZE,
      headers: { host: `evil.example:${gw.port}` },
    });
    expect(rebound.status).toBe(403);
    const origin = await send(gw.port, {
      body: INITIALIZE,
      headers: { origin: 'http://evil.example' },
    });
    expect(origin.status).toBe(403);
    expect(rpcError(origin).message).toContain('Origin "http://evil.example" is not accepted');
    const local = await send(gw.port, {
      body: INITIALIZE,
      headers: { host: `localhost:${gw.port}`, origin: `http://localhost:${gw.port}` },
    });
    expect(local.status).toBe(200);
  });

  it('answers a body over max_body_bytes with 413 and a JSON-RPC error', async () => {
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'ping',
      params: { pad: 'x'.repeat(4096) },
    });
    const reply = await send(gw.port, { body: big });
    expect(reply.status).toBe(413);
    expect(rpcError(reply).message).toContain('exceeds 2048 bytes');
  });

  it('answers malformed JSON and non-JSON-RPC with JSON-RPC errors, and keeps serving', async () => {
    const parse = await send(gw.port, { body: '{"jsonrpc": "2.0", "id": 1, "method": ' });
    expect(parse.status).toBe(400);
    expect(rpcError(parse).code).toBe(-32700);
    for (const body of [
      '{"hello": "world"}',
      '[]',
      '[1, 2]',
      '"text"',
      '{"jsonrpc":"2.0","method":7}',
    ]) {
      const reply = await send(gw.port, { body });
      expect(reply.status).toBe(400);
      expect(rpcError(reply).code).toBe(-32600);
    }
    const unknownSession = await send(gw.port, {
      body: '{"jsonrpc":"2.0","id":2,"method":"ping"}',
      headers: { 'mcp-session-id': 'no-such-session' },
    });
    expect(unknownSession.status).toBe(404);
    const noSession = await send(gw.port, { body: '{"jsonrpc":"2.0","id":2,"method":"ping"}' });
    expect(noSession.status).toBe(400);
    expect((await send(gw.port, { body: INITIALIZE })).status).toBe(200);
  });
});
