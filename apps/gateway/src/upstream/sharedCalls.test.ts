import { Client } from '@modelcontextprotocol/client';
import { ResultSchema } from '@modelcontextprotocol/core';
import { InMemoryTransport, Server, type Transport } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { type SharedCallOwner, SharedCalls, type UpstreamMessage } from './sharedCalls.js';

/** An upstream server and the gateway's shared client to it, with the routing installed. */
async function sharedPair() {
  const [a, b] = InMemoryTransport.createLinkedPair();
  const server = new Server(
    { name: 'up', version: '1' },
    {
      capabilities: { logging: {}, tools: { listChanged: true }, resources: { listChanged: true } },
    },
  );
  const client = new Client(
    { name: 'selfheal', version: '1' },
    { capabilities: { sampling: {}, elicitation: {} } },
  );
  const calls = new SharedCalls('up');
  calls.install(client);
  await server.connect(b);
  await client.connect(a);
  const sample = () =>
    server.request(
      {
        method: 'sampling/createMessage',
        params: { messages: [], maxTokens: 1 },
      },
      ResultSchema,
    );
  return { server, client, clientTransport: a, calls, sample };
}

/** A call in flight that answers server requests as `who` and records notifications. */
function owner(who: string, seen: UpstreamMessage[] = []): SharedCallOwner {
  return {
    requestId: who,
    request: async (message) => ({ answeredBy: who, method: message.method }),
    notify: (message) => seen.push(message),
  };
}

