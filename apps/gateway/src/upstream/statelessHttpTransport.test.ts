import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayError, GatewayErrorCode } from '../errors.js';
import { createStatelessHttpTransport, createToolMarks } from './statelessHttpTransport.js';

const until = (check: () => boolean) =>
  new Promise<void>((resolve) => {
    const poll = () => (check() ? resolve() : setTimeout(poll, 5));
    poll();
  });

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** A server on 127.0.0.1:0 answering the n-th POST with `answers[n]`: [status, type, body]. */
async function serve(answers: [number, string, string][]) {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const [status, type, body] = answers[n++]!;
      res.writeHead(status, { 'content-type': type }).end(body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
}

describe('createStatelessHttpTransport', () => {
  it('reports an SSE event or a 2xx answer that is not JSON-RPC as INVALID_MESSAGE; an error page is only a failed request', async () => {
    const url = await serve([
      [
        200,
        'text/event-stream',
        'event: message\ndata: not json\n\nevent: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n',
      ],
      [200, 'application/json', 'not json either'],
      [502, 'text/html', '<h1>Bad Gateway</h1>'],
    ]);
    const transport = createStatelessHttpTransport({ url });
    const received: JSONRPCMessage[] = [];
    const errors: Error[] = [];
    transport.onmessage = (m) => received.push(m);
    transport.onerror = (e) => errors.push(e);
    await transport.start();
    for (const id of [1, 2, 3]) {
      await transport.send({ jsonrpc: '2.0', id, method: 'ping' });
      await new Promise<void>((resolve) => {
        const poll = () => (received.length === id ? resolve() : setTimeout(poll, 5));
        poll();
      });
    }
    expect(received[0]).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
    expect(received.slice(1)).toMatchObject([
      { id: 2, error: { code: -32000 } },
      { id: 3, error: { code: -32000 } },
    ]);
    expect(errors.map((e) => [(e as GatewayError).code, e.message])).toEqual([
      [
        GatewayErrorCode.InvalidMessage,
        expect.stringMatching(/^sent an SSE event that is not JSON/),
      ],
      [
        GatewayErrorCode.InvalidMessage,
        expect.stringMatching(/^sent an HTTP 200 answer that is not JSON/),
      ],
      [undefined, 'HTTP 502 without a JSON-RPC message'],
    ]);
    await transport.close();
  });

  it('names, inside onmessage, the call whose answer stream carried a notification (null: no call’s)', async () => {
    const answer = (id: number) =>
      `event: message\ndata: {"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":${id}}}\n\nevent: message\ndata: {"jsonrpc":"2.0","id":${id},"result":{}}\n\n`;
    const url = await serve([
      [200, 'text/event-stream', answer(1)],
      [200, 'text/event-stream', answer(2)],
    ]);
    const transport = createStatelessHttpTransport({ url });
    const seen: [boolean, unknown][] = [];
    transport.onmessage = (m) => seen.push(['method' in m, transport.deliveringOrigin()]);
    await transport.start();
    const call = { jsonrpc: '2.0' as const, method: 'tools/call', params: { name: 'x' } };
    await transport.send({ ...call, id: 1 }, { relatedRequestId: 'call-a' });
    await transport.send({ ...call, id: 2 });
    await new Promise<void>((resolve) => {
      const poll = () => (seen.length === 4 ? resolve() : setTimeout(poll, 5));
      poll();
    });
    // The notification comes with its stream named; the answer, delivered after, with none.
    expect(seen).toContainEqual([true, 'call-a']);
    expect(seen).toContainEqual([true, null]);
    expect(seen.filter(([notification]) => !notification)).toEqual([
      [false, undefined],
      [false, undefined],
    ]);
    await transport.close();
  });

  it('skips the priming event (an id, empty data) that opens a stream, without a word', async () => {
    const url = await serve([
      [
        200,
        'text/event-stream',
        'id: 7_0\ndata: \n\nid: 7_1\nevent: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n',
      ],
    ]);
    const transport = createStatelessHttpTransport({ url });
    const received: JSONRPCMessage[] = [];
    const errors: Error[] = [];
    transport.onmessage = (m) => received.push(m);
    transport.onerror = (e) => errors.push(e);
    await transport.start();
    await transport.send({ jsonrpc: '2.0', id: 1, method: 'ping' });
    await new Promise<void>((resolve) => {
      const poll = () => (received.length === 1 ? resolve() : setTimeout(poll, 5));
      poll();
    });
    expect(received).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }]);
    expect(errors).toEqual([]);
    await transport.close();
  });

  it('reports JSON that is not JSON-RPC as INVALID_MESSAGE: an SSE event is dropped, a JSON answer fails its request at once', async () => {
    const url = await serve([
      [
        200,
        'text/event-stream',
        'event: message\ndata: null\n\nevent: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n',
      ],
      [200, 'application/json', '42'],
      [200, 'application/json', '{}'],
      [200, 'application/json', '{"hello":1}'],
    ]);
    const transport = createStatelessHttpTransport({ url });
    const received: JSONRPCMessage[] = [];
    const errors: Error[] = [];
    transport.onmessage = (m) => received.push(m);
    transport.onerror = (e) => errors.push(e);
    await transport.start();
    for (const id of [1, 2, 3, 4]) {
      await transport.send({ jsonrpc: '2.0', id, method: 'ping' });
      await new Promise<void>((resolve) => {
        const poll = () => (received.length === id ? resolve() : setTimeout(poll, 5));
        poll();
      });
    }
    expect(received).toMatchObject([
      { jsonrpc: '2.0', id: 1, result: {} },
      { id: 2, error: { code: -32000 } },
      { id: 3, error: { code: -32000 } },
      { id: 4, error: { code: -32000 } },
    ]);
    const notJsonRpc = (what: string) => [
      GatewayErrorCode.InvalidMessage,
      `sent ${what} that is JSON, but not a JSON-RPC message`,
    ];
    expect(errors.map((e) => [(e as GatewayError).code, e.message])).toEqual([
      notJsonRpc('an SSE event'),
      notJsonRpc('an HTTP 200 answer'),
      notJsonRpc('an HTTP 200 answer'),
      notJsonRpc('an HTTP 200 answer'),
    ]);
    await transport.close();
  });
});

