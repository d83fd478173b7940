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

/** What a tool's handler needs besides its request: the server, and the state codec's seal. */
interface RoundHost {
  server: McpServer;
  /** Seals a `requestState` (see FeatureContext.stateCodec). */
  seal(payload: Record<string, unknown>): Promise<string>;
}

type ToolResult = ReturnType<typeof text> | ReturnType<typeof inputRequired>;

/** One multi-round tool: no arguments; its handler reads the request's inputs and state. */
interface RoundTool {
  name: string;
  description: string;
  handler(ctx: ServerContext, host: RoundHost): Promise<ToolResult>;
}

/** The request's verified `requestState`, if it carried one. */
const stateOf = (ctx: ServerContext) => ctx.mcpReq.requestState<Record<string, unknown>>();

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

/** Asks for a name (elicitation), then greets. */
async function elicitation(ctx: ServerContext): Promise<ToolResult> {
  const answer = acceptedContent(ctx.mcpReq.inputResponses, 'user_name', NameSchema);
  if (!answer)
    return inputRequired({ inputRequests: { user_name: askName('What is your name?') } });
  return text(`Hello, ${answer.name}!`);
}

/** Asks the client to sample an answer. */
async function sampling(ctx: ServerContext): Promise<ToolResult> {
  const sampled = sampledText(ctx, 'capital_question');
  if (sampled === undefined) {
    return inputRequired({
      inputRequests: { capital_question: sample('What is the capital of France?', 100) },
    });
  }
  return text(`Sampling response: ${sampled}`);
}

/** Asks for the client's roots. */
async function listRoots(ctx: ServerContext): Promise<ToolResult> {
  const answer = inputResponse(ctx.mcpReq.inputResponses, 'client_roots');
  if (answer.kind !== 'roots') {
    return inputRequired({ inputRequests: { client_roots: inputRequired.listRoots() } });
  }
  return text(`Client roots: ${answer.roots.map((root) => root.uri).join(', ') || '(none)'}`);
}

/** Round-trips a sealed `requestState` with a confirmation. */
async function requestState(ctx: ServerContext, host: RoundHost): Promise<ToolResult> {
  const name = 'request_state';
  if (stateOf(ctx)?.tool === name && confirmed(ctx)?.ok === true) {
    return text('state-ok: requestState verified and confirmation received');
  }
  return inputRequired({
    inputRequests: { confirm: confirm() },
    requestState: await host.seal({ tool: name }),
  });
}

/** Answers only a retry whose sealed state verified (a tampered one never reaches here). */
async function tamperedState(ctx: ServerContext, host: RoundHost): Promise<ToolResult> {
  const name = 'tampered_state';
  if (stateOf(ctx)?.tool === name && confirmed(ctx) !== undefined) {
    return text('integrity-ok: requestState verified');
  }
  return inputRequired({
    inputRequests: { confirm: confirm() },
    requestState: await host.seal({ tool: name }),
  });
}

/** Asks for three inputs at once: a name, a sampled greeting and the roots. */
async function multipleInputs(ctx: ServerContext, host: RoundHost): Promise<ToolResult> {
  const name = acceptedContent(ctx.mcpReq.inputResponses, 'user_name', NameSchema)?.name;
  const greeting = sampledText(ctx, 'greeting');
  const roots = inputResponse(ctx.mcpReq.inputResponses, 'client_roots');
  if (
    stateOf(ctx)?.tool === 'multiple_inputs' &&
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
    requestState: await host.seal({ tool: 'multiple_inputs' }),
  });
}

/** Asks two questions in two rounds, the first answer carried in the sealed state. */
async function multiRound(ctx: ServerContext, host: RoundHost): Promise<ToolResult> {
  const previous = stateOf(ctx);
  if (previous?.tool === 'multi_round' && previous.round === 2) {
    const color = acceptedContent(
      ctx.mcpReq.inputResponses,
      'step2',
      z.object({ color: z.string() }),
    );
    if (color) return text(`Hello ${String(previous.name)}, your favorite color is ${color.color}`);
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
      requestState: await host.seal({ tool: 'multi_round', round: 2, name }),
    });
  }
  return inputRequired({
    inputRequests: { step1: askName('Step 1: What is your name?') },
    requestState: await host.seal({ tool: 'multi_round', round: 1 }),
  });
}

/** Asks only for the inputs the client declared it can give. */
async function capabilities(ctx: ServerContext, host: RoundHost): Promise<ToolResult> {
  if (ctx.mcpReq.inputResponses && Object.keys(ctx.mcpReq.inputResponses).length > 0) {
    return text(`Inputs received: ${Object.keys(ctx.mcpReq.inputResponses).sort().join(', ')}`);
  }
  const declared = clientCapabilities(host.server, ctx);
  const inputRequests: InputRequests = {};
  if (declared.elicitation) inputRequests.user_name = askName('What is your name?');
  if (declared.sampling) inputRequests.greeting = sample('Generate a greeting', 50);
  if (declared.roots) inputRequests.client_roots = inputRequired.listRoots();
  if (Object.keys(inputRequests).length === 0)
    return text('The client declared no input capability');
  return inputRequired({ inputRequests });
}

/** The tools, in the order they are listed. */
const MULTI_ROUND_TOOLS: readonly RoundTool[] = [
  {
    name: 'test_input_required_result_elicitation',
    description: 'Asks for a name, then greets',
    handler: elicitation,
  },
  {
    name: 'test_input_required_result_sampling',
    description: 'Asks the client to sample an answer',
    handler: sampling,
  },
  {
    name: 'test_input_required_result_list_roots',
    description: "Asks for the client's roots",
    handler: listRoots,
  },
  {
    name: 'test_input_required_result_request_state',
    description: 'Round-trips a sealed requestState',
    handler: requestState,
  },
  {
    name: 'test_input_required_result_tampered_state',
    description: 'Rejects a tampered requestState',
    handler: tamperedState,
  },
  {
    name: 'test_input_required_result_multiple_inputs',
    description: 'Asks for three inputs at once',
    handler: multipleInputs,
  },
  {
    name: 'test_input_required_result_multi_round',
    description: 'Asks two questions in two rounds',
    handler: multiRound,
  },
  {
    name: 'test_input_required_result_capabilities',
    description: 'Asks only for inputs the client can give',
    handler: capabilities,
  },
];

/**
 * Registers the multi-round-trip (SEP-2322) tools: one input each (elicitation, sampling,
 * roots), sealed `requestState`, several inputs at once, two rounds, tamper rejection (the
 * codec's `verify` runs before the handler) and inputs limited to the declared capabilities.
 * An answer that is missing or malformed gets a new `input_required`, never an error.
 */
export function registerMultiRoundTools(server: McpServer, context: FeatureContext): void {
  const host: RoundHost = { server, seal: (payload) => context.stateCodec.mint(payload) };
  for (const { name, description, handler } of MULTI_ROUND_TOOLS)
    server.registerTool(name, { description, inputSchema: z.object({}) }, (_args, ctx) =>
      handler(ctx, host),
    );
}
