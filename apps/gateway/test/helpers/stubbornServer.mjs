// A stdio MCP server that outlives the end of its stdin and ignores SIGTERM, as some servers
// do: only a SIGKILL ends it. Tool `pid` answers its process id. Tests find its processes by a
// marker argument (`--marker=...`), which it ignores.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

process.on('SIGTERM', () => {});
process.stdin.on('end', () => {});
setInterval(() => {}, 60_000);

const server = new Server({ name: 'stubborn', version: '1.0.0' }, { capabilities: { tools: {} } });
server.fallbackRequestHandler = async (request) => {
  if (request.method === 'tools/list')
    return { tools: [{ name: 'pid', inputSchema: { type: 'object' } }] };
  if (request.method === 'tools/call' && request.params.name === 'pid')
    return { content: [{ type: 'text', text: String(process.pid) }] };
  throw Object.assign(new Error('Method not found'), { code: -32601 });
};
// Closing the transport on stdin's end would not end this process anyway: the interval holds it.
server.onclose = () => {};
await server.connect(new StdioServerTransport());