/** A request as the test server saw it. */
interface Seen {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  body: { id: unknown; method: string; params?: Record<string, unknown> };
}

/**
 * A server on 127.0.0.1:0 that records each POST and answers with `answer(seen)`: [status,
 * body]; with `listWhen`, a `tools/list` is answered only once `listWhen()` holds.
 */
async function record(
  answer: (seen: Seen, earlier: Seen[]) => [number, unknown],
  listWhen: () => boolean = () => true,
) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Seen['body'];
      const request: Seen = { method: body.method, headers: req.headers, body };
      if (body.method === 'tools/list') await until(listWhen);
      const [status, reply] = answer(request, [...seen]);
      seen.push(request);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, seen };
}

/** Sends a request and resolves to its answer; everything else received goes to `others`. */
function ask(
  transport: ReturnType<typeof createStatelessHttpTransport>,
  message: { id: number; method: string; params?: Record<string, unknown> },
  others: JSONRPCMessage[] = [],
): Promise<JSONRPCMessage> {
  return new Promise((resolve, reject) => {
    transport.onmessage = (m) => {
      if ('id' in m && m.id === message.id && !('method' in m)) resolve(m);
      else others.push(m);
    };
    transport.send({ jsonrpc: '2.0', ...message }).catch(reject);
  });
}

