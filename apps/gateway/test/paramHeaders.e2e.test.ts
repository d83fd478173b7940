import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from './helpers/gatewayHarness.js';
import { type MarkedUpstream, startMarkedUpstream } from './helpers/markedUpstream.js';

const VERSION = '2026-07-28';
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': VERSION,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'param-headers-test', version: '1.0.0' },
};

interface Answer {
  status: number;
  body: { result?: Record<string, unknown>; error?: { code: number; message: string } };
}

let nextId = 1;

// Headers from tool parameters (x-mcp-header, RFC 0013) on both sides of the gateway: in front of
// an SDK 2.x server that speaks only 2026-07-28 and checks the Mcp-Param headers it gets.
describe('Mcp-Param headers from x-mcp-header (MCP 2026-07-28 over HTTP)', () => {
  let gw: RunningGateway;
  let upstream: MarkedUpstream;
  const warnings: string[] = [];

  /** POSTs one request as a 2026-07-28 client does, with `headers` added. */
  const post = async (
    method: string,
    params: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': VERSION,
        'mcp-method': method,
        ...(typeof params.name === 'string' && { 'mcp-name': params.name }),
        ...headers,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: nextId++,
        method,
        params: { _meta: ENVELOPE, ...params },
      }),
    });
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  };
  const textOf = (answer: Answer) =>
    (answer.body.result?.content as { text: string }[] | undefined)?.[0]?.text;
  const listTools = async () =>
    (await post('tools/list')).body.result?.tools as { name: string; inputSchema: unknown }[];

  beforeAll(async () => {
    upstream = await startMarkedUpstream();
    // Not pinned: a pinned tool whose definition changes is held until approved (RFC 0017),
    // and the last test watches the changed definition reach the list.
    const m = { url: upstream.url, trust: { pin_tools: false } };
    gw = await startGateway({ mcpServers: { m } }, [], {
      beforeStart: (gateway) => {
        gateway.on('warning', (message) => warnings.push(message));
      },
    });
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    await upstream?.stop();
  });

  it('lists the valid tools and leaves out one whose x-mcp-header marks a number, with a warning naming server, tool and reason', async () => {
    const names = (await listTools()).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['m__lookup', 'm__deploy']));
    expect(names).not.toContain('m__broken');
    expect(warnings).toContainEqual(
      expect.stringMatching(
        /^tool "broken" of server "m" is left out of tools\/list: .*x-mcp-header at \/properties\/ratio: the property's type must be string, integer or boolean, got "number"/,
      ),
    );
  });

  it('refuses a call by name of the tool it left out, naming why, without sending it upstream', async () => {
    const before = upstream.calls.length;
    const answer = await post('tools/call', { name: 'm__broken', arguments: { ratio: 0.5 } });
    expect(JSON.stringify(answer.body)).toMatch(
      /Tool m__broken not found: it is left out of the list, its x-mcp-header marks being invalid/,
    );
    expect(upstream.calls.length).toBe(before);
  });

  it('mirrors a call’s marked arguments upstream, encoded (the SDK server checks them)', async () => {
    const answer = await post(
      'tools/call',
      { name: 'm__lookup', arguments: { region: 'Hello, 世界', priority: 42, note: 'n' } },
      { 'mcp-param-region': '=?base64?SGVsbG8sIOS4lueVjA==?=', 'mcp-param-priority': '42' },
    );
    expect(answer.status).toBe(200);
    expect(textOf(answer)).toBe('region=Hello, 世界 priority=42');
    expect(upstream.calls.at(-1)).toMatchObject({
      'mcp-name': 'lookup',
      'mcp-param-region': '=?base64?SGVsbG8sIOS4lueVjA==?=',
      'mcp-param-priority': '42',
    });
  });

  it('serves an SDK 2.x client speaking 2026-07-28: it sends its own Mcp-Param headers and the gateway accepts them', async () => {
    const client = new Client(
      { name: 'sdk-2x', version: '1.0.0' },
      { versionNegotiation: { mode: 'auto' } },
    );
    await client.connect(new StreamableHTTPClientTransport(new URL(gw.url)));
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('m__lookup');
      const result = await client.callTool({
        name: 'm__lookup',
        arguments: { region: 'ap-south-1', priority: 3 },
      });
      expect(result.content).toEqual([{ type: 'text', text: 'region=ap-south-1 priority=3' }]);
      expect(upstream.calls.at(-1)).toMatchObject({
        'mcp-param-region': 'ap-south-1',
        'mcp-param-priority': '3',
      });
    } finally {
      await client.close();
    }
  });

  it('accepts an integer header spelled another way, and ignores Mcp-Param headers no tool declares', async () => {
    const answer = await post(
      'tools/call',
      { name: 'm__lookup', arguments: { priority: 7 } },
      { 'mcp-param-priority': '7.0', 'mcp-param-unknown': 'anything' },
    );
    expect(answer.status).toBe(200);
    expect(textOf(answer)).toBe('region=undefined priority=7');
    expect(upstream.calls.at(-1)?.['mcp-param-priority']).toBe('7');
  });

  it.each([
    [
      'a header missing while the body has the value',
      { region: 'eu-west1' },
      {},
      'Header mismatch: Mcp-Param-Region is missing but the body\'s arguments.region is "eu-west1"',
    ],
    [
      'a header that says something else',
      { region: 'eu-west1' },
      { 'mcp-param-region': 'us-west1' },
      'Header mismatch: Mcp-Param-Region is "us-west1" but the body\'s arguments.region is "eu-west1"',
    ],
    [
      'an integer that differs',
      { priority: 42 },
      { 'mcp-param-priority': '43' },
      'Header mismatch: Mcp-Param-Priority is "43" but the body\'s arguments.priority is 42',
    ],
    [
      'Base64 without its padding',
      { region: 'Hello' },
      { 'mcp-param-region': '=?base64?SGVsbG8?=' },
      'Header mismatch: Mcp-Param-Region has malformed Base64 in "=?base64?SGVsbG8?="',
    ],
  ])(
    'refuses %s: HTTP 400, -32020, naming the header and both values; the server is not called',
    async (_what, args, headers, message) => {
      const before = upstream.calls.length;
      const answer = await post('tools/call', { name: 'm__lookup', arguments: args }, headers);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toEqual({ code: -32020, message });
      expect(upstream.calls.length).toBe(before);
    },
  );

  it('after the server’s HeaderMismatch, lists its tools again and retries with the new header; its own list follows', async () => {
    await listTools();
    upstream.markZone();
    const before = upstream.calls.length;
    // The gateway's list says nothing of the mark yet, so the client sends no header either.
    const answer = await post('tools/call', { name: 'm__deploy', arguments: { zone: 'eu' } });
    expect(answer.status).toBe(200);
    expect(textOf(answer)).toBe('deployed to eu');
    const sent = upstream.calls.slice(before);
    expect(sent.map((headers) => headers['mcp-param-zone'])).toEqual([undefined, 'eu']);
    // The server declares listChanged and said nothing: the gateway's list follows anyway.
    await expect
      .poll(async () => JSON.stringify((await listTools()).find((t) => t.name === 'm__deploy')))
      .toContain('"x-mcp-header":"Zone"');
    const refused = await post('tools/call', { name: 'm__deploy', arguments: { zone: 'eu' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error?.message).toBe(
      'Header mismatch: Mcp-Param-Zone is missing but the body\'s arguments.zone is "eu"',
    );
  });
});
