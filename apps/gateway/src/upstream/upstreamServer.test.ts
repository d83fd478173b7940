import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport, Server } from '@modelcontextprotocol/server';
import { initialServerHealth, type ServerHealth } from '@selfheal/events';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/loadConfig.js';
import { createUpstreamServer, type SessionSource } from './upstreamServer.js';

const T0 = Date.UTC(2026, 10, 21, 10);
const clock = { now: () => T0, setTimeout: () => 0, clearTimeout: () => {} };

/** An in-memory MCP server listing `tools`; `client()` opens one more initialised session. */
function fakeServer(tools: string[]) {
  const servers: Server[] = [];
  return {
    tools,
    servers,
    async client(): Promise<Client> {
      const [a, b] = InMemoryTransport.createLinkedPair();
      const s = new Server(
        { name: 'fake', version: '1' },
        { capabilities: { tools: { listChanged: true } } },
      );
      s.fallbackRequestHandler = async (request) => {
        if (request.method === 'tools/list')
          return {
            tools: this.tools.map((name) => ({ name, inputSchema: { type: 'object' } })),
          } as never;
        throw new Error('unexpected');
      };
      servers.push(s);
      await s.connect(b);
      const c = new Client({ name: 'monitor', version: '1' });
      await c.connect(a);
      return c;
    },
  };
}

