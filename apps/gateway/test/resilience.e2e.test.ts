import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { validate } from '@selfheal/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { nextNotification, type RunningGateway, startGateway } from './helpers/gatewayHarness.js';
import { startTestUpstream, type TestUpstream } from './helpers/testUpstream.js';
import { everythingStdio } from './helpers/upstreams.js';

const CRASHING = fileURLToPath(new URL('./helpers/crashingServer.mjs', import.meta.url));
const text = (result: unknown) =>
  (result as { content: { text: string }[] }).content.map((c) => c.text).join('');

describe('cancellation, list_changed and servers that are down', () => {
  let upstream: TestUpstream;
  let gw: RunningGateway;
  let client: Client;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    gw = await startGateway({
      mcpServers: {
        // Checked often, so that the monitor sees it go down at the first failed ping.
        t: {
          url: upstream.url,
          health_check: {
            interval_seconds: 0.2,
            unhealthy_interval_seconds: 0.1,
            failure_threshold: 1,
            startup_grace_seconds: 0,
          },
        },
        ev: everythingStdio(),
        broken: {
          command: process.execPath,
          args: ['-e', 'console.error("boom"); process.exit(3)'],
        },
        // A session of the client's own: a new process on the next call (RFC 0010).
        crashy: { command: process.execPath, args: [CRASHING], session: 'per_client' },
      },
      recovery: { max_attempts: 0 },
    });
    client = await gw.connect();
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    await upstream?.stop();
  });

  it('forwards a cancelled call upstream as notifications/cancelled with the reason', async () => {
    const controller = new AbortController();
    const call = client.callTool({ name: 't__wait', arguments: {} }, undefined, {
      signal: controller.signal,
    });
    await expect.poll(() => upstream.waiting).toBe(1);
    controller.abort('user gave up');
    await expect(call).rejects.toThrow();
    await expect.poll(() => upstream.cancellations).toEqual(['user gave up']);
    // The same cancellation made directly reaches the upstream the same way.
    const direct = new Client({ name: 'direct', version: '1' });
    await direct.connect(new StreamableHTTPClientTransport(new URL(upstream.url)) as Transport);
    const directController = new AbortController();
    const directCall = direct.callTool({ name: 'wait', arguments: {} }, undefined, {
      signal: directController.signal,
    });
    await expect.poll(() => upstream.waiting).toBe(1);
    directController.abort('user gave up');
    await expect(directCall).rejects.toThrow();
    await expect.poll(() => upstream.cancellations).toEqual(['user gave up', 'user gave up']);
    await direct.close();
  });

  it('propagates an upstream tools/list_changed and lists the new tool', async () => {
    const changed = nextNotification(client, 'notifications/tools/list_changed');
    await upstream.addTool('fresh');
    await changed;
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('t__fresh');
  });

  it('keeps serving the other servers while one failed to start, and says why calls fail', async () => {
    const broken = gw.gateway.upstreams.find((u) => u.spec.name === 'broken')!;
    expect(broken.state.status).toBe('down');
    expect(text(await client.callTool({ name: 'ev__echo', arguments: { message: 'ok' } }))).toBe(
      'Echo: ok',
    );
    const result = await client.callTool({ name: 'broken__anything', arguments: {} });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(
      /server "broken" \(stdio: .*\) is down since \d{4}-\d\d-\d\dT.*Z \(.*\); recovery stopped after 0 attempts; it waits for an operator/,
    );
  });

  it('answers a call whose stdio process dies with a clear error, and respawns it on the next call', async () => {
    const first = text(await client.callTool({ name: 'crashy__pid', arguments: {} }));
    const crashed = await client.callTool({ name: 'crashy__crash', arguments: {} });
    expect(crashed.isError).toBe(true);
    expect(text(crashed)).toMatch(/server "crashy" \(stdio: .*crashingServer\.mjs\)/);
    const second = text(await client.callTool({ name: 'crashy__pid', arguments: {} }));
    expect(second).toMatch(/^\d+$/);
    expect(second).not.toBe(first);
    expect(text(await client.callTool({ name: 'ev__echo', arguments: { message: 'still' } }))).toBe(
      'Echo: still',
    );
  });

  it('keeps a server’s tools listed from its last known catalog after it goes down', async () => {
    const before = (await client.listTools()).tools.map((t) => t.name);
    expect(before).toContain('t__echo');
    expect(text(await client.callTool({ name: 't__echo', arguments: { text: 'x' } }))).toBe('x');
    const streamUrl = gw.url.replace('http:', 'ws:').replace('/mcp', '/health/stream');
    const ws = new WebSocket(`${streamUrl}?server=t&type=server_down`);
    const messages: Record<string, unknown>[] = [];
    const downEvent = new Promise<Record<string, unknown>>((resolve) =>
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as Record<string, unknown>;
        messages.push(message);
        if (message.event_type === 'server_down') resolve(message);
      }),
    );
    await new Promise((resolve) => ws.once('open', resolve));
    await upstream.stop();
    // The monitor's next ping fails: the server is down, and calls say so.
    await downEvent;
    const result = await client.callTool({ name: 't__echo', arguments: { text: 'y' } });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(
      /server "t" \(streamable-http: http:\/\/127\.0\.0\.1:\d+\/mcp\) is down since/,
    );
    const after = await client.listTools();
    const echo = after.tools.find((t) => t.name === 't__echo');
    expect(echo?._meta?.['selfheal/unavailable']).toMatch(/server "t"/);
    expect(after.tools.map((t) => t.name)).toEqual(before);
    const health = await (await fetch(gw.url.replace('/mcp', '/health'))).json();
    expect(health).toMatchObject({ status: 'degraded', checks: { upstreams: 'degraded' } });
    // The stream: a snapshot first, then the server_down of "t" and nothing filtered out.
    expect(await downEvent).toMatchObject({ server: 't', server_name: 't' });
    expect(messages[0]).toMatchObject({
      event_type: 'snapshot',
      ecosystem: { status: 'degraded' },
    });
    expect(messages.slice(1).every((m) => m.event_type === 'server_down' && m.server === 't')).toBe(
      true,
    );
    ws.terminate();
    // The W3 roll-up, projected from the same events.
    const ecosystem = (await (await fetch(gw.url.replace('/mcp', '/health/ecosystem'))).json()) as {
      details: { name?: string; server_name?: string }[];
    };
    expect(validate('ecosystem-health', ecosystem).issues).toEqual([]);
    expect(ecosystem).toMatchObject({ status: 'degraded', servers: { total: 4, down: 2 } });
    const t = ecosystem.details.find(
      (d: { name?: string; server_name?: string }) => (d.name ?? d.server_name) === 't',
    );
    expect(t).toMatchObject({ status: 'down' });
  });
});
