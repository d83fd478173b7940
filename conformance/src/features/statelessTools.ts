import { fromJsonSchema, inputRequired, type McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod/v4';
import type { FeatureContext } from '../featureContext.js';

/** The 2020-12 schema the json-schema scenario expects to find unchanged in `tools/list`. */
const JSON_SCHEMA_2020_12 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  $defs: {
    address: {
      $anchor: 'addressDef',
      type: 'object',
      properties: { street: { type: 'string' }, city: { type: 'string' } },
    },
  },
  properties: {
    name: { type: 'string' },
    address: { $ref: '#/$defs/address' },
    contactMethod: { type: 'string', enum: ['phone', 'email'] },
    phone: { type: 'string' },
    email: { type: 'string' },
  },
  allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
  if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
  // biome-ignore lint/suspicious/noThenProperty: a JSON Schema keyword, never awaited
  then: { required: ['phone'] },
  else: { required: ['email'] },
  additionalProperties: false,
} as const;

/** A tool whose `region` argument the client mirrors into the `Mcp-Param-Region` header. */
const X_MCP_HEADER_SCHEMA = {
  type: 'object',
  properties: {
    region: { type: 'string', 'x-mcp-header': 'Region', description: 'Deployment region' },
    level: { type: 'integer', description: 'Verbosity level' },
  },
  required: ['region'],
} as const;

const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

/**
 * Registers the diagnostic tools of the 2026-07-28 scenarios: one that needs an undeclared
 * capability (the SDK answers -32021), one that streams no requests, one that logs (nothing may
 * reach a client that set no log level), the list-change triggers, the `x-mcp-header` tool and
 * the JSON Schema 2020-12 tool.
 */
export function registerStatelessTools(server: McpServer, context: FeatureContext): void {
  const none = z.object({});
  server.registerTool(
    'test_missing_capability',
    { description: 'Needs the sampling capability', inputSchema: none },
    async (_args, ctx) => {
      if (ctx.mcpReq.inputResponses?.sample) return text('Sampling answered');
      return inputRequired({
        inputRequests: {
          sample: inputRequired.createMessage({
            messages: [{ role: 'user', content: { type: 'text', text: 'Say hello' } }],
            maxTokens: 10,
          }),
        },
      });
    },
  );
  server.registerTool(
    'test_streaming_elicitation',
    { description: 'Answers on its response stream without sending requests', inputSchema: none },
    async () => text('Streaming elicitation completed without server-to-client requests'),
  );
  server.registerTool(
    'test_logging_tool',
    { description: 'Logs at info; sent only to clients that set a log level', inputSchema: none },
    async (_args, ctx) => {
      await ctx.mcpReq.log('info', 'test_logging_tool ran');
      return text('Logged one message');
    },
  );
  server.registerTool(
    'test_trigger_tool_change',
    { description: 'Announces that the tool list changed', inputSchema: none },
    async () => {
      context.notifyChanged('tools', server);
      return text('Tool list change announced');
    },
  );
  server.registerTool(
    'test_trigger_prompt_change',
    { description: 'Announces that the prompt list changed', inputSchema: none },
    async () => {
      context.notifyChanged('prompts', server);
      return text('Prompt list change announced');
    },
  );
  server.registerTool(
    'test_x_mcp_header',
    {
      description: 'Echoes a region that is mirrored into the Mcp-Param-Region header',
      inputSchema: fromJsonSchema<{ region: string; level?: number }>(X_MCP_HEADER_SCHEMA),
    },
    async ({ region, level }) => text(`region=${region} level=${level ?? 0}`),
  );
  server.registerTool(
    'json_schema_2020_12_tool',
    {
      description: 'Takes a contact described with JSON Schema 2020-12 keywords',
      inputSchema: fromJsonSchema<Record<string, unknown>>(JSON_SCHEMA_2020_12),
    },
    async (args) => text(`Received ${JSON.stringify(args)}`),
  );
}
