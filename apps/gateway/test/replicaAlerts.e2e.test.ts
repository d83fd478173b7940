import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectNats, type NatsLink, readStream } from '@selfheal/events/nats';
import {
  freePort,
  hasNatsServer,
  startNatsServer,
  type TestNatsServer,
} from '@selfheal/events/nats/testing';
import type { SelfhealEvent } from '@selfheal/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertReceiver, startAlertReceiver } from './helpers/alertReceiver.js';
import { hook } from './helpers/alertsFolder.js';
import { type CliProcess, startCli } from './helpers/cliProcess.js';
import { type HttpUpstream, startEverythingHttp } from './helpers/upstreams.js';

// Three `selfheal start` replicas with alerts on one JetStream stream (RFC 0018, RFC 0015): an
// outage of the remote server they share pages once, from the replica holding the probe lease,
// and still once when that replica is SIGKILLed mid-outage (the next holder resolves it).
const LEASE_TTL_MS = 3000;
const STREAM = 'FLEET_ALERTS';

/** A TCP door to the upstream on a fixed port: closed, the server is down for the replicas. */
interface Door {
  readonly port: number;
  open(): Promise<void>;
  close(): Promise<void>;
}

async function startDoor(target: URL): Promise<Door> {
  const port = await freePort();
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const door: Door = {
    port,
    open: () =>
      new Promise((resolve, reject) => {
        server = createServer((client) => {
          const upstream = tcpConnect(Number(target.port), target.hostname);
          for (const s of [client, upstream]) {
            sockets.add(s);
            s.on('close', () => sockets.delete(s));
            s.on('error', () => s.destroy());
          }
          client.pipe(upstream).pipe(client);
        });
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      }),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        if (!server) return resolve();
        server.close(() => resolve());
        server = undefined;
      }),
  };
  await door.open();
  return door;
}

interface Replica {
  name: string;
  cli: CliProcess;
}

