import type { SelfhealEvent } from '@selfheal/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/loadConfig.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { startTestUpstream, type TestUpstream } from './helpers/testUpstream.js';

// A reload that takes `disabled: true` out of a server's entry runs it (RFC 0019): the monitor
// of the new entry starts on a view that still holds the old entry's `server_disabled`.
describe('a reload that changes whether a server is disabled', () => {
  const running: { gateway: Gateway; upstream: TestUpstream }[] = [];
  afterEach(async () => {
    for (const { gateway, upstream } of running.splice(0)) {
      await gateway.stop();
      await upstream.stop();
    }
  });

  const configOf = (url: string, disabled: boolean) =>
    resolveConfig(
      {
        mcpServers: {
          remote: {
            url,
            disabled,
            health_check: { interval_seconds: 0.2, probes: ['ping'], jitter: 0 },
          },
        },
      },
      'test.json',
    );

  async function until(condition: () => boolean, what: string, ms = 5000) {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('runs it once the reload takes disabled: true out, and stops it once a reload puts it back', async () => {
    const upstream = await startTestUpstream();
    const gateway = createGateway({ config: configOf(upstream.url, true) });
    running.push({ gateway, upstream });
    const seen: SelfhealEvent[] = [];
    gateway.bus.events$.subscribe((event) => seen.push(event));
    await gateway.start();
    const probes = () =>
      seen.filter((e) => e.event_type === 'health_check_completed' && e.server_name === 'remote')
        .length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(probes()).toBe(0);

    await gateway.reload(configOf(upstream.url, false));
    await until(() => probes() >= 2, 'probes after the reload');
    expect(seen.filter((e) => e.event_type === 'server_enabled')).toEqual([
      expect.objectContaining({ server_name: 'remote', operator: 'config' }),
    ]);
    expect(gateway.health().servers.remote?.lifecycle).not.toBe('disabled');

    await gateway.reload(configOf(upstream.url, true));
    await until(() => gateway.health().servers.remote?.lifecycle === 'disabled', 'disabled again');
    const stopped = probes();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(probes()).toBe(stopped);
  }, 20_000);
});
