// Shared by the demo servers: a small stdio MCP server with one `echo` tool whose behaviour a
// demo bends (delay every answer, drop requests, serve a side /health), configured by env.
import { createServer } from 'node:http';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

/** A number from the environment, or `fallback`. */
export function envNumber(name, fallback) {
  const value = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isFinite(value) ? value : fallback;
}

/**
 * Starts the demo server on stdio.
 * - `delayMs()`: how long to hold each incoming message (a slow server).
 * - `drop()`: true while requests must go unanswered (a hung or flapping server).
 */
export async function startDemoServer({ name, delayMs = () => 0, drop = () => false }) {
  const server = new Server({ name, version: '0.1.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [
      {
        name: 'echo',
        description: 'Echoes its message back.',
        inputSchema: { type: 'object', properties: { message: { type: 'string' } } },
      },
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => ({
    content: [{ type: 'text', text: String(request.params.arguments?.message ?? '') }],
  }));
  const transport = new StdioServerTransport();
  await server.connect(transport);
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    if (drop()) return;
    const ms = delayMs();
    if (ms > 0) setTimeout(() => deliver?.(message, extra), ms);
    else deliver?.(message, extra);
  };
  return server;
}

/**
 * Serves a W3 `/health` side endpoint on 127.0.0.1:`port` (0: any free port, printed on
 * stderr). `body()` returns `{ status, ...fields }` or a raw string to send as is.
 */
export function serveHealth(port, body) {
  const started = Date.now();
  const http = createServer((_req, res) => {
    const b = body();
    if (typeof b === 'string') {
      res.writeHead(200, { 'content-type': 'application/health+json' });
      res.end(b);
      return;
    }
    const doc = {
      timestamp: new Date().toISOString(),
      uptime_seconds: Math.floor((Date.now() - started) / 1000),
      ...b,
    };
    res.writeHead(doc.status === 'down' ? 503 : 200, { 'content-type': 'application/health+json' });
    res.end(JSON.stringify(doc));
  });
  http.listen(port, '127.0.0.1', () => {
    process.stderr.write(`health on http://127.0.0.1:${http.address().port}/health\n`);
  });
  return http;
}
