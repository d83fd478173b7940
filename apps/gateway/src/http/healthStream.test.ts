import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createHealthStream, SLOW_CLIENT_CLOSE_CODE, type StreamEvent } from './healthStream.js';

/** A minimal hot event source. */
function subject() {
  const subscribers = new Set<(e: StreamEvent) => void>();
  return {
    subscribe(next: (e: StreamEvent) => void) {
      subscribers.add(next);
      return { unsubscribe: () => void subscribers.delete(next) };
    },
    publish(event: StreamEvent) {
      for (const s of subscribers) s(event);
    },
    get count() {
      return subscribers.size;
    },
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(
  options: {
    refuse?: () => { status: number; reason: string } | undefined;
    maxBufferedBytes?: number;
  } = {},
) {
  const events = subject();
  const stream = createHealthStream({
    events,
    snapshot: () => ({ ecosystem: { status: 'ok' } }),
    refuse: options.refuse ?? (() => undefined),
    maxBufferedBytes: options.maxBufferedBytes,
  });
  const server = createServer();
  server.on('upgrade', (req, socket, head) => stream.handleUpgrade(req, socket, head));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/health/stream`;
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        stream.close();
        server.close(() => r());
        server.closeAllConnections();
      }),
  );
  return { events, stream, url };
}

/** Connects and collects messages; `next()` resolves with the next one. */
async function connect(url: string) {
  const ws = new WebSocket(url);
  const queue: unknown[] = [];
  const waiters: ((m: unknown) => void)[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  cleanups.push(() => ws.terminate());
  return {
    ws,
    next: () =>
      new Promise<unknown>((resolve) => {
        if (queue.length > 0) resolve(queue.shift());
        else waiters.push(resolve);
      }),
  };
}

const event = (event_type: string, server_name: string): StreamEvent => ({
  event_type,
  server_name,
  timestamp: '2026-11-21T10:00:00.000Z',
  trace_id: 't',
});

describe('createHealthStream', () => {
  it('sends a snapshot on connect, then every event with its server', async () => {
    const { events, url } = await serve();
    const client = await connect(url);
    expect(await client.next()).toEqual({ event_type: 'snapshot', ecosystem: { status: 'ok' } });
    events.publish(event('server_down', 'a'));
    expect(await client.next()).toMatchObject({
      event_type: 'server_down',
      server_name: 'a',
      server: 'a',
    });
  });

  it('filters by server and by event type from the query', async () => {
    const { events, url } = await serve();
    const client = await connect(`${url}?server=b&type=server_down,server_recovered`);
    await client.next();
    events.publish(event('server_down', 'a'));
    events.publish(event('health_check_completed', 'b'));
    events.publish(event('server_recovered', 'b'));
    expect(await client.next()).toMatchObject({ event_type: 'server_recovered', server: 'b' });
  });

  it('refuses an upgrade the policy refuses, with its HTTP status', async () => {
    const { url } = await serve({ refuse: () => ({ status: 401, reason: 'token required' }) });
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => {});
    });
    expect(status).toBe(401);
  });

  it('drops a client that does not read, instead of buffering for it', async () => {
    const { events, stream, url } = await serve({ maxBufferedBytes: 64 * 1024 });
    const slow = await connect(url);
    await slow.next();
    const closed = new Promise<number>((resolve) => slow.ws.once('close', (code) => resolve(code)));
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = 'x'.repeat(64 * 1024);
    // Enough to fill the loopback socket buffers; the server then sees data pile up.
    for (let i = 0; i < 2000 && stream.clientCount > 0; i++) {
      events.publish({ ...event('server_degraded', 'a'), padding: big });
      await new Promise((r) => setImmediate(r));
    }
    expect(stream.clientCount).toBe(0);
    expect(events.count).toBe(0);
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect([SLOW_CLIENT_CLOSE_CODE, 1006]).toContain(await closed);
  });
});
