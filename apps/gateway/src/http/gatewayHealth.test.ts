import { validate } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/loadConfig.js';
import { createGateway } from '../gateway.js';
import { createGatewayHealth, lastStderrLine } from './gatewayHealth.js';

describe('createGatewayHealth', () => {
  it('is valid per the health-check schema, degraded while an upstream is down', async () => {
    const now = Date.UTC(2026, 10, 21, 10);
    const clock = { now: () => now, setTimeout: () => 0, clearTimeout: () => {} };
    const config = resolveConfig(
      {
        mcpServers: {
          a: { command: 'selfheal-test-no-such-command' },
          b: { command: 'selfheal-test-no-such-command' },
        },
      },
      'test',
    );
    const gateway = createGateway({ config, clock });
    await gateway.start();
    const { body, httpStatus } = await createGatewayHealth(gateway).evaluate();
    expect(validate('health-check', body)).toMatchObject({ valid: true, issues: [] });
    expect(httpStatus).toBe(200);
    expect(body).toMatchObject({
      status: 'degraded',
      timestamp: '2026-11-21T10:00:00.000Z',
      checks: { mcp: 'ok', upstreams: 'degraded' },
    });
    expect(body.error).toMatch(
      /^upstreams: degraded \(2 of 2 servers not up: a down \(.+\) since 2026-11-21T10:00:00\.000Z/,
    );
    await gateway.stop();
  });

  it('keeps the last stderr line of a process exit, the likeliest cause, in the cut public reason', () => {
    expect(lastStderrLine('process exited (exit code 3); stderr: starting | FATAL: no token')).toBe(
      'process exited (exit code 3); stderr: FATAL: no token',
    );
    expect(lastStderrLine('connect ECONNREFUSED 127.0.0.1:9')).toBe(
      'connect ECONNREFUSED 127.0.0.1:9',
    );
  });

  it('is ok with every upstream up (here: none configured)', async () => {
    const gateway = createGateway({ config: resolveConfig({ mcpServers: {} }, 'test') });
    const { body } = await createGatewayHealth(gateway).evaluate();
    expect(validate('health-check', body).valid).toBe(true);
    expect(body).toMatchObject({ status: 'ok', checks: { mcp: 'ok', upstreams: 'ok' } });
  });
});
