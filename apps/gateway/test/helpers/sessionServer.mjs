// A stdio MCP server for session tests. Tools:
//   pid         its process id (read-only)
//   caps        the client capabilities and name this session was initialised with (read-only)
//   slow_read   {mark}: answers its pid at once if the file `mark` exists; else creates it,
//               sends one progress notification and answers after 60 s (read-only)
//   slow_write  the same, with no annotations (it may have side effects)
//   crash_read  appends a line to $CRASH_LOG, then exits before answering (read-only)
//   crash_then_refuse  {mark}: exits before answering unless the file `mark` exists (it creates
//               it); then answers with a JSON-RPC error (read-only)
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

const readOnly = { readOnlyHint: true };
const tools = [
  { name: 'pid', annotations: readOnly },
  { name: 'caps', annotations: readOnly },
  { name: 'slow_read', annotations: readOnly },
  { name: 'slow_write' },
  { name: 'crash_read', annotations: readOnly },
  { name: 'crash_then_refuse', annotations: readOnly },
].map((tool) => ({ ...tool, inputSchema: { type: 'object' } }));

const server = new Server({ name: 'session', version: '1.0.0' }, { capabilities: { tools: {} } });
const text = (value) => ({ content: [{ type: 'text', text: String(value) }] });
server.fallbackRequestHandler = async (request, extra) => {
  if (request.method === 'tools/list') return { tools };
  if (request.method !== 'tools/call')
    throw Object.assign(new Error('Method not found'), { code: -32601 });
  const name = request.params.name;
  if (name === 'pid') return text(process.pid);
  if (name === 'caps')
    return text(
      JSON.stringify({
        capabilities: server.getClientCapabilities(),
        client: server.getClientVersion()?.name,
      }),
    );
  if (name === 'crash_read') {
    appendFileSync(process.env.CRASH_LOG, `${process.pid}\n`);
    process.exit(1);
  }
  const mark = request.params.arguments?.mark;
  if (name === 'crash_then_refuse') {
    if (existsSync(mark))
      throw Object.assign(new Error('refused on a new session'), { code: -32050 });
    writeFileSync(mark, '');
    process.exit(1);
  }
  if (typeof mark === 'string' && existsSync(mark)) return text(process.pid);
  if (typeof mark === 'string') writeFileSync(mark, '');
  const progressToken = request.params._meta?.progressToken;
  if (progressToken !== undefined)
    await extra.sendNotification({
      method: 'notifications/progress',
      params: { progressToken, progress: 0 },
    });
  await new Promise((resolve) => setTimeout(resolve, 60_000));
  return text(process.pid);
};
await server.connect(new StdioServerTransport());
