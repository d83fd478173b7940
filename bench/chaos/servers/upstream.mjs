// A stdio MCP server for the fault suite. Tools:
//   echo    {message}: answers the message at once
//   pid     its process id
//   hang    never answers (the request stays open until the client gives up); sends one
//           progress notification first when the call asks for progress, so the caller knows
//           the call reached this process
//   notify  {bytes, everyMs}: answers at once, then sends a `notifications/message` of `bytes`
//           characters every `everyMs` ms for as long as the session lasts (one send at a time,
//           so the pace follows the pipe and this process never buffers without bound)
// Flags: `--down-file=PATH`: exit 1 at start-up while PATH exists (a server whose restarts
// fail). Any other argument (the suite's run marker) is ignored.
import { existsSync } from 'node:fs';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const downFile = process.argv.find((a) => a.startsWith('--down-file='))?.slice(12);
if (downFile && existsSync(downFile)) {
  process.stderr.write(`chaos upstream: ${downFile} exists, refusing to start\n`);
  process.exit(1);
}

const object = { type: 'object' };
const tools = [
  { name: 'echo', inputSchema: object, annotations: { readOnlyHint: true } },
  { name: 'pid', inputSchema: object, annotations: { readOnlyHint: true } },
  { name: 'hang', inputSchema: object },
  { name: 'notify', inputSchema: object },
];
const text = (value) => ({ content: [{ type: 'text', text: String(value) }] });

const server = new Server(
  { name: 'chaos-upstream', version: '1.0.0' },
  { capabilities: { tools: {}, logging: {} } },
);
server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
  const { name, arguments: args = {} } = request.params;
  if (name === 'echo') return text(args.message ?? '');
  if (name === 'pid') return text(process.pid);
  if (name === 'hang') {
    const progressToken = request.params._meta?.progressToken;
    if (progressToken !== undefined)
      await extra.sendNotification({
        method: 'notifications/progress',
        params: { progressToken, progress: 0 },
      });
    return new Promise(() => {});
  }
  if (name === 'notify') {
    startNotifying(Number(args.bytes ?? 4096), Number(args.everyMs ?? 1));
    return text('notifying');
  }
  throw new Error(`unknown tool ${name}`);
});

let notifying = false;
function startNotifying(bytes, everyMs) {
  if (notifying) return;
  notifying = true;
  const data = 'x'.repeat(bytes);
  let busy = false;
  setInterval(() => {
    if (busy) return;
    busy = true;
    server
      .sendLoggingMessage({ level: 'info', logger: 'chaos', data })
      .catch(() => {})
      .finally(() => {
        busy = false;
      });
  }, everyMs);
}

await server.connect(new StdioServerTransport());
