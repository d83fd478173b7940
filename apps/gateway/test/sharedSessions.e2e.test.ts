import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  LoggingMessageNotificationSchema,
  type McpError,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTransportFactory } from '../src/upstream/transportFactory.js';
import { type RunningGateway, startGateway } from './helpers/gatewayHarness.js';
import { readJsonBody } from './helpers/testUpstream.js';
import {
  EVERYTHING,
  everythingStdio,
  type HttpUpstream,
  startEverythingHttp,
} from './helpers/upstreams.js';

const hasProc = existsSync('/proc/self/cmdline');

/**
 * Live children of this process (the gateway runs in it) whose command line names `marker`
 * (the server-everything entry point); other test files run their own copies.
 */
function processesRunning(marker: string): number {
  let count = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker))
        count++;
    } catch {
      // exited meanwhile
    }
  }
  return count;
}

/** Polls `condition` every 20 ms until it holds or `ms` pass; returns whether it held. */
async function eventually(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/**
 * Two clients A and B of `gw`, each calling server-everything's `trigger-sampling-request` at
 * once and answering its sampling request with "by A" / "by B" after `wait(who)`; resolves with
 * both results and how often each was asked.
 */
async function samplingRace(gw: RunningGateway, wait: (who: 'A' | 'B') => Promise<unknown>) {
  const asked: Record<string, number> = { A: 0, B: 0 };
  const sampler = async (who: 'A' | 'B') => {
    const client = await gw.connect({ sampling: {} }, `sampler-${who}`);
    client.setRequestHandler(CreateMessageRequestSchema, async () => {
      asked[who]!++;
      await wait(who);
      return { model: 'm', role: 'assistant', content: { type: 'text', text: `by ${who}` } };
    });
    return client;
  };
  const call = (client: Client) =>
    client.callTool({
      name: 'ev__trigger-sampling-request',
      arguments: { prompt: 'hello', maxTokens: 5 },
    });
  const clients = await Promise.all([sampler('A'), sampler('B')]);
  const [a, b] = await Promise.all(clients.map(call));
  return { texts: [JSON.stringify(a), JSON.stringify(b)], asked };
}

describe('shared upstream connections (RFC 0010)', () => {
  let gw: RunningGateway;
  /** Client sessions of their own the gateway opened, by server. */
  const opened: string[] = [];

  beforeAll(async () => {
    gw = await startGateway(
      {
        mcpServers: { ev: everythingStdio() },
        gateway: { client_sessions: { max_per_server: 3, idle_timeout_seconds: 2 } },
      },
      [],
      {
        gatewayOptions: {
          factory: (spec) => {
            opened.push(spec.name);
            return defaultTransportFactory(spec);
          },
        },
      },
    );
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
  });

  const ev = () => gw.gateway.upstreams.find((u) => u.spec.name === 'ev')!;

  it('serves 100 sessions that call a tool and vanish without one process of their own', async () => {
    for (let batch = 0; batch < 5; batch++) {
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const client = await gw.connect({ sampling: {}, roots: {} }, `agent-${batch}-${i}`);
          const result = await client.callTool({
            name: 'ev__echo',
            arguments: { message: `hi ${batch}-${i}` },
          });
          expect(JSON.stringify(result)).toContain(`hi ${batch}-${i}`);
          await client.close();
        }),
      );
    }
    expect(opened).toEqual([]);
    expect(ev().clientSessions).toBe(0);
    if (hasProc) expect(processesRunning(EVERYTHING)).toBe(1);
  }, 120_000);

  it('gives a client that sets a log level a session of its own, closed when idle', async () => {
    const clients = await Promise.all([1, 2, 3].map((i) => gw.connect({}, `logger-${i}`)));
    await Promise.all(clients.map((c) => c.setLoggingLevel('debug')));
    expect(opened).toEqual(['ev', 'ev', 'ev']);
    expect(ev().clientSessions).toBe(3);
    if (hasProc) expect(processesRunning(EVERYTHING)).toBe(4);
    // Its calls go over its own session while it lasts.
    const echoed = await clients[0]!.callTool({ name: 'ev__echo', arguments: { message: 'own' } });
    expect(JSON.stringify(echoed)).toContain('own');
    expect(opened).toHaveLength(3);

    expect(await eventually(() => ev().clientSessions === 0, 10_000)).toBe(true);
    if (hasProc)
      expect(await eventually(() => processesRunning(EVERYTHING) === 1, 10_000)).toBe(true);

    // The next call reopens it, with the level it had (set again on the new session).
    await clients[1]!.callTool({ name: 'ev__echo', arguments: { message: 'again' } });
    expect(opened).toHaveLength(4);
    expect(ev().clientSessions).toBe(1);
  }, 60_000);

  it('refuses a session of its own past the bound, naming it', async () => {
    // The last test's sessions close when idle first.
    expect(await eventually(() => ev().clientSessions === 0, 10_000)).toBe(true);
    const more = await Promise.all([1, 2, 3, 4].map((i) => gw.connect({}, `more-${i}`)));
    await Promise.all(more.slice(0, 3).map((c) => c.setLoggingLevel('info')));
    expect(ev().clientSessions).toBe(3);
    const error = (await more[3]!.setLoggingLevel('info').catch((e: unknown) => e)) as McpError;
    expect(error.code).toBe(-32011);
    expect(error.message).toMatch(/max_per_server.*\(3\)/);
    expect(ev().clientSessions).toBe(3);
  }, 60_000);

  it('over stdio, never sends one client’s sampling request to another: with two calls in flight it is refused', async () => {
    // Slow answers keep both calls in flight while the other's request arrives.
    const { texts, asked } = await samplingRace(
      gw,
      () => new Promise((resolve) => setTimeout(resolve, 300)),
    );
    // Whatever reached a client is its own; at least one was refused as ambiguous.
    expect(texts[0]).not.toContain('by B');
    expect(texts[1]).not.toContain('by A');
    expect(texts.join(' ')).toMatch(/cannot be tied to one client/);
    expect(asked.A! + asked.B!).toBeLessThanOrEqual(1);
  }, 60_000);
});

