// A stdio MCP server that floods its client with log notifications. Tools:
//   flood  {bytes, size, done}: answers at once, then sends notifications/message of `size`
//          characters each, unrelated to any request, until `bytes` are sent (each send waits
//          for stdout to drain), then creates the file `done`
//   pid    its process id (read-only)
import { writeFileSync } from 'node:fs';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

const tools = [
  { name: 'flood', inputSchema: { type: 'object' } },
  { name: 'pid', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } },
];
const server = new Server(
  { name: 'flood', version: '1.0.0' },
  { capabilities: { tools: {}, logging: {} } },
);
const text = (value) => ({ content: [{ type: 'text', text: String(value) }] });

async function flood({ bytes, size, done }) {
  const data = 'x'.repeat(size);
  for (let sent = 0; sent < bytes; sent += size)
    await server.notification({ method: 'notifications/message', params: { level: 'info', data } });
  writeFileSync(done, '');
}

server.fallbackRequestHandler = async (request) => {
  if (request.method === 'tools/list') return { tools };
  if (request.method !== 'tools/call')
    throw Object.assign(new Error('Method not found'), { code: -32601 });
  if (request.params.name === 'pid') return text(process.pid);
  // After the answer is written: while no request is in flight, the gateway puts the
  // notifications on the client's GET stream.
  setTimeout(() => void flood(request.params.arguments), 50);
  return text('flooding');
};
await server.connect(new StdioServerTransport());
