#!/usr/bin/env node
// A stdio server that breaks the protocol on demand, for the gateway's protocol-violation tests
// (RFC 0017).
//
// Tools: `forecast` declares an outputSchema (`{ temperature: number }`, required) and keeps
// to it, except for the city "Atlantis", whose temperature is the string "warm"; `chatter`
// writes a line that is not JSON-RPC to stdout (as a server that logs there) before it answers.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const server = new Server(
  { name: 'misbehaving', version: '0.1.0' },
  { capabilities: { tools: {} } },
);
server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    {
      name: 'forecast',
      description: "Today's temperature in a city, in degrees Celsius.",
      inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
      outputSchema: {
        type: 'object',
        properties: { temperature: { type: 'number' } },
        required: ['temperature'],
      },
    },
    {
      name: 'chatter',
      description: 'Logs a line to stdout, then answers.',
      inputSchema: { type: 'object' },
    },
  ],
}));
server.setRequestHandler(CallToolRequestSchema, async (request) => {
  const args = request.params.arguments ?? {};
  if (request.params.name === 'chatter') {
    process.stdout.write(`chatter called at ${new Date().toISOString()}\n`);
    return { content: [{ type: 'text', text: 'said something' }] };
  }
  const temperature = args.city === 'Atlantis' ? 'warm' : 21;
  return {
    content: [{ type: 'text', text: `${temperature}` }],
    structuredContent: { temperature },
  };
});
await server.connect(new StdioServerTransport());
