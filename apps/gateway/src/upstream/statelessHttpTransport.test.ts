import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayError, GatewayErrorCode } from '../errors.js';
import { createStatelessHttpTransport } from './statelessHttpTransport.js';

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