const MARKED_TOOL = {
  name: 'query',
  inputSchema: {
    type: 'object',
    properties: {
      region: { type: 'string', 'x-mcp-header': 'Region' },
      priority: { type: 'integer', 'x-mcp-header': 'Priority' },
      verbose: { type: 'boolean', 'x-mcp-header': 'Verbose' },
      target: { type: 'object', properties: { zone: { type: 'string', 'x-mcp-header': 'Zone' } } },
      sql: { type: 'string' },
    },
  },
};
const ok = (seen: Seen): [number, unknown] => [
  200,
  { jsonrpc: '2.0', id: seen.body.id, result: { content: [] } },
];
const listed = (seen: Seen, tools: unknown[]): [number, unknown] => [
  200,
  { jsonrpc: '2.0', id: seen.body.id, result: { tools } },
];
const mismatch = (seen: Seen): [number, unknown] => [
  400,
  { jsonrpc: '2.0', id: seen.body.id, error: { code: -32020, message: 'Header mismatch' } },
];
const paramHeadersOf = (seen: Seen) =>
  Object.fromEntries(Object.entries(seen.headers).filter(([k]) => k.startsWith('mcp-param-')));

describe('createStatelessHttpTransport: headers from tool parameters (x-mcp-header)', () => {
  it('mirrors the marked arguments of a listed tool into Mcp-Param headers, null and absent ones omitted', async () => {
    const { url, seen } = await record((s) =>
      s.method === 'tools/list' ? listed(s, [MARKED_TOOL]) : ok(s),
    );
    const transport = createStatelessHttpTransport({ url });
    await transport.start();
    await ask(transport, { id: 1, method: 'tools/list' });
    await ask(transport, {
      id: 2,
      method: 'tools/call',
      params: {
        name: 'query',
        arguments: {
          region: 'Hello, 世界',
          priority: 42,
          verbose: null,
          target: { zone: 'eu' },
          sql: 'x',
        },
      },
    });
    expect(paramHeadersOf(seen[1]!)).toEqual({
      'mcp-param-region': '=?base64?SGVsbG8sIOS4lueVjA==?=',
      'mcp-param-priority': '42',
      'mcp-param-zone': 'eu',
    });
    expect(seen[1]!.headers['mcp-name']).toBe('query');
    await transport.close();
  });

  it('encodes an Mcp-Name that is not header-safe, or that looks like the sentinel', async () => {
    const { url, seen } = await record((s) => ok(s));
    const transport = createStatelessHttpTransport({ url });
    await transport.start();
    await ask(transport, { id: 1, method: 'tools/call', params: { name: 'wetter-münchen' } });
    await ask(transport, { id: 2, method: 'tools/call', params: { name: '=?base64?literal?=' } });
    expect(seen.map((s) => s.headers['mcp-name'])).toEqual([
      `=?base64?${Buffer.from('wetter-münchen').toString('base64')}?=`,
      '=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=',
    ]);
    await transport.close();
  });

  it('answers -32602 without sending when a marked integer is outside the safe range', async () => {
    const { url, seen } = await record((s) =>
      s.method === 'tools/list' ? listed(s, [MARKED_TOOL]) : ok(s),
    );
    const transport = createStatelessHttpTransport({ url });
    await transport.start();
    await ask(transport, { id: 1, method: 'tools/list' });
    const answer = await ask(transport, {
      id: 2,
      method: 'tools/call',
      params: { name: 'query', arguments: { priority: 2 ** 60 } },
    });
    expect(answer).toMatchObject({
      id: 2,
      error: { code: -32602, message: expect.stringContaining('arguments.priority') },
    });
    expect(seen.map((s) => s.method)).toEqual(['tools/list']);
    await transport.close();
  });

  it('after HeaderMismatch (-32020) lists the tools again, retries once with the new headers, and says the list changed', async () => {
    // The server marked `region` after the client listed: its first call has no header.
    let marked = false;
    const { url, seen } = await record((s, earlier) => {
      if (s.method === 'tools/list') {
        const tool = marked ? MARKED_TOOL : { ...MARKED_TOOL, inputSchema: { type: 'object' } };
        return listed(s, [tool]);
      }
      marked = earlier.length > 0;
      return s.headers['mcp-param-region'] === 'eu' ? ok(s) : mismatch(s);
    });
    const transport = createStatelessHttpTransport({ url });
    await transport.start();
    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
      progressToken: 'p1',
    };
    await ask(transport, { id: 1, method: 'tools/list', params: { _meta: meta } });
    const others: JSONRPCMessage[] = [];
    const answer = await ask(
      transport,
      {
        id: 2,
        method: 'tools/call',
        params: { _meta: meta, name: 'query', arguments: { region: 'eu' } },
      },
      others,
    );
    expect(answer).toEqual({ jsonrpc: '2.0', id: 2, result: { content: [] } });
    expect(seen.map((s) => s.method)).toEqual([
      'tools/list',
      'tools/call',
      'tools/list',
      'tools/call',
    ]);
    // The re-listing carries the call's envelope, not its progress token.
    expect(seen[2]!.body.params?._meta).toEqual({
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
    });
    expect(paramHeadersOf(seen[3]!)).toEqual({ 'mcp-param-region': 'eu' });
    expect(others).toEqual([{ jsonrpc: '2.0', method: 'notifications/tools/list_changed' }]);
    await transport.close();
  });

  it('retries a call refused for its headers only once', async () => {
    const { url, seen } = await record((s) =>
      s.method === 'tools/list' ? listed(s, [MARKED_TOOL]) : mismatch(s),
    );
    const transport = createStatelessHttpTransport({ url });
    await transport.start();
    const others: JSONRPCMessage[] = [];
    const answer = await ask(
      transport,
      { id: 1, method: 'tools/call', params: { name: 'query', arguments: { region: 'eu' } } },
      others,
    );
    expect(answer).toMatchObject({ id: 1, error: { code: -32020 } });
    expect(seen.map((s) => s.method)).toEqual(['tools/call', 'tools/list', 'tools/call']);
    expect(paramHeadersOf(seen[2]!)).toEqual({ 'mcp-param-region': 'eu' });
    // The tool gained marks it did not have before: the gateway lists it again.
    expect(others).toEqual([{ jsonrpc: '2.0', method: 'notifications/tools/list_changed' }]);
    await transport.close();
  });
  it('shares a server’s marks between its transports, and calls refused together wait for one listing', async () => {
    let listings = 0;
    const { url, seen } = await record((s) => {
      if (s.method === 'tools/list') {
        listings++;
        return listed(s, [MARKED_TOOL]);
      }
      return s.headers['mcp-param-region'] === 'eu' ? ok(s) : mismatch(s);
    });
    const marks = createToolMarks();
    // One transport lists the tools (the shared session); another (a client's own) calls.
    const lister = createStatelessHttpTransport({ url, marks });
    await ask(lister, { id: 1, method: 'tools/list' });
    const caller = createStatelessHttpTransport({ url, marks });
    await ask(caller, {
      id: 2,
      method: 'tools/call',
      params: { name: 'query', arguments: { region: 'eu' } },
    });
    expect(paramHeadersOf(seen[1]!)).toEqual({ 'mcp-param-region': 'eu' });
    // A transport that knows no marks: three calls refused at once, one listing between them
    // (the server answers the listing only once all three were refused).
    let refused = 0;
    const slow = await record(
      (s) => {
        if (s.method === 'tools/list') {
          listings++;
          return listed(s, [MARKED_TOOL]);
        }
        if (s.headers['mcp-param-region'] === 'eu') return ok(s);
        refused++;
        return mismatch(s);
      },
      () => refused >= 3,
    );
    const fresh = createStatelessHttpTransport({ url: slow.url, marks: createToolMarks() });
    const answers = new Map<unknown, JSONRPCMessage>();
    fresh.onmessage = (m) => {
      if ('id' in m) answers.set(m.id, m);
    };
    await Promise.all(
      [3, 4, 5].map((id) =>
        fresh.send({
          jsonrpc: '2.0',
          id,
          method: 'tools/call',
          params: { name: 'query', arguments: { region: 'eu' } },
        }),
      ),
    );
    await until(() => answers.size === 3);
    expect([...answers.values()].every((m) => 'result' in m)).toBe(true);
    expect(listings).toBe(2);
    for (const t of [lister, caller, fresh]) await t.close();
  });
});
