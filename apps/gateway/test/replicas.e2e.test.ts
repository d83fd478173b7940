import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectNats, type NatsLink, readStream } from '@selfheal/events/nats';
import { hasNatsServer, startNatsServer, type TestNatsServer } from '@selfheal/events/nats/testing';
import type { SelfhealEvent } from '@selfheal/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliProcess, startCli } from './helpers/cliProcess.js';
import { runCli } from './helpers/runCli.js';
import { type HttpUpstream, startEverythingHttp } from './helpers/upstreams.js';

// Three `selfheal start` replicas sharing one JetStream stream (RFC 0018), against a real
// `nats-server -js` (installed by .ci/run) and a real HTTP MCP server.
const LEASE_TTL_MS = 3000;
const STREAM = 'FLEET';
const VERSION = '2026-07-28';

interface Replica {
  name: string;
  dir: string;
  cli: CliProcess;
  url: string;
  control: string;
}

// CI installs nats-server (.ci/run): there a missing binary fails instead of skipping.
describe.skipIf(!hasNatsServer() && !process.env.CI)('gateway replicas on NATS JetStream', () => {
  let nats: TestNatsServer;
  let upstream: HttpUpstream;
  let link: NatsLink;
  const root = mkdtempSync(join(tmpdir(), 'selfheal-replicas-'));
  const replicas: Replica[] = [];

  async function startReplica(name: string): Promise<Replica> {
    const dir = join(root, name);
    const config = join(dir, 'selfheal.json');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      config,
      JSON.stringify({
        mcpServers: {
          remote: {
            url: upstream.url,
            health_check: { interval_seconds: 0.5, probes: ['ping'], jitter: 0 },
          },
        },
        event_emission: {
          path: 'events.jsonl',
          nats: { servers: [nats.url], stream: STREAM, replica: name, lease_ttl_ms: LEASE_TTL_MS },
        },
      }),
    );
    const cli = startCli(['start', '--config', config, '--port', '0', '--call-log', 'off'], dir);
    const [, url, control] = await cli.until(
      /listening on (http:\/\/\S+\/mcp)[\s\S]*control (\S+) \(operator[\s\S]*(ready: 1 of 1 servers up|ready: 0 of 1 servers up[\s\S]*up +remote)/,
    );
    return { name, dir, cli, url: url!, control: control! };
  }

  /** Every event of the stream now, in stream order. */
  async function streamEvents(): Promise<SelfhealEvent[]> {
    const all: SelfhealEvent[] = [];
    for await (const batch of readStream(link)) {
      for (const m of batch) if ('event' in m) all.push(m.event);
    }
    return all;
  }

  /** The events a replica's log holds (its own). */
  const logged = (r: Replica): SelfhealEvent[] =>
    readFileSync(join(r.dir, 'events.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as SelfhealEvent];
        } catch {
          return []; // a line torn by SIGKILL
        }
      });

  /** Polls `probe` until it returns a value, failing after `ms` (a deadline, not a pass condition). */
  async function eventually<T>(probe: () => Promise<T | undefined>, ms: number, what: string) {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    nats = await startNatsServer();
    upstream = await startEverythingHttp('streamableHttp');
    for (const name of ['gw-1', 'gw-2', 'gw-3']) replicas.push(await startReplica(name));
    link = await connectNats({ servers: [nats.url], stream: STREAM });
  }, 60_000);

  afterAll(async () => {
    await link?.close();
    for (const r of replicas) {
      r.cli.child.kill('SIGTERM');
      await r.cli.exited;
    }
    await upstream?.stop();
    await nats?.dispose();
    rmSync(root, { recursive: true, force: true });
  }, 30_000);

  let nextId = 1;
  async function post(r: Replica, method: string, params: Record<string, unknown>) {
    const response = await fetch(r.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': VERSION,
        'mcp-method': method,
        ...(typeof params.name === 'string' && { 'mcp-name': params.name }),
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: nextId++,
        method,
        params: {
          ...params,
          _meta: {
            'io.modelcontextprotocol/protocolVersion': VERSION,
            'io.modelcontextprotocol/clientCapabilities': {},
            'io.modelcontextprotocol/clientInfo': { name: 'replica-test', version: '1.0.0' },
          },
        },
      }),
    });
    const text = await response.text();
    const body = response.headers.get('content-type')?.includes('text/event-stream')
      ? text
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map((line) => JSON.parse(line.slice(6)))
          .at(-1)
      : JSON.parse(text);
    return { status: response.status, body };
  }

  it('serves a 2026-07-28 client alternating between the replicas without an error', async () => {
    for (let i = 0; i < 9; i++) {
      const r = replicas[i % 3]!;
      const listed = await post(r, 'tools/list', {});
      expect(listed.status).toBe(200);
      expect(listed.body.error).toBeUndefined();
      expect(listed.body.result.tools.map((t: { name: string }) => t.name)).toContain(
        'remote__echo',
      );
      const called = await post(replicas[(i + 1) % 3]!, 'tools/call', {
        name: 'remote__echo',
        arguments: { message: `round ${i}` },
      });
      expect(called.body.error).toBeUndefined();
      expect(called.body.result.isError).not.toBe(true);
      expect(JSON.stringify(called.body.result.content)).toContain(`round ${i}`);
    }
  });

  it('names its replica in every event, and one replica at a time probes the remote server', async () => {
    const events = await streamEvents();
    expect(new Set(events.map((e) => e.replica))).toEqual(new Set(['gw-1', 'gw-2', 'gw-3']));
    const probes = events.filter((e) => e.event_type === 'health_check_completed');
    expect(probes.length).toBeGreaterThan(2);
    // Once the lease settled, one replica probes.
    expect(new Set(probes.slice(-3).map((e) => e.replica)).size).toBe(1);
  });

  it("gives each replica's dashboard the fleet's stream as its history, not its own log", async () => {
    const [first] = replicas;
    const page = first!.url.replace(/\/mcp$/, '/');
    const body = (await (await fetch(`${page}dashboard/api/events`)).json()) as {
      events: SelfhealEvent[];
      source: string;
    };
    expect(body.source).toBe('stream');
    // Every replica's events, where gw-1's log has its own only.
    expect(new Set(body.events.map((e) => e.replica))).toEqual(new Set(['gw-1', 'gw-2', 'gw-3']));
    expect(new Set(logged(first!).map((e) => e.replica))).toEqual(new Set(['gw-1']));
    // In the stream's order (the order the fleet folds): the stream read afterwards starts so.
    const ids = (await streamEvents()).map((e) => e.event_id);
    expect(ids.slice(0, body.events.length)).toEqual(body.events.map((e) => e.event_id));
  });

  it('has another replica probe within the lease TTL after the holder is SIGKILLed mid-write', async () => {
    const before = await streamEvents();
    const holderName = before.filter((e) => e.event_type === 'health_check_completed').at(-1)!
      .replica as string;
    const holder = replicas.find((r) => r.name === holderName)!;
    // Mid-write: calls keep its bus and log busy while it dies.
    const load = Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        post(holder, 'tools/call', { name: 'remote__echo', arguments: { message: `x${i}` } }),
      ),
    );
    const killedAt = Date.now();
    holder.cli.child.kill('SIGKILL');
    await holder.cli.exited;
    await load;
    const takeover = await eventually(
      async () =>
        (await streamEvents()).find(
          (e) =>
            e.event_type === 'health_check_completed' &&
            e.replica !== holderName &&
            Date.parse(e.timestamp) > killedAt,
        ),
      LEASE_TTL_MS * 3,
      'a probe by another replica',
    );
    expect(Date.parse(takeover.timestamp) - killedAt).toBeLessThan(LEASE_TTL_MS);

    // Restarted, it sends what its log holds and the stream does not, once.
    const index = replicas.indexOf(holder);
    replicas[index] = await startReplica(holderName);
    await eventually(
      async () => {
        const ids = new Set((await streamEvents()).map((e) => e.event_id));
        return logged(replicas[index]!).every((e) => ids.has(e.event_id)) ? true : undefined;
      },
      10_000,
      `every event of ${holderName}'s log in the stream`,
    );
    const ids = (await streamEvents()).map((e) => e.event_id);
    expect(new Set(ids).size).toBe(ids.length);
  }, 30_000);

  it('keeps every event, once, through 10 s without NATS', async () => {
    const cutAt = Date.now();
    await nats.stop();
    await new Promise((r) => setTimeout(r, 10_000));
    const backAt = Date.now();
    await nats.start();
    await eventually(
      async () => {
        const ids = new Set((await streamEvents().catch(() => [])).map((e) => e.event_id));
        return replicas.every((r) => logged(r).every((e) => ids.has(e.event_id)))
          ? true
          : undefined;
      },
      15_000,
      'every event of every log in the stream',
    );
    const events = await streamEvents();
    const ids = events.map((e) => e.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    // Events of the outage reached the stream afterwards: cut off from NATS for longer than a
    // lease, each replica probed the remote server itself.
    const during = events.filter(
      (e) =>
        e.event_type === 'health_check_completed' &&
        Date.parse(e.timestamp) > cutAt + LEASE_TTL_MS &&
        Date.parse(e.timestamp) < backAt,
    );
    expect(new Set(during.map((e) => e.replica)).size).toBeGreaterThan(1);
  }, 45_000);

  it('replays the stream into the /health/ecosystem of every replica', async () => {
    // Disabled, the server is probed by nobody: the stream goes quiet and every fold ends. A
    // disable is each replica's own (RFC 0018 "Left"): after the outage above any replica may
    // hold the probe lease, and one that was not told goes on probing, so every one is told.
    for (const r of replicas) {
      const disabled = await runCli('monitor', 'disable', 'remote', '--control', r.control);
      expect(disabled).toMatchObject({ code: 0, stderr: '' });
    }
    const settled = await eventually(
      async () => {
        const [a, b] = [(await streamEvents()).length, undefined];
        await new Promise((r) => setTimeout(r, 1000));
        return (await streamEvents()).length === a ? a : b;
      },
      15_000,
      'a quiet stream',
    );
    expect(settled).toBeGreaterThan(0);
    const replay = await runCli('replay', `${nats.url}/${STREAM}`, '--json');
    expect(replay.code).toBe(0);
    const report = JSON.parse(replay.stdout);
    expect(report.servers.remote.state.lifecycle).toBe('disabled');
    // Health is the fleet's; trust is each replica's own (scored from the calls it served,
    // RFC 0017 "Not yet"), so every field but the details' trust must agree.
    type Eco = Record<string, unknown> & { details: Record<string, unknown>[] };
    const withoutTrust = ({ timestamp: _, details, ...rest }: Eco) => ({
      ...rest,
      details: details.map(({ trust: __, ...d }) => d),
    });
    const folded = withoutTrust(report.ecosystem as Eco);
    for (const r of replicas) {
      const response = await fetch(r.url.replace(/\/mcp$/, '/health/ecosystem'));
      expect(withoutTrust((await response.json()) as Eco)).toEqual(folded);
    }
  }, 30_000);
});
