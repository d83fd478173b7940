// A stdio MCP server for tests: `pid` returns its process id, `crash` exits the process
// before answering (a server dying mid-call).
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

const server = new Server({ name: 'crashing', version: '1.0.0' }, { capabilities: { tools: {} } });
server.fallbackRequestHandler = async (request) => {
  if (request.method === 'tools/list')
    return {
      tools: ['pid', 'crash'].map((name) => ({ name, inputSchema: { type: 'object' } })),
    };
  if (request.method === 'tools/call') {
    if (request.params.name === 'crash') process.exit(1);
    return { content: [{ type: 'text', text: String(process.pid) }] };
  }
  throw Object.assign(new Error('Method not found'), { code: -32601 });
};
await server.connect(new StdioServerTransport());