// CI installs nats-server (.ci/run): there a missing binary fails instead of skipping.
describe.skipIf(!hasNatsServer() && !process.env.CI)('alerts of a fleet of replicas', () => {
  let nats: TestNatsServer;
  let upstream: HttpUpstream;
  let door: Door;
  let receiver: AlertReceiver;
  let link: NatsLink;
  const root = mkdtempSync(join(tmpdir(), 'selfheal-fleet-alerts-'));
  const replicas: Replica[] = [];

  async function startReplica(name: string): Promise<Replica> {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    const config = join(dir, 'selfheal.json');
    const path = new URL(upstream.url).pathname;
    writeFileSync(
      config,
      JSON.stringify({
        mcpServers: {
          remote: {
            url: `http://127.0.0.1:${door.port}${path}`,
            health_check: { interval_seconds: 0.5, probes: ['ping'], jitter: 0 },
          },
        },
        event_emission: {
          path: 'events.jsonl',
          nats: { servers: [nats.url], stream: STREAM, replica: name, lease_ttl_ms: LEASE_TTL_MS },
        },
        alerts: {
          rules: { down: { type: 'down', after_seconds: 1 } },
          sinks: { hook: { type: 'webhook', url: `${receiver.url}/hook` } },
          delivery: { timeout_seconds: 2, retry: { initial_seconds: 0.5, max_seconds: 2 } },
        },
      }),
    );
    const cli = startCli(['start', '--config', config, '--port', '0', '--call-log', 'off'], dir);
    // A replica without the lease has not probed yet: its connection is up, its health unknown.
    await cli.until(/ready: 1 of 1 servers up|ready: 0 of 1 servers up[\s\S]*up +remote/);
    return { name, cli };
  }

  async function streamEvents(): Promise<SelfhealEvent[]> {
    const all: SelfhealEvent[] = [];
    for await (const batch of readStream(link)) {
      for (const m of batch) if ('event' in m) all.push(m.event);
    }
    return all;
  }

  beforeAll(async () => {
    nats = await startNatsServer();
    upstream = await startEverythingHttp('streamableHttp');
    door = await startDoor(new URL(upstream.url));
    receiver = await startAlertReceiver();
    for (const name of ['gw-1', 'gw-2', 'gw-3']) replicas.push(await startReplica(name));
    link = await connectNats({ servers: [nats.url], stream: STREAM });
  }, 60_000);

  afterAll(async () => {
    await link?.close();
    for (const r of replicas) {
      if (r.cli.child.exitCode === null && r.cli.child.signalCode === null) {
        r.cli.child.kill('SIGTERM');
        await r.cli.exited;
      }
    }
    await receiver?.close();
    await door?.close();
    await upstream?.stop();
    await nats?.dispose();
    rmSync(root, { recursive: true, force: true });
  }, 30_000);

  it('pages once for an outage of the shared server, and once still when the lease holder dies mid-outage', async () => {
    for (const r of replicas)
      expect(r.cli.stderr()).not.toMatch(/pages three times|warning: alerts/);
    await door.close();
    const [trigger] = await receiver.until(1, hook('trigger'), 15_000);
    const alertId = (trigger!.json.alert as { id: string }).id;
    // The holder waits up to 2 s for its alert_fired to reach the stream before it sends (the
    // log wait); on a loaded machine the page can come first: read until it is there.
    let fired: SelfhealEvent[] = [];
    for (const deadline = Date.now() + 10_000; fired.length === 0 && Date.now() < deadline; ) {
      fired = (await streamEvents()).filter((e) => e.event_type === 'alert_fired');
      if (fired.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(fired).toHaveLength(1);
    const holder = replicas.find((r) => r.name === fired[0]!.replica)!;
    expect(holder).toBeDefined();
    // Killed once its delivery is on record in the stream. (Killed between the receiver's 2xx and
    // that record, the next holder sends the same notice again, same notice id: RFC 0015's one
    // window, left to the receiver's dedupe.)
    const deadline0 = Date.now() + 10_000;
    while (
      !(await streamEvents()).some(
        (e) => e.event_type === 'alert_delivered' && e.replica === holder.name,
      )
    ) {
      if (Date.now() > deadline0) throw new Error('no alert_delivered in the stream within 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }

    // The holder dies with the server still down; another replica takes the lease over.
    const killedAt = Date.now();
    holder.cli.child.kill('SIGKILL');
    await holder.cli.exited;
    let next: SelfhealEvent | undefined;
    const deadline = Date.now() + LEASE_TTL_MS * 4;
    while (!next && Date.now() < deadline) {
      next = (await streamEvents()).find(
        (e) =>
          e.event_type === 'health_check_completed' &&
          e.replica !== holder.name &&
          Date.parse(e.timestamp) > killedAt,
      );
      if (!next) await new Promise((r) => setTimeout(r, 200));
    }
    expect(next, 'a probe by the next lease holder').toBeDefined();
    // Down for a while under the new holder: the alert is open already, nothing pages again.
    await new Promise((r) => setTimeout(r, 3000));
    const notices = receiver.received.filter(hook('trigger')).map((r) => r.json.notice_id);
    expect(notices).toEqual([trigger!.json.notice_id]);

    await door.open();
    const [resolve] = await receiver.until(1, hook('resolve'), 20_000);
    expect((resolve!.json.alert as { id: string }).id).toBe(alertId);
    // Settled: nothing more on its way from any replica.
    await new Promise((r) => setTimeout(r, 3000));
    expect(receiver.received.filter(hook('trigger'))).toHaveLength(1);
    expect(receiver.received.filter(hook('resolve'))).toHaveLength(1);
    const events = await streamEvents();
    expect(events.filter((e) => e.event_type === 'alert_fired')).toHaveLength(1);
    const resolved = events.filter((e) => e.event_type === 'alert_resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.replica).not.toBe(holder.name);
  }, 60_000);

  it('delivers once, from the next lease holder, an alert whose firing holder died before any delivery succeeded', async () => {
    const live = replicas.filter((r) => r.cli.child.exitCode === null && !r.cli.child.signalCode);
    expect(live.length).toBeGreaterThanOrEqual(2);
    const before = (await streamEvents()).filter((e) => e.event_type === 'alert_fired').length;
    receiver.status = 503;
    await door.close();
    let fired: SelfhealEvent | undefined;
    const deadline = Date.now() + 15_000;
    while (!fired) {
      const events = await streamEvents();
      const all = events.filter((e) => e.event_type === 'alert_fired');
      // Fired and refused at least once: owed, delivered nowhere.
      if (
        all.length > before &&
        events.some(
          (e) => e.event_type === 'alert_delivery_failed' && e.notice_id === all.at(-1)!.event_id,
        )
      )
        fired = all.at(-1);
      else if (Date.now() > deadline) throw new Error('no refused alert_fired within 15 s');
      else await new Promise((r) => setTimeout(r, 100));
    }
    const holder = live.find((r) => r.name === fired.replica)!;
    holder.cli.child.kill('SIGKILL');
    await holder.cli.exited;
    receiver.status = 202;
    const [trigger] = await receiver.until(
      1,
      (r) => hook('trigger')(r) && r.json.notice_id === fired.event_id,
      20_000,
    );
    expect((trigger!.json.alert as { id: string }).id).toBe(fired.alert_id);
    await door.open();
    await receiver.until(
      1,
      (r) => hook('resolve')(r) && (r.json.alert as { id: string }).id === fired.alert_id,
      20_000,
    );
    await new Promise((r) => setTimeout(r, 3000));
    const ofThis = (action: string) =>
      receiver.received.filter(
        (r) => hook(action)(r) && (r.json.alert as { id: string }).id === fired.alert_id,
      );
    expect(ofThis('trigger')).toHaveLength(1);
    expect(ofThis('resolve')).toHaveLength(1);
    const events = await streamEvents();
    expect(events.filter((e) => e.event_type === 'alert_fired')).toHaveLength(before + 1);
  }, 60_000);
});
