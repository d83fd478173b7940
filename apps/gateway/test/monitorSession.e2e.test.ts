import { afterAll, describe, expect, it } from 'vitest';
import { recordEvents } from './helpers/faultyUpstream.js';
import { type RunningGateway, startGateway } from './helpers/gatewayHarness.js';
import { startTestUpstream, type TestUpstream } from './helpers/testUpstream.js';

describe('the monitor’s own Streamable HTTP session', () => {
  let upstream: TestUpstream;
  let gw: RunningGateway;

  afterAll(async () => {
    await gw?.stop();
    await upstream?.stop();
  });

  it('is opened again at once when the server forgot it (404): no failed check, no incident', async () => {
    upstream = await startTestUpstream();
    let events!: ReturnType<typeof recordEvents>;
    let up!: Promise<unknown>;
    gw = await startGateway(
      {
        mcpServers: { t: { url: upstream.url } },
        // One failed check would be enough for server_down here.
        health_check: {
          interval_seconds: 0.1,
          unhealthy_interval_seconds: 0.1,
          failure_threshold: 1,
          success_threshold: 1,
          startup_grace_seconds: 0,
        },
      },
      [],
      {
        beforeStart: (gateway) => {
          events = recordEvents(gateway);
          up = events.next('server_recovered', { server_name: 't' });
        },
      },
    );
    await up;
    const before = upstream.initializedBy.length;
    await upstream.forgetSessions();
    // Three more checks after the server forgot the session.
    for (let i = 0; i < 3; i++) await events.next('health_check_completed', { server_name: 't' });
    // The monitor's session is the gateway's shared connection (RFC 0010): it says "selfheal".
    expect(upstream.initializedBy.slice(before)).toEqual(['selfheal']);
    const afterForget = events.ofType('health_check_completed', { server_name: 't' }).slice(-3);
    expect(afterForget.map((e) => e.status)).toEqual(['ok', 'ok', 'ok']);
    expect(events.ofType('server_down')).toEqual([]);
    expect(gw.gateway.isDown('t')).toBe(false);
  }, 30_000);
});