describe('shared Streamable HTTP connections: server requests by the stream they came on', () => {
  let upstream: HttpUpstream;
  let gw: RunningGateway;

  beforeAll(async () => {
    upstream = await startEverythingHttp('streamableHttp');
    gw = await startGateway({ mcpServers: { ev: { url: upstream.url } } });
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    await upstream?.stop();
  });

  it('sends each client its own sampling request with two calls in flight (it was refused as ambiguous)', async () => {
    let waiting = 0;
    let bothAsked: () => void;
    const both = new Promise<void>((resolve) => {
      bothAsked = resolve;
    });
    // Neither answers until both were asked: both calls are in flight when each request arrives
    // on the shared connection.
    const { texts, asked } = await samplingRace(gw, () => {
      if (++waiting === 2) bothAsked();
      // A refused request never asks its client: fail with that, not the test's timeout.
      return Promise.race([
        both,
        new Promise((_resolve, reject) =>
          setTimeout(() => reject(new Error('only one client was asked')), 5000),
        ),
      ]);
    });
    expect(texts[0]).toContain('by A');
    expect(texts[1]).toContain('by B');
    expect(asked).toEqual({ A: 1, B: 1 });
    // No session of its own was needed for it.
    expect(gw.gateway.upstreams.find((u) => u.spec.name === 'ev')!.clientSessions).toBe(0);
  }, 60_000);
});

/**
 * A Streamable HTTP server on 127.0.0.1 with one tool, `log` ({text}): once `together` calls of
 * it have arrived, each sends a log message with its text on its own stream; once all have, each
 * answers. So every log message reaches the gateway while all the calls are in flight.
 */
async function startLoggingUpstream(together: number) {
  const barrier = () => {
    let count = 0;
    let open: () => void;
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    return () => {
      if (++count === together) open();
      return opened;
    };
  };
  const arrived = barrier();
  const logged = barrier();
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const http = createServer(async (req, res) => {
    const body = await readJsonBody(req);
    const id = req.headers['mcp-session-id'];
    let transport = typeof id === 'string' ? transports.get(id) : undefined;
    if (!transport) {
      const t: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => void transports.set(sid, t),
      });
      const server = new Server(
        { name: 'logging-upstream', version: '1.0.0' },
        { capabilities: { tools: {}, logging: {} } },
      );
      server.fallbackRequestHandler = async (request, extra) => {
        if (request.method === 'tools/list')
          return { tools: [{ name: 'log', inputSchema: { type: 'object' } }] } as never;
        if (request.method !== 'tools/call')
          throw Object.assign(new Error('Method not found'), { code: -32601 });
        const text = String((request.params?.arguments as { text?: string })?.text);
        await arrived();
        await extra.sendNotification({
          method: 'notifications/message',
          params: { level: 'info', data: text },
        });
        await logged();
        return { content: [{ type: 'text', text }] } as never;
      };
      await server.connect(t);
      transport = t;
    }
    await transport.handleRequest(req, res, body);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    stop: () => {
      http.closeAllConnections();
      return new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

describe('shared Streamable HTTP connections: notifications by the stream they came on', () => {
  it('gives each client the log messages of its own call with two calls in flight (they were dropped)', async () => {
    const upstream = await startLoggingUpstream(2);
    const gw = await startGateway({ mcpServers: { up: { url: upstream.url } } });
    try {
      const logs: Record<string, unknown[]> = { A: [], B: [] };
      const clients = await Promise.all(
        (['A', 'B'] as const).map(async (who) => {
          const client = await gw.connect({}, `logger-${who}`);
          client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
            logs[who]!.push(n.params.data);
          });
          return client;
        }),
      );
      const results = await Promise.all(
        clients.map((client, i) =>
          client.callTool({ name: 'up__log', arguments: { text: `for ${'AB'[i]}` } }),
        ),
      );
      expect(results.map((r) => JSON.stringify(r))).toEqual([
        expect.stringContaining('for A'),
        expect.stringContaining('for B'),
      ]);
      expect(logs).toEqual({ A: ['for A'], B: ['for B'] });
    } finally {
      await gw.stop();
      await upstream.stop();
    }
  }, 60_000);
});
