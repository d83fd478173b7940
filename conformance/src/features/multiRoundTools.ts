import {
  acceptedContent,
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  type InputRequests,
  inputRequired,
  inputResponse,
  type McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server';
import * as z from 'zod/v4';
import type { FeatureContext } from '../featureContext.js';

const askName = (message: string) =>
  inputRequired.elicit({
    message,
    requestedSchema: {
      type: 'object',
      properties: { name: { type: 'string' } },
      required: ['name'],
    },
  });

const sample = (prompt: string, maxTokens: number) =>
  inputRequired.createMessage({
    messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
    maxTokens,
  });

const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });
const NameSchema = z.object({ name: z.string() });

function sampledText(ctx: ServerContext, key: string): string | undefined {
  const answer = inputResponse(ctx.mcpReq.inputResponses, key);
  if (answer.kind !== 'sampling') return undefined;
  const content = answer.result.content;
  return !Array.isArray(content) && content.type === 'text' ? content.text : '';
}

/** The capabilities the client declared: per request on 2026-07-28, at `initialize` before. */
function clientCapabilities(server: McpServer, ctx: ServerContext): ClientCapabilities {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const declared = envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
  return declared ?? server.server.getClientCapabilities() ?? {};
}

/**
 * Registers the multi-round-trip (SEP-2322) tools: one input each (elicitation, sampling,
 * roots), sealed `requestState`, several inputs at once, two rounds, tamper rejection (the
 * codec's `verify` runs before the handler) and inputs limited to the declared capabilities.
 * An answer that is missing or malformed gets a new `input_required`, never an error.
 */
