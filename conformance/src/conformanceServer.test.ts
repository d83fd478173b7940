import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LATEST_PROTOCOL_VERSION,
} from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { TEXT } from './fixtures.js';
import { startConformanceHttpServer } from './httpServer.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A 1.32.2 client (2025-11-25) that answers elicitation and sampling requests. */
function newClient() {
  const client = new Client(
    { name: 'conformance-test', version: '1.0.0' },
    { capabilities: { elicitation: {}, sampling: {} } },
  );
  const elicitations: unknown[] = [];
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    elicitations.push(request.params);
    return { action: 'accept', content: { username: 'ada', email: 'ada@example.com' } };
  });
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({
    role: 'assistant',
    model: 'test-model',
    content: { type: 'text', text: 'Paris' },
  }));
  cleanups.push(() => client.close());
  return { client, elicitations };
}

async function connectHttp() {
  const server = await startConformanceHttpServer();
  cleanups.push(server.close);
  const { client, elicitations } = newClient();
  const transport = new StreamableHTTPClientTransport(new URL(server.url));
  await client.connect(transport);
  return { server, client, transport, elicitations };
}

const textOf = (result: Record<string, unknown>) =>
  (result.content as { type: string; text?: string }[]).map((c) => c.text ?? c.type).join('|');

/** Checks a few tools, a resource and a prompt exactly as the conformance scenarios do. */
async function checkFixtures(client: Client) {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  expect(names).toContain('test_simple_text');
  expect(names).toContain('test_input_required_result_elicitation');
  expect((await client.listTools()).tools.map((t) => t.name)).toEqual(names);
  expect(textOf(await client.callTool({ name: 'test_simple_text', arguments: {} }))).toBe(
    TEXT.simple,
  );
  const error = await client.callTool({ name: 'test_error_handling', arguments: {} });
  expect(error.isError).toBe(true);
  expect(textOf(error)).toBe(TEXT.error);
  const read = await client.readResource({ uri: 'test://template/123/data' });
  expect(JSON.parse((read.contents[0] as { text: string }).text)).toEqual({
    id: '123',
    templateTest: true,
    data: 'Data for ID: 123',
  });
  const prompt = await client.getPrompt({
    name: 'test_prompt_with_arguments',
    arguments: { arg1: 'hello', arg2: 'world' },
  });
  expect(prompt.messages[0]?.content).toEqual({
    type: 'text',
    text: "Prompt with arguments: arg1='hello', arg2='world'",
  });
}

describe('the conformance server over Streamable HTTP', () => {
  it('serves a 2025-11-25 client in a session: tools, a template resource, a prompt', async () => {
    const { client, transport } = await connectHttp();
    expect(transport.sessionId).toBeDefined();
    expect(LATEST_PROTOCOL_VERSION).toBe('2025-11-25');
    await checkFixtures(client);
  });

  it('sends a real elicitation/create to a 2025-11-25 client (the session path, not the stateless fallback)', async () => {
    const { client, elicitations } = await connectHttp();
    const result = await client.callTool({
      name: 'test_elicitation',
      arguments: { message: 'Who?' },
    });
    expect(elicitations).toEqual([
      expect.objectContaining({
        message: 'Who?',
        requestedSchema: expect.objectContaining({ required: ['username', 'email'] }),
      }),
    ]);
    expect(textOf(result)).toBe(
      'User response: action=accept, content={"username":"ada","email":"ada@example.com"}',
    );
  });

  it('reports progress 0, 50, 100 of 100 for a progress token', async () => {
    const { client } = await connectHttp();
    const progress: number[] = [];
    await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(progress).toEqual([0, 50, 100]);
  });

  it('answers a 2026-07-28 request on the same endpoint statelessly, without a session', async () => {
    const { server } = await connectHttp();
    const response = await fetch(server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'test_simple_text',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: {
          name: 'test_simple_text',
          arguments: {},
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toBeNull();
    const raw = await response.text();
    const body = JSON.parse(raw.startsWith('{') ? raw : (/^data: (.*)$/m.exec(raw)?.[1] ?? raw));
    expect(body.result).toMatchObject({
      resultType: 'complete',
      content: [{ type: 'text', text: TEXT.simple }],
    });
  });
});

describe('the conformance server over stdio (node dist/main.js --stdio)', () => {
  const entry = fileURLToPath(new URL('../dist/main.js', import.meta.url));

  it('serves a 2025-11-25 client and asks it for a sampled answer', async () => {
    const { client } = newClient();
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [entry, '--stdio'],
        stderr: 'pipe',
      }),
    );
    await checkFixtures(client);
    const sampled = await client.callTool({
      name: 'test_sampling',
      arguments: { prompt: 'Capital?' },
    });
    expect(textOf(sampled)).toBe('LLM response: Paris');
  });
});
