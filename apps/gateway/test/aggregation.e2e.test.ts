import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError, GatewayErrorCode } from '../src/errors.js';
import { type RunningGateway, startGateway } from './helpers/gatewayHarness.js';
import { everythingStdio, type HttpUpstream, startEverythingHttp } from './helpers/upstreams.js';

const CRASHING = fileURLToPath(new URL('./helpers/crashingServer.mjs', import.meta.url));
const text = (result: unknown) =>
  (result as { content: { text: string }[] }).content.map((c) => c.text).join('');

describe('the same tool on three upstreams (stdio, Streamable HTTP, legacy SSE)', () => {
  let http: HttpUpstream;
  let sse: HttpUpstream;
  let gw: RunningGateway;
  const events: { event_type: string; server_name?: unknown; kind?: unknown }[] = [];

  beforeAll(async () => {
    [http, sse] = await Promise.all([
      startEverythingHttp('streamableHttp'),
      startEverythingHttp('sse'),
    ]);
    gw = await startGateway(
      {
        mcpServers: {
          local: everythingStdio(),
          remote: { url: http.url, prefix: 'web', tools: { allow: ['echo', 'get-*'] } },
          legacy: { type: 'sse', url: sse.url, tools: { deny: ['*'] } },
        },
        gateway: { separator: '.' },
      },
      [],
      { beforeStart: (gateway) => void gateway.bus.events$.subscribe((e) => events.push(e)) },
    );
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    await Promise.all([http?.stop(), sse?.stop()]);
  });

  it('reaches each under its own prefix', async () => {
    const client = await gw.connect();
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('local.echo');
    expect(names).toContain('web.echo');
    expect(text(await client.callTool({ name: 'local.echo', arguments: { message: 'a' } }))).toBe(
      'Echo: a',
    );
    expect(text(await client.callTool({ name: 'web.echo', arguments: { message: 'b' } }))).toBe(
      'Echo: b',
    );
    // server-everything opens each SSE answer with a priming event (an id, empty data): that
    // is the 2025-11-25 protocol, not a violation to score.
    expect(events.filter((e) => e.event_type === 'protocol_violation')).toEqual([]);
  });

  it('applies tools.allow and tools.deny to listing and calling', async () => {
    const client = await gw.connect();
    const names = (await client.listTools()).tools.map((t) => t.name);
    const web = names.filter((n) => n.startsWith('web.'));
    expect(web.length).toBeGreaterThan(1);
    expect(web.every((n) => n === 'web.echo' || n.startsWith('web.get-'))).toBe(true);
    expect(names.some((n) => n.startsWith('legacy.'))).toBe(false);
    await expect(
      client.callTool({ name: 'web.toggle-simulated-logging', arguments: {} }),
    ).rejects.toThrow(/Tool web.toggle-simulated-logging not found/);
  });

  it('serves an SSE upstream (its prompts and resources, its tools hidden by deny)', async () => {
    const client = await gw.connect();
    const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
    expect(prompts).toContain('legacy.simple-prompt');
    const prompt = await client.getPrompt({ name: 'legacy.simple-prompt' });
    expect(prompt.messages.length).toBeGreaterThan(0);
  });
});

describe('name collisions', () => {
  it('are a start-up error naming the tool and both servers', async () => {
    const error = await startGateway({
      mcpServers: {
        one: { command: process.execPath, args: [CRASHING], prefix: '' },
        two: { command: process.execPath, args: [CRASHING], prefix: '' },
      },
    }).then(
      (gw) => gw.stop().then(() => undefined),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe(GatewayErrorCode.NameCollision);
    expect((error as GatewayError).message).toContain(
      'tool "pid" is exposed by both "one" (as "pid") and "two" (as "pid")',
    );
  }, 60_000);
});
