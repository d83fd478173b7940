import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, fromJsonSchema, McpServer } from '@modelcontextprotocol/server';

/** An SDK 2.x server that speaks only MCP 2026-07-28 over HTTP, with `x-mcp-header` tools. */
export interface MarkedUpstream {
  url: string;
  /** The headers of every `tools/call` POST it received, in order. */
  calls: IncomingHttpHeaders[];
  /**
   * Marks `zone` of `deploy` with `x-mcp-header: Zone` from now on, without a list_changed: a
   * client learns of it only from the server's HeaderMismatch.
   */
  markZone(): void;
  stop(): Promise<void>;
}

/** Schemas as values, not literals: `x-mcp-header` is not a JSON Schema keyword the SDK types know. */
const LOOKUP = {
  type: 'object',
  properties: {
    region: { type: 'string', 'x-mcp-header': 'Region' },
    priority: { type: 'integer', 'x-mcp-header': 'Priority' },
    note: { type: 'string' },
  },
} as const;
const BROKEN = {
  type: 'object',
  properties: { ratio: { type: 'number', 'x-mcp-header': 'Ratio' } },
} as const;
const deploySchema = (marked: boolean) => {
  const zone = marked ? { type: 'string', 'x-mcp-header': 'Zone' } : { type: 'string' };
  return { type: 'object', properties: { zone } } as const;
};

const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

/**
 * Tools: `lookup` mirrors `region` (string) and `priority` (integer) into `Mcp-Param-Region` and
 * `Mcp-Param-Priority`; `broken` marks a `number` (an invalid definition); `deploy` gets its mark
 * on `zone` when {@link MarkedUpstream.markZone} is called. The SDK checks the `Mcp-Param-*`
 * headers of every call against the tool's marks (-32020, HTTP 400).
 */
export async function startMarkedUpstream(): Promise<MarkedUpstream> {
  let zoneMarked = false;
  const factory = () => {
    const server = new McpServer(
      { name: 'marked-upstream', version: '1.0.0' },
      { capabilities: { tools: { listChanged: true } } },
    );
    server.registerTool(
      'lookup',
      {
        description: 'Echoes its region and priority',
        inputSchema: fromJsonSchema<{ region?: string; priority?: number; note?: string }>(LOOKUP),
      },
      async ({ region, priority }) => text(`region=${region} priority=${priority}`),
    );
    server.registerTool(
      'broken',
      {
        description: 'Marks a number, which the revision does not allow',
        inputSchema: fromJsonSchema<{ ratio?: number }>(BROKEN),
      },
      async () => text('broken'),
    );
    server.registerTool(
      'deploy',
      {
        description: 'Deploys to a zone',
        inputSchema: fromJsonSchema<{ zone: string }>(deploySchema(zoneMarked)),
      },
      async ({ zone }) => text(`deployed to ${zone}`),
    );
    return server;
  };
  const handler = createMcpHandler(factory, { legacy: 'reject' });
  const serve = toNodeHandler(handler);
  const calls: IncomingHttpHeaders[] = [];
  const http = createServer((req, res) => {
    if (req.headers['mcp-method'] === 'tools/call') calls.push(req.headers);
    void serve(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    calls,
    markZone: () => {
      zoneMarked = true;
    },
    async stop() {
      await handler.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