export function registerMultiRoundTools(server: McpServer, context: FeatureContext): void {
  const noArgs = (name: string, description: string) => ({
    name,
    config: { description, inputSchema: z.object({}) },
  });
  const tool = (
    { name, config }: ReturnType<typeof noArgs>,
    handler: (
      ctx: ServerContext,
    ) => Promise<ReturnType<typeof text> | ReturnType<typeof inputRequired>>,
  ) => server.registerTool(name, config, (_args, ctx) => handler(ctx));
  const seal = (payload: Record<string, unknown>) => context.stateCodec.mint(payload);
  const state = (ctx: ServerContext) => ctx.mcpReq.requestState<Record<string, unknown>>();

  tool(
    noArgs('test_input_required_result_elicitation', 'Asks for a name, then greets'),
    async (ctx) => {
      const answer = acceptedContent(ctx.mcpReq.inputResponses, 'user_name', NameSchema);
      if (!answer)
        return inputRequired({ inputRequests: { user_name: askName('What is your name?') } });
      return text(`Hello, ${answer.name}!`);
    },
  );

  tool(
    noArgs('test_input_required_result_sampling', 'Asks the client to sample an answer'),
    async (ctx) => {
      const sampled = sampledText(ctx, 'capital_question');
      if (sampled === undefined) {
        return inputRequired({
          inputRequests: { capital_question: sample('What is the capital of France?', 100) },
        });
      }
      return text(`Sampling response: ${sampled}`);
    },
  );

  tool(
    noArgs('test_input_required_result_list_roots', "Asks for the client's roots"),
    async (ctx) => {
      const answer = inputResponse(ctx.mcpReq.inputResponses, 'client_roots');
      if (answer.kind !== 'roots') {
        return inputRequired({ inputRequests: { client_roots: inputRequired.listRoots() } });
      }
      return text(`Client roots: ${answer.roots.map((root) => root.uri).join(', ') || '(none)'}`);
    },
  );

  const confirm = () =>
    inputRequired.elicit({
      message: 'Please confirm',
      requestedSchema: {
        type: 'object',
        properties: { ok: { type: 'boolean' } },
        required: ['ok'],
      },
    });
  const confirmed = (ctx: ServerContext) =>
    acceptedContent(ctx.mcpReq.inputResponses, 'confirm', z.object({ ok: z.boolean() }));

  tool(
    noArgs('test_input_required_result_request_state', 'Round-trips a sealed requestState'),
    async (ctx) => {
      const name = 'request_state';
      if (state(ctx)?.tool === name && confirmed(ctx)?.ok === true) {
        return text('state-ok: requestState verified and confirmation received');
      }
      return inputRequired({
        inputRequests: { confirm: confirm() },
        requestState: await seal({ tool: name }),
      });
    },
  );

  tool(
    noArgs('test_input_required_result_tampered_state', 'Rejects a tampered requestState'),
    async (ctx) => {
      const name = 'tampered_state';
      if (state(ctx)?.tool === name && confirmed(ctx) !== undefined) {
        return text('integrity-ok: requestState verified');
      }
      return inputRequired({
        inputRequests: { confirm: confirm() },
        requestState: await seal({ tool: name }),
      });
    },
  );

  tool(
    noArgs('test_input_required_result_multiple_inputs', 'Asks for three inputs at once'),
    async (ctx) => {
      const name = acceptedContent(ctx.mcpReq.inputResponses, 'user_name', NameSchema)?.name;
      const greeting = sampledText(ctx, 'greeting');
      const roots = inputResponse(ctx.mcpReq.inputResponses, 'client_roots');
      if (
        state(ctx)?.tool === 'multiple_inputs' &&
        name &&
        greeting !== undefined &&
        roots.kind === 'roots'
      ) {
        return text(
          `All inputs received: name=${name}, greeting=${greeting}, roots=${roots.roots.length}`,
        );
      }
      return inputRequired({
        inputRequests: {
          user_name: askName('What is your name?'),
          greeting: sample('Generate a greeting', 50),
          client_roots: inputRequired.listRoots(),
        },
        requestState: await seal({ tool: 'multiple_inputs' }),
      });
    },
  );

  tool(
    noArgs('test_input_required_result_multi_round', 'Asks two questions in two rounds'),
    async (ctx) => {
      const previous = state(ctx);
      if (previous?.tool === 'multi_round' && previous.round === 2) {
        const color = acceptedContent(
          ctx.mcpReq.inputResponses,
          'step2',
          z.object({ color: z.string() }),
        );
        if (color)
          return text(`Hello ${String(previous.name)}, your favorite color is ${color.color}`);
      }
      const name = acceptedContent(ctx.mcpReq.inputResponses, 'step1', NameSchema)?.name;
      if (previous?.tool === 'multi_round' && previous.round === 1 && name) {
        return inputRequired({
          inputRequests: {
            step2: inputRequired.elicit({
              message: 'Step 2: What is your favorite color?',
              requestedSchema: {
                type: 'object',
                properties: { color: { type: 'string' } },
                required: ['color'],
              },
            }),
          },
          requestState: await seal({ tool: 'multi_round', round: 2, name }),
        });
      }
      return inputRequired({
        inputRequests: { step1: askName('Step 1: What is your name?') },
        requestState: await seal({ tool: 'multi_round', round: 1 }),
      });
    },
  );

  tool(
    noArgs('test_input_required_result_capabilities', 'Asks only for inputs the client can give'),
    async (ctx) => {
      if (ctx.mcpReq.inputResponses && Object.keys(ctx.mcpReq.inputResponses).length > 0) {
        return text(`Inputs received: ${Object.keys(ctx.mcpReq.inputResponses).sort().join(', ')}`);
      }
      const capabilities = clientCapabilities(server, ctx);
      const inputRequests: InputRequests = {};
      if (capabilities.elicitation) inputRequests.user_name = askName('What is your name?');
      if (capabilities.sampling) inputRequests.greeting = sample('Generate a greeting', 50);
      if (capabilities.roots) inputRequests.client_roots = inputRequired.listRoots();
      if (Object.keys(inputRequests).length === 0)
        return text('The client declared no input capability');
      return inputRequired({ inputRequests });
    },
  );
}
