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

  /**
   * Starts replica `name` and waits for it to be ready: with the remote server up, or, once the
   * fleet disabled it (`disabled`), just ready.
   */
  async function startReplica(name: string, disabled = false): Promise<Replica> {
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
      disabled
        ? /listening on (http:\/\/\S+\/mcp)[\s\S]*control (\S+) \(operator[\s\S]*ready: \d of 1 servers up/
        : /listening on (http:\/\/\S+\/mcp)[\s\S]*control (\S+) \(operator[\s\S]*(ready: 1 of 1 servers up|ready: 0 of 1 servers up[\s\S]*up +remote)/,
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

  /** The replica that made the stream's last probe: the lease holder while the server is probed. */
  async function prober(): Promise<Replica> {
    const name = (await streamEvents())
      .filter((e) => e.event_type === 'health_check_completed')
      .at(-1)!.replica;
    return replicas.find((r) => r.name === name)!;
  }

  /** Stops a replica with SIGTERM: it gives its probe lease up on the way out. */
  async function stopReplica(r: Replica): Promise<void> {
    r.cli.child.kill('SIGTERM');
    await r.cli.exited;
  }

  /** Waits until the stream has not grown for a second; its length then. */
  async function quietStream(): Promise<number> {
    return eventually(
      async () => {
        const before = (await streamEvents()).length;
        await new Promise((r) => setTimeout(r, 1000));
        return (await streamEvents()).length === before ? before : undefined;
      },
      15_000,
      'a quiet stream',
    );
  }

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

  // The replica the case below starts last (so it does not hold the probe lease).
  let latecomer: Replica | undefined;
  it("holds one replica's disable of the shared server for the whole fleet, as the lease moves and replicas restart", async () => {
    // Told on one replica that does not hold the probe lease: the holder was not told.
    const holder = await prober();
    const told = replicas.find((r) => r !== holder)!;
    const third = replicas.find((r) => r !== holder && r !== told)!;
    const disabled = await runCli('monitor', 'disable', 'remote', '--control', told.control);
    expect(disabled).toMatchObject({ code: 0, stderr: '' });
    // The holder stops probing: the stream goes quiet.
    await quietStream();
    const quietAt = Date.now();
    // The lease moves to the one replica left, which was not told either.
    for (const r of [holder, told]) await stopReplica(r);
    await new Promise((r) => setTimeout(r, LEASE_TTL_MS * 1.5));
    // The two come back (they fold the stream, disable included, before their monitors start);
    // the third goes, so the lease moves to one of them; then the third comes back.
    for (const r of [holder, told])
      replicas[replicas.indexOf(r)] = await startReplica(r.name, true);
    await stopReplica(third);
    await new Promise((r) => setTimeout(r, LEASE_TTL_MS * 1.5));
    latecomer = await startReplica(third.name, true);
    replicas[replicas.indexOf(third)] = latecomer;
    const events = await streamEvents();
    expect(
      events
        .filter(
          (e) => e.event_type === 'health_check_completed' && Date.parse(e.timestamp) > quietAt,
        )
        .map((e) => `${e.replica} ${e.timestamp}`),
    ).toEqual([]);
    // One disable in the stream, the told replica's: nobody repeated it.
    expect(events.filter((e) => e.event_type === 'server_disabled').map((e) => e.replica)).toEqual([
      told.name,
    ]);
    // Every replica's fleet view says disabled.
    for (const r of replicas) {
      const eco = (await (await fetch(r.url.replace(/\/mcp$/, '/health/ecosystem'))).json()) as {
        details: { server_name: string; lifecycle: string }[];
      };
      expect(eco.details.find((d) => d.server_name === 'remote')?.lifecycle).toBe('disabled');
    }
  }, 60_000);

  it('replays the stream into the /health/ecosystem of every replica', async () => {
    // Disabled by the case above, the server is probed by nobody: the stream goes quiet and
    // every fold ends.
    const settled = await quietStream();
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

  it("has the lease holder probe again at one replica's enable, though it was not told", async () => {
    // The replica started last does not hold the lease: another took it while it was down.
    const told = latecomer!;
    const enabledAt = Date.now();
    const enabled = await runCli('monitor', 'enable', 'remote', '--control', told.control);
    expect(enabled).toMatchObject({ code: 0, stderr: '' });
    const probe = await eventually(
      async () =>
        (await streamEvents()).find(
          (e) => e.event_type === 'health_check_completed' && Date.parse(e.timestamp) > enabledAt,
        ),
      LEASE_TTL_MS * 2,
      'a probe after the enable',
    );
    expect(probe.replica).not.toBe(told.name);
    const events = await streamEvents();
    expect(events.filter((e) => e.event_type === 'server_enabled').map((e) => e.replica)).toEqual([
      told.name,
    ]);
  }, 30_000);
});
