import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/loadConfig.js';
import { type RunningGateway, startGateway } from './helpers/gatewayHarness.js';
import { startTestUpstream, type TestUpstream } from './helpers/testUpstream.js';

// A reload changes the gateway's upstream array in place and counts the change; the routers of
// sessions already open, and the stateless face's, see the servers it adds and removes at
// their next request (RFC 0019).
describe('a reload seen by the routers already running', () => {
  const running: { gw?: RunningGateway; upstreams: TestUpstream[] } = { upstreams: [] };
  afterEach(async () => {
    await running.gw?.stop();
    for (const upstream of running.upstreams.splice(0)) await upstream.stop();
  });

  const documentOf = (servers: Record<string, TestUpstream>) => ({
    mcpServers: Object.fromEntries(
      Object.entries(servers).map(([name, upstream]) => [name, { url: upstream.url }]),
    ),
  });
  // As the harness resolves the document it starts with.
  const configOf = (servers: Record<string, TestUpstream>) =>
    resolveConfig(
      { ...documentOf(servers), gateway: { port: 0 }, health_check: { probes: ['ping'] } },
      'test-config',
    );

  /** A tools/call as a 2026-07-28 client sends it (no session: the stateless face's router). */
  const statelessCall = async (url: string, name: string, text: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': name,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: {
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': {},
            'io.modelcontextprotocol/clientInfo': { name: 'stateless-test', version: '1' },
          },
          name,
          arguments: { text },
        },
      }),
    });
    const body = await response.text();
    const last = body.includes('data: ')
      ? /data: (.*)$/m.exec(body.trim().split('\n\n').at(-1)!)![1]!
      : body;
    return JSON.parse(last) as { result?: { content: unknown }; error?: { message: string } };
  };

  it('routes to an added server and no longer to a removed one, in a session and stateless', async () => {
    const [a, b] = [await startTestUpstream(), await startTestUpstream()];
    running.upstreams.push(a, b);
    const gw = await startGateway(documentOf({ a }));
    running.gw = gw;
    const client = await gw.connect();
    const tools = async () => (await client.listTools()).tools.map((t) => t.name).sort();
    expect(await tools()).toEqual(['a__echo', 'a__wait']);
    // The stateless face's router has read the upstreams once too.
    expect((await statelessCall(gw.url, 'a__echo', 'one')).result?.content).toEqual([
      { type: 'text', text: 'one' },
    ]);

    await gw.gateway.reload(configOf({ a, b }));
    expect(await tools()).toEqual(['a__echo', 'a__wait', 'b__echo', 'b__wait']);
    expect(
      (await client.callTool({ name: 'b__echo', arguments: { text: 'two' } })).content,
    ).toEqual([{ type: 'text', text: 'two' }]);
    expect((await statelessCall(gw.url, 'b__echo', 'three')).result?.content).toEqual([
      { type: 'text', text: 'three' },
    ]);

    await gw.gateway.reload(configOf({ b }));
    expect(await tools()).toEqual(['b__echo', 'b__wait']);
    await expect(client.callTool({ name: 'a__echo', arguments: { text: 'x' } })).rejects.toThrow(
      'Tool a__echo not found',
    );
    expect((await statelessCall(gw.url, 'a__echo', 'x')).error?.message).toBe(
      'Tool a__echo not found',
    );
  }, 30_000);
});
