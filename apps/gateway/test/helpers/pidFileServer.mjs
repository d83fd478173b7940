// A stdio MCP server for tests that writes its process id to $PID_FILE at start, so a test can
// kill the very process the gateway supervises. Tool `pid` answers it too.
import { writeFileSync } from 'node:fs';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

if (process.env.PID_FILE) writeFileSync(process.env.PID_FILE, String(process.pid));
const server = new Server({ name: 'pid-file', version: '1.0.0' }, { capabilities: { tools: {} } });
server.fallbackRequestHandler = async (request) => {
  if (request.method === 'tools/list')
    return { tools: [{ name: 'pid', inputSchema: { type: 'object' } }] };
  if (request.method === 'tools/call')
    return { content: [{ type: 'text', text: String(process.pid) }] };
  throw Object.assign(new Error('Method not found'), { code: -32601 });
};
await server.connect(new StdioServerTransport());
