// A stdio MCP server that outlives its client: it ignores the end of stdin and SIGTERM, so only
// SIGKILL (or its process group being killed) stops it. Tools: echo. Any argument (the suite's
// run marker) is ignored.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

process.on('SIGTERM', () => {});
// Something to keep the event loop alive once stdin has closed.
setInterval(() => {}, 60_000);

const server = new Server(
  { name: 'chaos-stubborn', version: '1.0.0' },
  { capabilities: { tools: {} } },
);
server.setRequestHandler(ListToolsRequestSchema, () => ({
  tools: [{ name: 'echo', inputSchema: { type: 'object' } }],
}));
server.setRequestHandler(CallToolRequestSchema, (request) => ({
  content: [{ type: 'text', text: String(request.params.arguments?.message ?? '') }],
}));
const transport = new StdioServerTransport();
// The SDK closes the server when stdin ends; this one keeps running regardless.
process.stdin.on('end', () => {});
await server.connect(transport);
