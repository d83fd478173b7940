import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../clock.js';
import { createBackoff } from '../clock.js';
import { resolveConfig } from '../config/loadConfig.js';
import type { TransportFactory } from './transportFactory.js';
import { createUpstreamServer } from './upstreamServer.js';

/** A clock that moves only when told to. */
function manualClock(start = Date.UTC(2026, 10, 21, 10)) {
  let now = start;
  const timers = new Map<number, { at: number; callback: () => void }>();
  let next = 0;
  const clock: Clock & { advance(ms: number): Promise<void> } = {
    now: () => now,
    setTimeout: (callback, ms) => {
      timers.set(++next, { at: now + ms, callback });
      return next;
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
    async advance(ms) {
      now += ms;
      for (const [id, timer] of [...timers]) {
        if (timer.at > now) continue;
        timers.delete(id);
        timer.callback();
      }
      // Let the connect attempt the timer started run to completion.
      for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    },
  };
  return clock;
}

/** Connects to an in-memory MCP server listing `tools`, or fails while `down` is set. */
function fakeUpstream() {
  const state = { down: false, tools: ['echo'], connects: 0, servers: [] as Server[] };
  const factory: TransportFactory = () => {
    state.connects++;
    if (state.down) {
      const failing: Transport = {
        start: () => Promise.reject(new Error('spawn ENOENT')),
        send: async () => {},
        close: async () => {},
      };
      return { transport: failing, recentStderr: () => [] };
    }
    const [client, server] = InMemoryTransport.createLinkedPair();
    const s = new Server({ name: 'fake', version: '1' }, { capabilities: { tools: {} } });
    s.fallbackRequestHandler = async (request) => {
      if (request.method === 'tools/list')
        return {
          tools: state.tools.map((name) => ({ name, inputSchema: { type: 'object' } })),
        } as never;
      throw new Error('unexpected');
    };
    void s.connect(server);
    state.servers.push(s);
    return { transport: client, recentStderr: () => [] };
  };
  return { state, factory };
}

const spec = resolveConfig({ mcpServers: { fake: { command: 'fake-server' } } }, 'test')
  .upstreams[0]!;

function create(maxAttempts = 5) {
  const clock = manualClock();
  const fake = fakeUpstream();
  const upstream = createUpstreamServer({
    spec,
    factory: fake.factory,
    clock,
    clientInfo: { name: 'test', version: '1' },
    backoff: createBackoff(),
    maxAttempts,
  });
  return { clock, fake, upstream };
}

describe('createUpstreamServer', () => {
  it('comes up and lists its catalog', async () => {
    const { clock, upstream } = create();
    await upstream.start();
    expect(upstream.state).toEqual({ status: 'up', since: clock.now() });
    expect(upstream.catalog?.tools.map((t) => t.name)).toEqual(['echo']);
    await upstream.stop();
  });

  it('reconnects after the backoff delay, not a millisecond before', async () => {
    const { clock, fake, upstream } = create();
    fake.state.down = true;
    const start = clock.now();
    await upstream.start();
    expect(upstream.state).toMatchObject({
      status: 'down',
      since: start,
      attempt: 0,
      retryAt: start + 1000,
    });
    expect(upstream.state.status === 'down' && upstream.state.error).toContain('spawn ENOENT');
    fake.state.down = false;
    await clock.advance(999);
    expect(fake.state.connects).toBe(1);
    await clock.advance(1);
    expect(fake.state.connects).toBe(2);
    expect(upstream.state).toEqual({ status: 'up', since: start + 1000 });
    await upstream.stop();
  });

  it('backs off 1, 2, 4 s, then gives up and says so', async () => {
    const { clock, fake, upstream } = create(3);
    fake.state.down = true;
    await upstream.start();
    for (const delay of [1000, 2000, 4000]) {
      await clock.advance(delay - 1);
      const before = fake.state.connects;
      await clock.advance(1);
      expect(fake.state.connects).toBe(before + 1);
    }
    expect(upstream.state).toMatchObject({ status: 'down', attempt: 3, retryAt: undefined });
    expect(upstream.describeUnavailable()).toMatch(
      /^server "fake" \(stdio: fake-server\) is down since 2026-11-21T10:00:00\.000Z \(.*spawn ENOENT\); gave up reconnecting after 3 attempts/,
    );
    await clock.advance(3_600_000);
    expect(fake.state.connects).toBe(4);
    await upstream.stop();
  });

  it('keeps the last known good catalog when the connection drops, and relists on return', async () => {
    const { clock, fake, upstream } = create();
    await upstream.start();
    fake.state.tools = ['echo', 'sum'];
    fake.state.down = true;
    await clock.advance(5000);
    await fake.state.servers[0]!.close();
    await clock.advance(0);
    expect(upstream.state).toMatchObject({ status: 'down', since: clock.now() });
    expect(upstream.catalog?.tools.map((t) => t.name)).toEqual(['echo']);
    fake.state.down = false;
    await clock.advance(1000);
    expect(upstream.state.status).toBe('up');
    expect(upstream.catalog?.tools.map((t) => t.name)).toEqual(['echo', 'sum']);
    await upstream.stop();
  });

  it('stops reconnecting once stopped', async () => {
    const { clock, fake, upstream } = create();
    fake.state.down = true;
    await upstream.start();
    await upstream.stop();
    await clock.advance(10_000);
    expect(fake.state.connects).toBe(1);
  });
});
