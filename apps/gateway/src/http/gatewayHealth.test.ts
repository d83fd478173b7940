import { validate } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/loadConfig.js';
import { createGateway } from '../gateway.js';
import type { TransportFactory } from '../upstream/transportFactory.js';
import { gatewayHealth } from './gatewayHealth.js';

const failing: TransportFactory = () => ({
  transport: {
    start: () => Promise.reject(new Error('refused')),
    send: async () => {},
    close: async () => {},
  },
  recentStderr: () => [],
});

describe('gatewayHealth', () => {
  it('is valid per the health-check schema, degraded while an upstream is down', async () => {
    let now = Date.UTC(2026, 10, 21, 10);
    const clock = { now: () => now, setTimeout: () => 0, clearTimeout: () => {} };
    const config = resolveConfig({ mcpServers: { a: { command: 'x' } } }, 'test');
    const gateway = createGateway({ config, factory: failing, clock });
    await gateway.start();
    now += 61_500;
    const body = gatewayHealth(gateway);
    expect(validate('health-check', body)).toMatchObject({ valid: true, issues: [] });
    expect(body).toMatchObject({
      status: 'degraded',
      uptime_seconds: 61,
      checks: { mcp: 'ok', upstreams: 'degraded' },
      error: '1 of 1 servers not up: a (down)',
      metadata: { servers: { a: { status: 'down', error: expect.stringContaining('refused') } } },
    });
    await gateway.stop();
  });

  it('is ok with no upstreams', () => {
    const gateway = createGateway({ config: resolveConfig({ mcpServers: {} }, 'test') });
    const body = gatewayHealth(gateway);
    expect(validate('health-check', body).valid).toBe(true);
    expect(body.status).toBe('ok');
  });
});
