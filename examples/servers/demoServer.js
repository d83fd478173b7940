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
 * - `delayMs(message)`: how long to hold each incoming message (a slow server).
 * - `drop(message)`: true while requests must go unanswered (a hung or flapping server).
 * - `fail(message)`: a JSON-RPC error `{ code, message }` to answer a request with instead of
 *   serving it, or undefined to serve it.
 * - `tools`: more tools beside `echo`: `{ name, annotations?, call(args) => string }`.
 */
export async function startDemoServer({
  name,
  delayMs = () => 0,
  drop = () => false,
  fail = () => undefined,
  tools = [],
}) {
  const server = new Server({ name, version: '0.1.0' }, { capabilities: { tools: {} } });
  const schema = { type: 'object', properties: { message: { type: 'string' } } };
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [
      { name: 'echo', description: 'Echoes its message back.', inputSchema: schema },
      ...tools.map((tool) => ({
        name: tool.name,
        description: tool.description ?? tool.name,
        inputSchema: schema,
        ...(tool.annotations ? { annotations: tool.annotations } : {}),
      })),
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const args = request.params.arguments ?? {};
    const tool = tools.find((t) => t.name === request.params.name);
    const text = tool ? String(tool.call(args)) : String(args.message ?? '');
    return { content: [{ type: 'text', text }] };
  });
  const transport = new StdioServerTransport();
  await server.connect(transport);
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    if (drop(message)) return;
    const error = 'id' in message && 'method' in message ? fail(message) : undefined;
    const ms = delayMs(message);
    const handle = () =>
      error
        ? void transport.send({ jsonrpc: '2.0', id: message.id, error }).catch(() => {})
        : deliver?.(message, extra);
    if (ms > 0) setTimeout(handle, ms);
    else handle();
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
