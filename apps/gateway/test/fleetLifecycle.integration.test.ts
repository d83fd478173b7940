import { createEventFactory } from '@selfheal/events';
import type { SelfhealEvent } from '@selfheal/schemas';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/loadConfig.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { startTestUpstream, type TestUpstream } from './helpers/testUpstream.js';

// A replica that holds the probe lease (RFC 0018) follows the fleet's lifecycle of a shared
// server: another replica's operator disables or enables it, and this one's monitor stops or
// starts as if told itself. The stream is fed by hand; the upstream is a real HTTP server.
describe("a replica following the fleet's disable and enable of a shared server", () => {
  const running: { gateway: Gateway; upstream: TestUpstream }[] = [];
  afterEach(async () => {
    for (const { gateway, upstream } of running.splice(0)) {
      await gateway.stop();
      await upstream.stop();
    }
  });

  async function replica(
    before: (stream: Subject<SelfhealEvent>, other: Other) => void = () => {},
    caughtUp = () => true,
  ) {
    const upstream = await startTestUpstream();
    const config = resolveConfig(
      {
        mcpServers: {
          remote: {
            url: upstream.url,
            health_check: { interval_seconds: 0.2, probes: ['ping'], jitter: 0 },
          },
        },
      },
      'test.json',
    );
    const stream = new Subject<SelfhealEvent>();
    const gateway = createGateway({
      config,
      // This replica holds the lease: only the fleet's lifecycle may stop its probes.
      fleet: { replica: 'gw-a', events$: stream, probesRemote: () => true, caughtUp },
    });
    running.push({ gateway, upstream });
    const own: SelfhealEvent[] = [];
    gateway.bus.events$.subscribe((event) => own.push(event));
    const factory = createEventFactory({ replica: 'gw-b' });
    const other: Other = (type) =>
      stream.next(factory.create(type, { server_name: 'remote', operator: 'uid 1000 (pid 7)' }));
    before(stream, other);
    await gateway.start();
    const probes = () =>
      own.filter((e) => e.event_type === 'health_check_completed' && e.server_name === 'remote')
        .length;
    return {
      gateway,
      stream,
      own,
      other,
      probes,
      session: () => gateway.monitor.servers.get('remote'),
    };
  }

  type Other = (type: 'server_disabled' | 'server_enabled') => void;

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function until(condition: () => boolean, what: string, ms = 5000) {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
      await sleep(20);
    }
  }

  it("stops probing and closes its session at another replica's disable, and starts again at its enable", async () => {
    const r = await replica();
    await until(() => r.probes() >= 2, 'two probes');
    expect(r.session()?.client).toBeDefined();
    // Its own events come back through the stream: folded once, on its bus, not again.
    for (const event of [...r.own]) r.stream.next(event);
    const status = r.gateway.monitor.control({ action: 'status', server: 'remote' });
    const probedSoFar = r.probes();
    expect((await status).state).toMatchObject({
      remote: { consecutive_successes: probedSoFar },
    });
    r.other('server_disabled');
    await until(() => r.session()?.client === undefined, 'the session closed');
    const probed = r.probes();
    await sleep(1000); // five intervals
    expect(r.probes()).toBe(probed);
    expect(r.gateway.health().servers.remote?.lifecycle).toBe('disabled');
    // Its own operator told too: already disabled, so no second server_disabled of its own.
    expect((await r.gateway.monitor.control({ action: 'disable', server: 'remote' })).ok).toBe(
      true,
    );
    expect(r.own.map((e) => e.event_type)).not.toContain('server_disabled');
    r.other('server_enabled');
    await until(() => r.probes() >= probed + 2, 'probes again after the enable');
    expect(r.session()?.client).toBeDefined();
    expect(r.own.map((e) => e.event_type)).not.toContain('server_enabled');
  }, 15_000);

  it('probes nothing, and opens no session, when the stream it folds first says disabled', async () => {
    const r = await replica((_stream, other) => other('server_disabled'));
    await sleep(1000);
    expect(r.probes()).toBe(0);
    expect(r.session()?.client).toBeUndefined();
    r.other('server_enabled');
    await until(() => r.probes() >= 1, 'a probe after the enable');
  }, 15_000);

  it("reads its own earlier run's disable in the stream, restarted", async () => {
    const own = createEventFactory({ replica: 'gw-a' });
    const r = await replica((stream) =>
      stream.next({
        ...own.create('server_disabled', { server_name: 'remote', operator: 'uid 1000 (pid 6)' }),
        timestamp: new Date(Date.now() - 60_000).toISOString(), // before this run began
      }),
    );
    await sleep(1000);
    expect(r.probes()).toBe(0);
    expect(r.session()?.client).toBeUndefined();
  }, 15_000);

  it('enables, for the fleet, a server a config disabled once its own config runs it again', async () => {
    const own = createEventFactory({ replica: 'gw-a' });
    // Its earlier run had `disabled: true` in its config; this run's config has not.
    const r = await replica((stream) =>
      stream.next({
        ...own.create('server_disabled', { server_name: 'remote', operator: 'config' }),
        timestamp: new Date(Date.now() - 60_000).toISOString(),
      }),
    );
    await until(() => r.probes() >= 1, 'a probe');
    const enabled = r.own.filter((e) => e.event_type === 'server_enabled');
    expect(enabled).toEqual([
      expect.objectContaining({ server_name: 'remote', operator: 'config' }),
    ]);
    const status = await r.gateway.monitor.control({ action: 'status', server: 'remote' });
    expect(status.state).toMatchObject({ remote: { lifecycle: 'running' } });
  }, 15_000);

  it("ends as the fleet's order says when its own disable and another replica's disable and enable cross", async () => {
    const r = await replica();
    await until(() => r.probes() >= 2, 'two probes');
    // Its operator disables; before that reaches the stream, another replica's operator
    // disabled and enabled it, so the stream reads: theirs, theirs, then this one's.
    expect((await r.gateway.monitor.control({ action: 'disable', server: 'remote' })).ok).toBe(
      true,
    );
    const ownDisable = r.own.find((e) => e.event_type === 'server_disabled')!;
    r.other('server_disabled');
    r.other('server_enabled');
    // Folded in arrival order, its view is enabled again, and it starts probing.
    await until(() => r.session()?.client !== undefined, 'watching again after the enable');
    // Its own disable comes back from the stream, last: the fleet's view is disabled.
    r.stream.next(ownDisable);
    expect(r.gateway.health().servers.remote?.lifecycle).toBe('disabled');
    await until(() => r.session()?.client === undefined, 'stopped, as the fleet says');
    const probed = r.probes();
    await sleep(600);
    expect(r.probes()).toBe(probed);
    const events = r.own.map((e) => e.event_type);
    expect(events.filter((t) => t === 'server_disabled')).toHaveLength(1);
    expect(events).not.toContain('server_enabled');
  }, 15_000);

  /** The stream's config disable of `remote` by `replica`, from before this run. */
  const configDisable = (replica: string) => (stream: Subject<SelfhealEvent>) =>
    stream.next({
      ...createEventFactory({ replica }).create('server_disabled', {
        server_name: 'remote',
        operator: 'config',
      }),
      timestamp: new Date(Date.now() - 60_000).toISOString(),
    });

  it("leaves another replica's config disable to that replica", async () => {
    const r = await replica(configDisable('gw-b'));
    await sleep(1000);
    expect(r.probes()).toBe(0);
    expect(r.own.map((e) => e.event_type)).not.toContain('server_enabled');
  }, 15_000);

  it('decides nothing from a stream it has not read to the end in time', async () => {
    const r = await replica(configDisable('gw-a'), () => false);
    await sleep(1000);
    expect(r.probes()).toBe(0);
    expect(r.own.map((e) => e.event_type)).not.toContain('server_enabled');
  }, 15_000);
});
