import { afterAll, describe, expect, it } from 'vitest';
import { nextNotification, type RunningGateway, startGateway } from './helpers/gatewayHarness.js';
import { startTestUpstream, type TestUpstream } from './helpers/testUpstream.js';

describe('gateway.degradation: hide', () => {
  let upstream: TestUpstream;
  let gw: RunningGateway;

  afterAll(async () => {
    await gw?.stop();
    await upstream?.stop();
  });

  it('hides a down server’s tools with tools/list_changed, and lists them again when it is back', async () => {
    upstream = await startTestUpstream();
    const port = Number(new URL(upstream.url).port);
    gw = await startGateway({
      mcpServers: { t: { url: upstream.url } },
      gateway: { degradation: 'hide' },
      // The in-process monitor decides when it is down: at the first failed check here.
      health_check: {
        interval_seconds: 0.2,
        unhealthy_interval_seconds: 0.1,
        failure_threshold: 1,
        success_threshold: 1,
        startup_grace_seconds: 0,
      },
      recovery: {
        max_attempts: 100,
        backoff: { initial_seconds: 0.1, multiplier: 1, max_seconds: 0.1 },
      },
    });
    const client = await gw.connect();
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('t__echo');

    const hidden = nextNotification(client, 'notifications/tools/list_changed');
    await upstream.stop();
    // The failed call asks the monitor for a check at once.
    expect((await client.callTool({ name: 't__echo', arguments: { text: 'x' } })).isError).toBe(
      true,
    );
    await hidden;
    expect(gw.gateway.isDown('t')).toBe(true);
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('t__echo');

    const shown = nextNotification(client, 'notifications/tools/list_changed');
    upstream = await startTestUpstream(port);
    await shown;
    expect(gw.gateway.isDown('t')).toBe(false);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('t__echo');
  }, 30_000);
});
