import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/client';
import { ResultSchema } from '@modelcontextprotocol/core';
import { describe, expect, it } from 'vitest';
import { resultTypeOf } from '../stateless/envelope.js';
import { createEraAdapter } from './eraAdapter.js';

type Message = Record<string, unknown> & { id?: string | number; method?: string };

/**
 * A stdio server seen through its pipes: `modern` answers server/discover with 2026-07-28 and
 * echoes each request's `_meta` back; otherwise it is a 2025-11-25 server that refuses the probe
 * and answers initialize. Records every message it received.
 */
function fakeServer(modern: boolean) {
  const received: Message[] = [];
  const transport: Transport = {
    async start() {},
    async close() {},
    async send(message: JSONRPCMessage) {
      const m = message as Message;
      received.push(m);
      if (m.id === undefined || m.method === undefined) return;
      const answer = (result: unknown) => {
        setImmediate(() =>
          transport.onmessage?.({ jsonrpc: '2.0', id: m.id!, result } as JSONRPCMessage),
        );
      };
      const params = (m.params ?? {}) as Record<string, unknown>;
      if (m.method === 'server/discover') {
        if (!modern) {
          setImmediate(() =>
            transport.onmessage?.({
              jsonrpc: '2.0',
              id: m.id!,
              error: { code: -32601, message: 'Method not found' },
            }),
          );
          return;
        }
        return answer({
          supportedVersions: ['2026-07-28'],
          capabilities: { tools: { listChanged: true } },
          instructions: 'modern',
          resultType: 'complete',
          _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'modern', version: '2' } },
        });
      }
      if (m.method === 'initialize')
        return answer({
          protocolVersion: '2025-11-25',
          capabilities: { tools: {} },
          serverInfo: { name: 'legacy', version: '1' },
        });
      if (m.method === 'subscriptions/listen') return;
      if (m.method === 'tools/call' && params.name === 'ask')
        return answer({
          resultType: 'input_required',
          inputRequests: { input_1: { method: 'roots/list', params: {} } },
          requestState: 'opaque',
        });
      answer({ echoed: params._meta ?? null, resultType: 'complete' });
    },
  };
  return { transport, received };
}

async function connect(modern: boolean) {
  const server = fakeServer(modern);
  let era: boolean | undefined;
  const adapter = createEraAdapter(server.transport, {
    probeMs: 1000,
    onEra: (stateless) => {
      era = stateless;
    },
  });
  const client = new Client(
    { name: 'selfheal', version: '1' },
    { capabilities: { sampling: {}, elicitation: {} } },
  );
  await client.connect(adapter);
  return { client, received: server.received, era: () => era };
}

describe('createEraAdapter', () => {
  it('speaks 2026-07-28 to a server that does: initialize answered from discover, envelope added', async () => {
    const { client, received, era } = await connect(true);
    expect(era()).toBe(true);
    expect(received[0]).toMatchObject({ method: 'server/discover' });
    expect(received.map((m) => m.method)).not.toContain('initialize');
    expect(client.getServerVersion()).toEqual({ name: 'modern', version: '2' });
    expect(client.getInstructions()).toBe('modern');
    // After initialized: a listen stream for the server's list changes.
    await new Promise((resolve) => setImmediate(resolve));
    expect(received.map((m) => m.method)).toContain('subscriptions/listen');

    const result = await client.request({ method: 'tools/list', params: {} }, ResultSchema);
    expect(result.echoed).toMatchObject({
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': { sampling: {}, elicitation: {} },
      'io.modelcontextprotocol/clientInfo': { name: 'selfheal', version: '1' },
    });
    // A stateless caller's own envelope goes as it came.
    const own = { 'io.modelcontextprotocol/clientCapabilities': { roots: {} } };
    const passed = await client.request(
      { method: 'tools/call', params: { name: 'x', _meta: own } },
      ResultSchema,
    );
    expect(passed.echoed).toMatchObject(own);
    // ping is gone in 2026-07-28: it is a discover, answered {}.
    await expect(client.ping()).resolves.toEqual({});
    expect(received.at(-1)).toMatchObject({ method: 'server/discover' });
    // setLevel is the envelope's log level from then on.
    await client.setLoggingLevel('warning');
    const logged = await client.request({ method: 'tools/list', params: {} }, ResultSchema);
    expect(logged.echoed).toMatchObject({ 'io.modelcontextprotocol/logLevel': 'warning' });
  });

  it('an input_required result comes up through the SDK client still known as one', async () => {
    const { client } = await connect(true);
    const asked = await client.request(
      { method: 'tools/call', params: { name: 'ask', arguments: {} } },
      ResultSchema,
    );
    // SDK 2.x on a 2025-11-25 connection takes resultType off; the rest tells the kind.
    expect(asked).toMatchObject({ requestState: 'opaque' });
    expect(resultTypeOf(asked)).toBe('input_required');
    const plain = await client.request({ method: 'tools/list', params: {} }, ResultSchema);
    expect(resultTypeOf(plain)).toBe('complete');
  });

  it('regression: a process that died under the probe held the session for the whole probe time; its close ends the probe', async () => {
    const silent: Transport = {
      async start() {},
      async close() {},
      async send() {
        // The written probe is lost with the process: its pipe closes instead of an answer.
        setImmediate(() => silent.onclose?.());
      },
    };
    let era: boolean | undefined;
    const adapter = createEraAdapter(silent, {
      probeMs: 60_000,
      onEra: (stateless) => {
        era = stateless;
      },
    });
    const closed = new Promise<void>((resolve) => {
      adapter.onclose = resolve;
    });
    const began = Date.now();
    await adapter.start();
    await closed;
    expect(era).toBe(false);
    expect(Date.now() - began).toBeLessThan(5000);
  });

  it('leaves a 2025-11-25 server’s connection as it is', async () => {
    const { client, received, era } = await connect(false);
    expect(era()).toBe(false);
    expect(received.map((m) => m.method).slice(0, 2)).toEqual(['server/discover', 'initialize']);
    expect(client.getServerVersion()).toEqual({ name: 'legacy', version: '1' });
    const result = await client.request({ method: 'tools/list', params: {} }, ResultSchema);
    expect(result.echoed).toBeNull();
  });
});
