import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayError, GatewayErrorCode } from '../errors.js';
import {
  NodeStreamableHttpClientTransport,
  StreamableHttpStatusError,
} from './nodeStreamableHttpClient.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** A server on 127.0.0.1:0 answering each request with `handler`; records what it got. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const seen: {
    method: string;
    url: string;
    headers: IncomingMessage['headers'];
    body: string;
  }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}/mcp`), seen };
}

const call: JSONRPCMessage = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } };

async function connected(url: URL, headers?: Record<string, string>) {
  const transport = new NodeStreamableHttpClientTransport(url, { headers });
  const received: JSONRPCMessage[] = [];
  const errors: Error[] = [];
  transport.onmessage = (m) => received.push(m);
  transport.onerror = (e) => errors.push(e);
  await transport.start();
  return { transport, received, errors };
}

const until = (check: () => boolean) =>
  new Promise<void>((resolve) => {
    const poll = () => (check() ? resolve() : setImmediate(poll));
    poll();
  });

describe('NodeStreamableHttpClientTransport', () => {
  it('sends to the configured URL’s path and query, with its user info as basic auth', async () => {
    const { url, seen } = await serve((_req, res) => {
      res.writeHead(202).end();
    });
    const target = new URL(`${url.href}?tenant=a%20b`);
    target.username = 'me';
    target.password = 'secret';
    const { transport } = await connected(target);
    await transport.send({ jsonrpc: '2.0', method: 'notifications/roots/list_changed' });
    await transport.send({ jsonrpc: '2.0', method: 'notifications/roots/list_changed' });
    expect(seen.map((s) => s.url)).toEqual(['/mcp?tenant=a%20b', '/mcp?tenant=a%20b']);
    expect(seen[0]?.headers.authorization).toBe(`Basic ${btoa('me:secret')}`);
    await transport.close();
  });

  it('POSTs with the session, protocol and config headers; reads SSE answers in order', async () => {
    const { url, seen } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'mcp-session-id': 's-1' });
      res.write(
        'event: message\ndata: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}\n\n',
      );
      res.end('event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{"ok":true}}\n\n');
    });
    const { transport, received } = await connected(url, { authorization: 'Bearer t' });
    transport.setProtocolVersion('2025-06-18');
    await transport.send(call);
    await until(() => received.length === 2);
    expect(received.map((m) => ('method' in m ? m.method : 'result'))).toEqual([
      'notifications/progress',
      'result',
    ]);
    expect(transport.sessionId).toBe('s-1');
    await transport.send({ ...call, id: 2 });
    expect(seen[1]!.headers).toMatchObject({
      'mcp-session-id': 's-1',
      'mcp-protocol-version': '2025-06-18',
      authorization: 'Bearer t',
      accept: 'application/json, text/event-stream',
      'content-type': 'application/json',
    });
    expect(JSON.parse(seen[0]!.body)).toEqual(call);
    await transport.close();
  });

  it('reads a JSON answer', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"jsonrpc":"2.0","id":1,"result":{}}');
    });
    const { transport, received } = await connected(url);
    await transport.send(call);
    expect(received).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }]);
    await transport.close();
  });

  it('reports SSE events and JSON answers that are not JSON-RPC as INVALID_MESSAGE, and skips them', async () => {
    let answer = 0;
    const { url } = await serve((_req, res) => {
      if (answer++ === 0) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('event: message\ndata: <b>oops</b>\n\n');
        res.write('event: message\ndata: {"hello":1}\n\n');
        res.end('event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('Internal Server Error');
      }
    });
    const { transport, received, errors } = await connected(url);
    await transport.send(call);
    await until(() => received.length === 1);
    expect(received).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }]);
    // The garbage JSON answer fails its request too: its answer is lost.
    await expect(transport.send({ ...call, id: 2 })).rejects.toThrow(
      /^sent a JSON answer that is not JSON \(Unexpected token/,
    );
    expect(errors.map((e) => [(e as GatewayError).code, e.message])).toEqual([
      [
        GatewayErrorCode.InvalidMessage,
        expect.stringMatching(/^sent an SSE event that is not JSON \(/),
      ],
      [
        GatewayErrorCode.InvalidMessage,
        'sent an SSE event that is JSON, but not a JSON-RPC message',
      ],
      [
        GatewayErrorCode.InvalidMessage,
        expect.stringMatching(/^sent a JSON answer that is not JSON \(/),
      ],
    ]);
    await transport.close();
  });

  it('regression: the priming event of a 2025-11-25 server (an id, empty data) was reported as INVALID_MESSAGE on every call; now it is skipped', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('id: 1_0\ndata: \n\n');
      res.end('id: 1_1\nevent: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n');
    });
    const { transport, received, errors } = await connected(url);
    await transport.send(call);
    await until(() => received.length === 1);
    expect(received).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }]);
    expect(errors).toEqual([]);
    await transport.close();
  });

  it('names the request whose SSE stream carried a server request, until it is answered or cancelled', async () => {
    const serverRequest = (id: number) =>
      `event: message\ndata: {"jsonrpc":"2.0","id":${id},"method":"elicitation/create","params":{}}\n\n`;
    const { url } = await serve((_req, res, body) => {
      const message = JSON.parse(body) as { id?: number; method?: string };
      if (message.method !== 'tools/call') {
        res.writeHead(202).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // Each call's stream carries a server request numbered after it, then the call's result.
      res.end(
        `${serverRequest(100 + message.id!)}event: message\ndata: {"jsonrpc":"2.0","id":${message.id},"result":{}}\n\n`,
      );
    });
    const { transport, received } = await connected(url);
    await transport.send(call, { relatedRequestId: 'call-a' });
    await transport.send({ ...call, id: 2 }, { relatedRequestId: 'call-b' });
    await transport.send({ ...call, id: 3 }); // sent without one
    await until(() => received.length === 6);
    // 103 came on the stream of a request sent without one: no client call's (null).
    expect([101, 102, 103, 104].map((id) => transport.originOf(id))).toEqual([
      'call-a',
      'call-b',
      null,
      undefined,
    ]);
    // Answered: forgotten.
    await transport.send({ jsonrpc: '2.0', id: 101, result: { action: 'decline' } });
    expect(transport.originOf(101)).toBeUndefined();
    expect(transport.originOf(102)).toBe('call-b');
    await transport.close();
  });

  it('names, inside onmessage, the request whose SSE stream carried the message delivered', async () => {
    const { url } = await serve((_req, res, body) => {
      const { id } = JSON.parse(body) as { id: number };
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(
        `event: message\ndata: {"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"x"}}\n\nevent: message\ndata: {"jsonrpc":"2.0","id":${id},"result":{}}\n\n`,
      );
    });
    const { transport } = await connected(url);
    const seen: unknown[] = [];
    transport.onmessage = () => seen.push(transport.deliveringOrigin());
    await transport.send(call, { relatedRequestId: 'call-a' });
    await until(() => seen.length === 2);
    await transport.send({ ...call, id: 2 });
    await until(() => seen.length === 4);
    expect(seen).toEqual(['call-a', 'call-a', null, null]);
    expect(transport.deliveringOrigin()).toBeUndefined();
    await transport.close();
  });

  it('notes no origin for a server request that is not JSON-RPC (it is never answered)', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(
        'event: message\ndata: {"id":9,"method":"sampling/createMessage"}\n\nevent: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n',
      );
    });
    const { transport, received, errors } = await connected(url);
    await transport.send(call, { relatedRequestId: 'k' });
    await until(() => received.length === 1);
    expect(errors).toHaveLength(1);
    expect(transport.originOf(9)).toBeUndefined();
    await transport.close();
  });

  it('forgets the origin of a server request the server cancels (it gets no answer)', async () => {
    let posts = 0;
    const { url } = await serve((_req, res) => {
      if (posts++ > 0) {
        res.writeHead(202).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(
        'event: message\ndata: {"jsonrpc":"2.0","id":7,"method":"sampling/createMessage","params":{}}\n\n',
      );
      res.end(
        'event: message\ndata: {"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}}\n\nevent: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n',
      );
    });
    const { transport, received } = await connected(url);
    let seenDuring: unknown = 'not seen';
    transport.onmessage = (message) => {
      if ('method' in message && message.method === 'sampling/createMessage')
        seenDuring = transport.originOf(7);
      received.push(message);
    };
    await transport.send(call, { relatedRequestId: 'call-a' });
    await until(() => received.length === 3);
    expect(seenDuring).toBe('call-a');
    // The client handles the request a microtask after it arrived: it must still find it then.
    await Promise.resolve();
    expect(transport.originOf(7)).toBe('call-a');
    await new Promise((resolve) => setImmediate(resolve));
    expect(transport.originOf(7)).toBeUndefined();
    await transport.close();
  });

  it('fails a request at once when its SSE stream ends before the response', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(': nothing\n\n');
    });
    const { transport, received } = await connected(url);
    await transport.send(call);
    await until(() => received.length === 1);
    expect(received[0]).toMatchObject({ id: 1, error: { code: -32000 } });
    await transport.close();
  });

  it('throws the HTTP status and body of an error answer', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"Session not found"}');
    });
    const { transport } = await connected(url);
    const error = await transport.send(call).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamableHttpStatusError);
    expect((error as StreamableHttpStatusError).status).toBe(404);
    expect((error as Error).message).toContain('Session not found');
    await transport.close();
  });

  it('opens the standalone GET stream after notifications/initialized; 405 means none', async () => {
    const { url, seen } = await serve((req, res) => {
      if (req.method === 'GET') {
        res.writeHead(405).end();
        return;
      }
      res.writeHead(202).end();
    });
    const { transport, errors } = await connected(url);
    await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await until(() => seen.length === 2);
    expect(seen.map((s) => s.method)).toEqual(['POST', 'GET']);
    expect(seen[1]!.headers.accept).toBe('text/event-stream');
    expect(errors).toEqual([]);
    await transport.close();
  });

  it('delivers what arrives on the GET stream and re-opens it when it ends', async () => {
    let gets = 0;
    const { url } = await serve((req, res) => {
      if (req.method === 'POST') return void res.writeHead(202).end();
      gets++;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(
        `data: {"jsonrpc":"2.0","method":"notifications/tools/list_changed","params":{"n":${gets}}}\n\n`,
      );
    });
    const transport = new NodeStreamableHttpClientTransport(url, { reconnectDelaysMs: [0, 0] });
    const received: JSONRPCMessage[] = [];
    transport.onmessage = (m) => received.push(m);
    await transport.start();
    await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await until(() => received.length >= 2);
    expect(received[0]).toMatchObject({ params: { n: 1 } });
    expect(received[1]).toMatchObject({ params: { n: 2 } });
    await transport.close();
  });
});