/** A stand-in for the server's monitor: hands out sessions and counts check requests. */
function fakeSource(): SessionSource & {
  client: Client | undefined;
  open(c: Client | undefined): void;
  checks: number;
} {
  const listeners = new Set<(c: Client | undefined) => void>();
  const source = {
    client: undefined as Client | undefined,
    checks: 0,
    onSession(listener: (c: Client | undefined) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    requestCheck() {
      source.checks++;
    },
    open(c: Client | undefined) {
      source.client = c;
      for (const listener of listeners) listener(c);
    },
  };
  return source;
}

const spec = resolveConfig({ mcpServers: { fake: { command: 'fake-server' } } }, 'test')
  .upstreams[0]!;

function create() {
  const source = fakeSource();
  let health: ServerHealth | undefined;
  const upstream = createUpstreamServer({ spec, clock, source, health: () => health });
  const setHealth = (fields: Partial<ServerHealth>) => {
    health = { ...initialServerHealth('fake', new Date(T0).toISOString()), ...fields };
    upstream.sync();
  };
  return { source, upstream, setHealth };
}

/** Resolves on the upstream's next `catalog` event. */
const nextCatalog = (upstream: ReturnType<typeof create>['upstream']) =>
  new Promise<string[]>((resolve) =>
    upstream.once('catalog', (c) => resolve(c.tools.map((t) => String(t.name)))),
  );

describe('createUpstreamServer', () => {
  it('lists its catalog over the monitor’s session and is up once listed', async () => {
    const fake = fakeServer(['echo']);
    const { source, upstream } = create();
    expect(upstream.state.status).toBe('connecting');
    source.client = await fake.client();
    await upstream.start();
    expect(upstream.state).toEqual({ status: 'up', since: T0 });
    expect(upstream.catalog?.tools.map((t) => t.name)).toEqual(['echo']);
    await upstream.stop();
  });

  it('lists again when the monitor opens a new session (a restarted process)', async () => {
    const fake = fakeServer(['echo']);
    const { source, upstream } = create();
    source.client = await fake.client();
    await upstream.start();
    source.open(undefined);
    expect(upstream.state.status).toBe('connecting');
    // The last known good catalog stays while there is no session.
    expect(upstream.catalog?.tools.map((t) => t.name)).toEqual(['echo']);
    fake.tools = ['echo', 'sum'];
    const listed = nextCatalog(upstream);
    source.open(await fake.client());
    expect(await listed).toEqual(['echo', 'sum']);
    expect(upstream.state.status).toBe('up');
    await upstream.stop();
  });

  it('follows list_changed on the monitor’s session', async () => {
    const fake = fakeServer(['echo']);
    const { source, upstream } = create();
    source.client = await fake.client();
    await upstream.start();
    fake.tools = ['echo', 'added'];
    const listed = nextCatalog(upstream);
    await fake.servers[0]!.sendToolListChanged();
    expect(await listed).toEqual(['echo', 'added']);
    await upstream.stop();
  });

  it('is down while the projection says so, recovering or waiting for an operator', async () => {
    const fake = fakeServer(['echo']);
    const { source, upstream, setHealth } = create();
    source.client = await fake.client();
    await upstream.start();
    setHealth({
      status: 'down',
      error: 'process exited (signal SIGKILL)',
      recovery_attempts: 2,
      // The session opened at T0 too: it is not newer than the outage.
      status_since: '2026-11-21T10:00:00.000Z',
      last_check_status: 'down',
    });
    expect(upstream.state).toEqual({
      status: 'down',
      since: Date.parse('2026-11-21T10:00:00.000Z'),
      error: 'process exited (signal SIGKILL)',
      attempt: 2,
      manual: false,
    });
    expect(upstream.describeUnavailable()).toBe(
      'server "fake" (stdio: fake-server) is down since 2026-11-21T10:00:00.000Z (process exited (signal SIGKILL)); the monitor is recovering it (2 attempts so far).',
    );
    setHealth({
      status: 'down',
      lifecycle: 'failed',
      requires_manual: true,
      error: 'boom',
      recovery_attempts: 5,
    });
    expect(upstream.state).toMatchObject({ status: 'down', manual: true, attempt: 5 });
    expect(upstream.describeUnavailable()).toMatch(
      /recovery stopped after 5 attempts; it waits for an operator \(fix the server, then `selfheal monitor reset fake` on the gateway's host starts it again\)\.$/,
    );
    setHealth({ status: 'ok', lifecycle: 'running' });
    expect(upstream.state.status).toBe('up');
    setHealth({ status: 'ok', lifecycle: 'disabled' });
    expect(upstream.state).toMatchObject({
      status: 'down',
      manual: true,
      error: 'disabled by an operator',
    });
    expect(upstream.describeUnavailable()).toMatch(
      /it stays down until an operator runs `selfheal monitor enable fake` on the gateway's host\.$/,
    );
    await upstream.stop();
  });

  it('regression: routes again once a session opens after an outage, before server_recovered', async () => {
    let now = T0;
    const moving = { now: () => now, setTimeout: () => 0, clearTimeout: () => {} };
    const fake = fakeServer(['echo']);
    const source = fakeSource();
    let health: ServerHealth | undefined;
    const upstream = createUpstreamServer({ spec, clock: moving, source, health: () => health });
    source.client = await fake.client();
    await upstream.start();
    const statuses: string[] = [];
    upstream.on('status', (state) => statuses.push(state.status));
    // SIGKILL: the monitor's session closes and the exit is server_down at once.
    now = T0 + 10;
    source.open(undefined);
    health = {
      ...initialServerHealth('fake', new Date(now).toISOString()),
      status: 'down',
      status_since: new Date(now).toISOString(),
      last_check_status: 'down',
      lifecycle: 'recovering',
      recovery_attempts: 1,
    };
    upstream.sync();
    expect(upstream.state.status).toBe('down');
    // Restarted 1.3 s later: the new session answered initialize; the W3 status is still down.
    now = T0 + 1310;
    const listed = nextCatalog(upstream);
    source.open(await fake.client());
    await listed;
    expect(upstream.state).toEqual({ status: 'up', since: T0 + 1310 });
    expect(statuses).toEqual(['connecting', 'down', 'up']);
    await upstream.stop();
  });

  it('emits status only on a change', async () => {
    const fake = fakeServer(['echo']);
    const { source, upstream, setHealth } = create();
    source.client = await fake.client();
    await upstream.start();
    const seen: string[] = [];
    upstream.on('status', (state) => seen.push(state.status));
    setHealth({ status: 'ok' });
    setHealth({ status: 'down', error: 'x' });
    setHealth({ status: 'down', error: 'x' });
    setHealth({ status: 'ok' });
    expect(seen).toEqual(['down', 'up']);
    await upstream.stop();
  });

  it('asks the monitor for a check when a client session reports a failure', async () => {
    const { source, upstream } = create();
    await upstream.reportFailure(new Error('socket hang up'));
    expect(source.checks).toBe(1);
    await upstream.stop();
    await upstream.reportFailure(new Error('again'));
    expect(source.checks).toBe(1);
  });
});
