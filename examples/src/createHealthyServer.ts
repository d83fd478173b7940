import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createHealthEndpoint, type HealthStatus, isHealthStatus } from '@selfheal/health-endpoint';
import * as z from 'zod';
import { createHealthSwitch, type HealthSwitch } from './healthState.js';

/** Options of {@link startHealthyServer}. */
export interface HealthyServerOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** What the `backend` component reports at start. @default 'ok' */
  health?: HealthStatus;
  /** MCP server name, also the health `metadata.name`. @default 'healthy' */
  name?: string;
  /** @default '0.1.0' */
  version?: string;
}

/** A running example server. */
export interface HealthyServer {
  /** The MCP Streamable HTTP endpoint, `http://host:port/mcp`. */
  url: string;
  /** The health endpoint, `http://host:port/health`. */
  health: string;
  port: number;
  /** The switch behind the `backend` check (also flipped by the `set_health` tool). */
  backend: HealthSwitch;
  close(): Promise<void>;
}

const statusSchema = z.enum(['ok', 'degraded', 'down']);

function createMcp(name: string, version: string, backend: HealthSwitch): McpServer {
  const server = new McpServer({ name, version });
  server.registerTool(
    'echo',
    { description: 'Returns the text it is given.', inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  server.registerTool(
    'add',
    { description: 'Adds two numbers.', inputSchema: { a: z.number(), b: z.number() } },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
  );
  server.registerTool(
    'set_health',
    {
      description:
        'Sets what the "backend" component of GET /health reports: ok, degraded or down.',
      inputSchema: { status: statusSchema, reason: z.string().max(120).optional() },
    },
    async ({ status, reason }) => {
      backend.set(status, reason);
      return { content: [{ type: 'text', text: `backend is now ${status}` }] };
    },
  );
  return server;
}

/**
 * Starts the example MCP server: Streamable HTTP on `POST /mcp` (stateless: one server per
 * request), `GET /health` from `@selfheal/health-endpoint` with one component check,
 * `backend`, and `POST /admin/health` (`{"status": "degraded", "reason": "..."}`) to flip it
 * without an MCP client.
 */
export async function startHealthyServer(
  options: HealthyServerOptions = {},
): Promise<HealthyServer> {
  const name = options.name ?? 'healthy';
  const version = options.version ?? '0.1.0';
  const backend = createHealthSwitch(options.health ?? 'ok');
  const health = createHealthEndpoint({
    version,
    metadata: { name },
    checks: {
      backend: () => {
        const { status, reason } = backend.get();
        return reason ? { status, error: reason } : status;
      },
    },
  });

  const handleMcp = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') {
      return sendJson(res, 405, {
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed: this server is stateless, use POST' },
        id: null,
      });
    }
    const server = createMcp(name, version, backend);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  };

  const http = createServer(
    health.listener((req, res) => {
      const path = (req.url ?? '/').split('?', 1)[0];
      const done = (error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: `internal error: ${String(error)}` });
      };
      if (path === '/mcp') handleMcp(req, res).catch(done);
      else if (path === '/admin/health') adminHealth(req, res, backend).catch(done);
      else sendJson(res, 404, { error: 'not found; MCP is POST /mcp, health is GET /health' });
    }),
  );
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url: `${base}/mcp`,
    health: `${base}${health.path}`,
    port,
    backend,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      return closing;
    },
  };
}

async function adminHealth(req: IncomingMessage, res: ServerResponse, backend: HealthSwitch) {
  if (req.method !== 'POST') {
    return sendJson(res, 405, { error: 'use POST {"status": "ok"|"degraded"|"down"}' });
  }
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 10_000) return sendJson(res, 413, { error: 'body too large' });
  }
  let body: { status?: unknown; reason?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return sendJson(res, 400, { error: 'expected a JSON body like {"status": "degraded"}' });
  }
  if (!isHealthStatus(body?.status)) {
    return sendJson(res, 400, {
      error: `/status: expected one of "ok", "degraded", "down", found ${JSON.stringify(body?.status) ?? 'nothing'}`,
    });
  }
  if (body.reason !== undefined && typeof body.reason !== 'string') {
    return sendJson(res, 400, { error: '/reason: expected a string' });
  }
  backend.set(body.status, body.reason as string | undefined);
  sendJson(res, 200, { backend: backend.get() });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}
