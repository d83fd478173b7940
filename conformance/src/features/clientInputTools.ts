import {
  type InputRequest,
  inputRequired,
  inputResponse,
  type McpServer,
} from '@modelcontextprotocol/server';
import * as z from 'zod/v4';

const elicit = (params: Record<string, unknown>): InputRequest =>
  ({ method: 'elicitation/create', params: { mode: 'form', ...params } }) as InputRequest;

/** The SEP-1034 schema: a default for every primitive type. */
const DEFAULTS_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string', default: 'John Doe' },
    age: { type: 'integer', default: 30 },
    score: { type: 'number', default: 95.5 },
    status: { type: 'string', enum: ['active', 'inactive', 'pending'], default: 'active' },
    verified: { type: 'boolean', default: true },
  },
};

/** The SEP-1330 schema: the five enum shapes. */
const ENUMS_SCHEMA = {
  type: 'object',
  properties: {
    untitledSingle: { type: 'string', enum: ['option1', 'option2', 'option3'] },
    titledSingle: {
      type: 'string',
      oneOf: [
        { const: 'value1', title: 'First Option' },
        { const: 'value2', title: 'Second Option' },
        { const: 'value3', title: 'Third Option' },
      ],
    },
    legacyEnum: {
      type: 'string',
      enum: ['opt1', 'opt2', 'opt3'],
      enumNames: ['Option One', 'Option Two', 'Option Three'],
    },
    untitledMulti: {
      type: 'array',
      items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
    },
    titledMulti: {
      type: 'array',
      items: {
        anyOf: [
          { const: 'value1', title: 'First Choice' },
          { const: 'value2', title: 'Second Choice' },
          { const: 'value3', title: 'Third Choice' },
        ],
      },
    },
  },
};

const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

/**
 * Registers the tools that ask the client for input: sampling, elicitation and the SEP-1034 and
 * SEP-1330 elicitation schemas. Each returns an `input_required` result; on a 2025-11-25
 * connection the SDK turns it into real `sampling/createMessage` / `elicitation/create`
 * requests and calls the tool again with the answers, on 2026-07-28 the client retries.
 */
export function registerClientInputTools(server: McpServer): void {
  server.registerTool(
    'test_sampling',
    {
      description: 'Asks the client to sample a completion of the prompt',
      inputSchema: z.object({ prompt: z.string() }),
    },
    async ({ prompt }, ctx) => {
      const answer = inputResponse(ctx.mcpReq.inputResponses, 'sample');
      if (answer.kind !== 'sampling') {
        return inputRequired({
          inputRequests: {
            sample: inputRequired.createMessage({
              messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
              maxTokens: 100,
            }),
          },
        });
      }
      const content = answer.result.content;
      const sampled = !Array.isArray(content) && content.type === 'text' ? content.text : '';
      return text(`LLM response: ${sampled}`);
    },
  );

  const elicitTool = (
    name: string,
    description: string,
    params: (args: Record<string, unknown>) => Record<string, unknown>,
    report: (action: string, content: unknown) => string,
    inputSchema: z.ZodObject = z.object({}),
  ) =>
    server.registerTool(name, { description, inputSchema }, async (args, ctx) => {
      const answer = inputResponse(ctx.mcpReq.inputResponses, 'answer');
      if (answer.kind !== 'elicit') {
        return inputRequired({ inputRequests: { answer: elicit(params(args)) } });
      }
      return text(report(answer.action, answer.content ?? {}));
    });

  elicitTool(
    'test_elicitation',
    'Asks the user for a username and an email address',
    (args) => ({
      message: String(args.message),
      requestedSchema: {
        type: 'object',
        properties: {
          username: { type: 'string', description: "User's response" },
          email: { type: 'string', description: "User's email address" },
        },
        required: ['username', 'email'],
      },
    }),
    (action, content) => `User response: action=${action}, content=${JSON.stringify(content)}`,
    z.object({ message: z.string() }),
  );
  const completed = (action: string, content: unknown) =>
    `Elicitation completed: action=${action}, content=${JSON.stringify(content)}`;
  elicitTool(
    'test_elicitation_sep1034_defaults',
    'Asks for input with a default value for every primitive type (SEP-1034)',
    () => ({
      message: 'Please review and update the form fields',
      requestedSchema: DEFAULTS_SCHEMA,
    }),
    completed,
  );
  elicitTool(
    'test_elicitation_sep1330_enums',
    'Asks for input with the five enum schema shapes (SEP-1330)',
    () => ({
      message: 'Please select options from the enum fields',
      requestedSchema: ENUMS_SCHEMA,
    }),
    completed,
  );
}
