import type { IncomingMessage, ServerResponse } from 'node:http';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { McpServer } from '@modelcontextprotocol/server';
import { validate } from '@selfheal/schemas';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthEndpointError } from './errors.js';
import { createHealthEndpoint } from './healthEndpoint.js';
import { startHealthServer } from './healthServer.js';
import { get, listen } from './testing/servers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});
async function serve(...args: Parameters<typeof listen>) {
  const s = await listen(...args);
  cleanups.push(s.close);
  return s;
}

describe('on a plain node:http server', () => {
  it.each([
    ['ok', 200],
    ['degraded', 200],
    ['down', 503],
  ] as const)('answers %s with HTTP %i, health+json and no-store', async (status, code) => {
    const health = createHealthEndpoint({ version: '0.0.1', checks: { db: () => status } });
    const { base } = await serve(health.listener());
    const r = await get(`${base}/health`);
    expect(r.status).toBe(code);
    expect(r.type).toBe('application/health+json; charset=utf-8');
    expect(r.cache).toBe('no-store');
    expect(r.json()).toMatchObject({ status, checks: { db: status }, version: '0.0.1' });
    expect(validate('health-check', r.json()).valid).toBe(true);
  });

  it('reports a hanging check as down (timed out) and still answers', async () => {
    const health = createHealthEndpoint({
      checks: { db: () => 'ok', queue: { check: () => new Promise(() => {}), timeoutMs: 100 } },
    });
    const { base } = await serve(health.listener());
    const r = await get(`${base}/health`);
    expect(r.status).toBe(503);
    expect(r.json()).toMatchObject({
      status: 'down',
      checks: { db: 'ok', queue: 'down' },
      error: 'queue: down (timed out after 100 ms)',
    });
  });

  it('reports a throwing check as down without a stack trace or the secret in its message', async () => {
    const health = createHealthEndpoint({
      checks: {
        db: async () => {
          throw new Error('auth failed for mongodb://root:topsecret@10.0.0.5/admin');
        },
      },
    });
    const { base } = await serve(health.listener());
    const r = await get(`${base}/health`);
    expect(r.json().error).toBe('db: down (auth failed for mongodb://[redacted])');
    expect(r.text).not.toContain('topsecret');
    expect(r.text).not.toMatch(/\bat .*:\d+:\d+/);
  });

  it('answers GET / only when it accepts application/health+json', async () => {
    const health = createHealthEndpoint();
    const { base } = await serve(health.listener());
    const r = await get(`${base}/`, { headers: { Accept: 'application/health+json' } });
    expect(r.status).toBe(200);
    expect(r.json().status).toBe('ok');
    expect((await get(`${base}/`, { headers: { Accept: 'text/html' } })).status).toBe(404);
  });

  it('answers application/json to a client that accepts only that, and HEAD without a body', async () => {
    const health = createHealthEndpoint();
    const { base } = await serve(health.listener());
    const json = await get(`${base}/health`, { headers: { Accept: 'application/json' } });
    expect(json.type).toBe('application/json; charset=utf-8');
    const head = await get(`${base}/health`, { method: 'HEAD' });
    expect(head).toMatchObject({ status: 200, text: '' });
  });

  it('refuses other methods on the health path with 405 and Allow', async () => {
    const health = createHealthEndpoint();
    const { base } = await serve(health.listener());
    const r = await fetch(`${base}/health`, { method: 'POST' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD');
  });

  it('hands other requests to the fallback listener', async () => {
    const health = createHealthEndpoint({ path: '/healthz' });
    const { base } = await serve(
      health.listener((_req, res) => {
        res.end('app');
      }),
    );
    expect((await get(`${base}/healthz?verbose=1`)).json().status).toBe('ok');
    expect((await get(`${base}/health`)).text).toBe('app');
  });
});

describe('as Connect/Express middleware', () => {
  it('answers /health and lets the app handle everything else', async () => {
    let db: 'ok' | 'down' = 'ok';
    const health = createHealthEndpoint({ checks: { db: () => db } });
    const app = express();
    app.use(health.middleware);
    app.get('/hello', (_req, res) => {
      res.json({ hello: 'world' });
    });
    const { base } = await serve(app);
    expect((await get(`${base}/health`)).json().status).toBe('ok');
    expect((await get(`${base}/hello`)).json()).toEqual({ hello: 'world' });
    db = 'down';
    const down = await get(`${base}/health`);
    expect(down.status).toBe(503);
    expect(down.json()).toMatchObject({ status: 'down', checks: { db: 'down' } });
  });
});

describe('beside the MCP SDK Streamable HTTP transport on one server', () => {
  it('serves /health and MCP /mcp from the same port', async () => {
    const health = createHealthEndpoint({
      version: '9.9.9',
      checks: { upstream: () => 'degraded' },
    });
    const mcpListener = async (req: IncomingMessage, res: ServerResponse) => {
      const server = new McpServer({ name: 'mounted', version: '9.9.9' });
      server.registerTool('ping', { description: 'answers pong' }, async () => ({
        content: [{ type: 'text', text: 'pong' }],
      }));
      const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res);
    };
    const { base } = await serve(health.listener((req, res) => void mcpListener(req, res)));

    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    cleanups.push(() => client.close());
    const result = await client.callTool({ name: 'ping' });
    expect(result.content).toEqual([{ type: 'text', text: 'pong' }]);

    const r = await get(`${base}/health`);
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ status: 'degraded', version: '9.9.9' });
  });
});

describe('startHealthServer (side port for stdio servers)', () => {
  it('serves the endpoint on its own port and 404s anything else', async () => {
    const health = createHealthEndpoint({ checks: { worker: () => 'ok' } });
    const side = await startHealthServer(health);
    cleanups.push(side.close);
    expect(side.url).toBe(`http://127.0.0.1:${side.port}/health`);
    expect((await get(side.url)).json()).toMatchObject({ status: 'ok', checks: { worker: 'ok' } });
    const other = await get(`http://127.0.0.1:${side.port}/mcp`);
    expect(other.status).toBe(404);
    expect(other.json().error).toContain('GET /health');
  });

  it('rejects with LISTEN_FAILED naming the port when it is taken', async () => {
    const health = createHealthEndpoint();
    const first = await startHealthServer(health);
    cleanups.push(first.close);
    const second = startHealthServer(health, { port: first.port });
    await expect(second).rejects.toBeInstanceOf(HealthEndpointError);
    await expect(second).rejects.toThrow(`127.0.0.1:${first.port}`);
  });

  it('closes idempotently', async () => {
    const side = await startHealthServer(createHealthEndpoint());
    await side.close();
    await side.close();
    await expect(fetch(side.url)).rejects.toThrow();
  });
});