describe('SharedCalls', () => {
  it('sends a server request to the one call in flight', async () => {
    const { calls, sample } = await sharedPair();
    const { end } = calls.begin(owner('A'));
    expect(await sample()).toMatchObject({ answeredBy: 'A', method: 'sampling/createMessage' });
    end();
    expect(calls.size).toBe(0);
  });

  it('refuses a server request while two calls are in flight, naming the server and the fix', async () => {
    const { calls, sample } = await sharedPair();
    const unattributed: number[] = [];
    calls.on('unattributed', (_message, inFlight) => unattributed.push(inFlight));
    calls.begin(owner('A'));
    calls.begin(owner('B'));
    await expect(sample()).rejects.toThrow(
      /server "up" sent sampling\/createMessage .* 2 client requests are in flight .* "session": "per_client"/,
    );
    expect(unattributed).toEqual([2]);
  });

  it('sends a server request to the call whose stream carried it, whatever else is in flight', async () => {
    const { calls, clientTransport, sample } = await sharedPair();
    const asked: string[] = [];
    const recording = (who: string): SharedCallOwner => ({
      ...owner(who),
      request: async (message) => {
        asked.push(who);
        return { answeredBy: who, method: message.method };
      },
    });
    const a = calls.begin(recording('A'));
    const b = calls.begin(recording('B'));
    // As the Streamable HTTP transport tells it: every server request came on B's stream.
    Object.assign(clientTransport, { originOf: () => b.key });
    expect(await sample()).toMatchObject({ answeredBy: 'B' });
    // B has ended: its stream's request goes to nobody, not to A, the one call left.
    b.end();
    await expect(sample()).rejects.toThrow(/client request that has already ended/);
    expect(asked).toEqual(['B']);
    a.end();
  });

  it('sends a notification a call’s stream carried to that call, a microtask later; the rest to the client', async () => {
    const calls = new SharedCalls('up');
    const passed: string[] = [];
    let origin: string | undefined;
    const transport = {
      onmessage: (message: { method?: string }) => void passed.push(message.method!),
      deliveringOrigin: () => origin,
    } as unknown as Transport;
    calls.watch(transport);
    const seenA: UpstreamMessage[] = [];
    const seenB: UpstreamMessage[] = [];
    calls.begin(owner('A', seenA));
    const b = calls.begin(owner('B', seenB));
    const log = { jsonrpc: '2.0' as const, method: 'notifications/message', params: { data: 'x' } };
    origin = b.key;
    transport.onmessage!(log);
    transport.onmessage!({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: 1, progress: 1 },
    });
    expect(seenB).toEqual([]); // not yet: a microtask later, as the SDK runs its handlers
    origin = undefined;
    transport.onmessage!(log); // the GET stream's: the client's fallback decides
    await Promise.resolve();
    expect(seenB).toEqual([{ method: 'notifications/message', params: { data: 'x' } }]);
    expect(seenA).toEqual([]);
    expect(passed).toEqual(['notifications/progress', 'notifications/message']);
  });

  it('gives what came on an ended call’s stream, or the gateway’s own, to nobody: not to the call left', async () => {
    const { calls, clientTransport, sample } = await sharedPair();
    const strayed: string[] = [];
    calls.on('strayed', (message, stream) => strayed.push(`${stream} ${message.method}`));
    const seenA: UpstreamMessage[] = [];
    const asked: string[] = [];
    const a = calls.begin({
      ...owner('A', seenA),
      request: async () => {
        asked.push('A');
        return {};
      },
    });
    const b = calls.begin(owner('B'));
    b.end();
    let origin: string | null = b.key;
    Object.assign(clientTransport, { originOf: () => origin, deliveringOrigin: () => origin });
    calls.watch(clientTransport);
    const log = { jsonrpc: '2.0' as const, method: 'notifications/message', params: { data: 'B' } };
    clientTransport.onmessage!(log);
    await expect(sample()).rejects.toThrow(/client request that has already ended/);
    origin = null;
    clientTransport.onmessage!(log);
    await expect(sample()).rejects.toThrow(/the gateway's own request/);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seenA).toEqual([]);
    expect(asked).toEqual([]);
    expect(strayed).toEqual([
      'ended notifications/message',
      'ended sampling/createMessage',
      'gateway notifications/message',
      'gateway sampling/createMessage',
    ]);
    a.end();
  });

  it('sends a call’s concurrent requests to it, and refuses while another call is in flight (even one that waits)', async () => {
    const { calls, sample } = await sharedPair();
    const answers: ((result: Record<string, unknown>) => void)[] = [];
    const waiting: SharedCallOwner = {
      requestId: 'A',
      request: () => new Promise((resolve) => answers.push(resolve)),
      notify: () => {},
    };
    calls.begin(waiting);
    const first = sample();
    const second = sample();
    await new Promise((resolve) => setImmediate(resolve));
    calls.begin(owner('B'));
    // A waits for its client; B is in flight too: the next request could be either's.
    await expect(sample()).rejects.toThrow(/2 client requests are in flight/);
    expect(answers).toHaveLength(2);
    for (const answer of answers) answer({ answeredBy: 'A' });
    expect(await first).toMatchObject({ answeredBy: 'A' });
    expect(await second).toMatchObject({ answeredBy: 'A' });
  });

  it('refuses a server request with no call in flight', async () => {
    const { sample } = await sharedPair();
    await expect(sample()).rejects.toThrow(/no client request is in flight/);
  });

  it('routes a notification to the one call in flight and drops it otherwise', async () => {
    const { server, calls } = await sharedPair();
    const seenA: UpstreamMessage[] = [];
    const dropped: string[] = [];
    calls.on('unattributed', (message) => dropped.push(message.method));
    const log = (data: string) =>
      server.notification({ method: 'notifications/message', params: { level: 'info', data } });
    const { end: endA } = calls.begin(owner('A', seenA));
    await log('for A');
    const { end: endB } = calls.begin(owner('B'));
    await log('for nobody');
    endA();
    endB();
    await log('after');
    await new Promise((resolve) => setImmediate(resolve));
    expect(seenA.map((m) => m.params?.data)).toEqual(['for A']);
    expect(dropped).toEqual(['notifications/message', 'notifications/message']);
  });

  it('announces list changes, whoever is in flight', async () => {
    const { server, calls } = await sharedPair();
    const changed: string[] = [];
    calls.on('listChanged', (method) => changed.push(method));
    calls.begin(owner('A'));
    await server.notification({ method: 'notifications/tools/list_changed' });
    await server.notification({ method: 'notifications/resources/list_changed' });
    await new Promise((resolve) => setImmediate(resolve));
    // One event per notification: both resource lists are listed again with the catalog.
    expect(changed).toEqual(['tools/list', 'resources/list']);
  });
});
