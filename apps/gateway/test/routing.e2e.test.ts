import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { SelfhealEvent } from '@selfheal/schemas';
import { validate } from '@selfheal/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from './helpers/gatewayHarness.js';

/** The demo stdio server with one `echo` tool, answering at once (SLOW_MS=0). */
const ECHO = fileURLToPath(new URL('../../../examples/servers/slow.js', import.meta.url));
const echoServer = (extra: Record<string, unknown> = {}) => ({
  command: process.execPath,
  args: [ECHO],
  env: { SLOW_MS: '0' },
  ...extra,
});
const dead = (extra: Record<string, unknown> = {}) => ({
  command: process.execPath,
  args: ['-e', 'process.exit(3)'],
  ...extra,
});
const text = (result: unknown) =>
  (result as { content: { text: string }[] }).content.map((c) => c.text).join('');

describe('routing every tools/call through the policies and fallback chains', () => {
  let gw: RunningGateway;
  let client: Client;
  const events: SelfhealEvent[] = [];
  const ofType = (type: string) => events.filter((e) => e.event_type === type);

  beforeAll(async () => {
    gw = await startGateway({
      mcpServers: {
        primary: echoServer(),
        broken: dead({ fallback: ['backup'] }),
        lonely: dead(),
        backup: echoServer(),
      },
      fallbacks: { lonely__echo: ['backup__echo'] },
      recovery: { max_attempts: 0 },
    });
    gw.gateway.bus.events$.subscribe((e) => events.push(e));
    client = await gw.connect();
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
  });

  it('publishes one valid call_completed per call, with the client’s trace id, never arguments', async () => {
    events.length = 0;
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const result = await client.callTool({
      name: 'primary__echo',
      arguments: { message: 'secret-argument' },
      _meta: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(text(result)).toBe('secret-argument');
    // A server with no alternative answers exactly as directly: no note in _meta.
    expect(result._meta).toBeUndefined();
    const completed = ofType('call_completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({
      server_name: 'primary',
      method: 'tools/call',
      tool: 'primary__echo',
      attempts: 1,
      outcome: 'ok',
      trace_id: traceId,
    });
    expect(completed[0]).not.toHaveProperty('fallback_server');
    expect(JSON.stringify(completed[0])).not.toContain('secret-argument');
    expect(validate('event', completed[0]).issues).toEqual([]);
  });

  it('starts a fresh W3C trace when the client sent none or a malformed one', async () => {
    events.length = 0;
    await client.callTool({
      name: 'primary__echo',
      arguments: { message: 'x' },
      _meta: { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' },
    });
    const [completed] = ofType('call_completed');
    expect(completed?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(completed?.trace_id).not.toBe('00000000000000000000000000000000');
  });

  it('skips a down server for the same tool on its per-server fallback, and says who answered', async () => {
    events.length = 0;
    expect(gw.gateway.isDown('broken')).toBe(true);
    const result = await client.callTool({ name: 'broken__echo', arguments: { message: 'hi' } });
    expect(result.isError).toBeUndefined();
    expect(text(result)).toBe('hi');
    expect(result._meta).toEqual({ 'selfheal/served_by': 'backup' });
    expect(ofType('fallback_used')).toEqual([
      expect.objectContaining({ from: 'broken', to: 'backup', tool: 'echo' }),
    ]);
    expect(ofType('call_completed')).toEqual([
      expect.objectContaining({
        server_name: 'backup',
        tool: 'broken__echo',
        outcome: 'ok',
        fallback_server: 'backup',
        attempts: 1,
      }),
    ]);
    for (const event of events) expect(validate('event', event).issues).toEqual([]);
  });

  it('follows a top-level tool chain to another exposed tool, arguments passed through', async () => {
    events.length = 0;
    const result = await client.callTool({ name: 'lonely__echo', arguments: { message: 'via' } });
    expect(text(result)).toBe('via');
    expect(result._meta).toEqual({ 'selfheal/served_by': 'backup' });
    expect(ofType('call_completed')[0]).toMatchObject({ fallback_server: 'backup' });
  });

  it('fails clearly as a tool error when a down server has no alternative', async () => {
    events.length = 0;
    const result = await client.callTool({ name: 'lonely__other', arguments: {} });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/lonely/);
    expect(ofType('call_completed')).toEqual([
      expect.objectContaining({ server_name: 'lonely', outcome: 'rejected' }),
    ]);
  });
});
