import { describe, expect, it } from 'vitest';
import { MonitorError, MonitorErrorCode } from '../errors.js';
import { parseConfig } from '../testing/parseConfig.js';
import { createRegistry } from './registry.js';

const one = (extra: Record<string, unknown> = {}, server: Record<string, unknown> = {}) =>
  parseConfig({ mcpServers: { a: { command: 'node', ...server } }, ...extra }, 'test.json');

describe('createRegistry', () => {
  it('applies the schema defaults when the config says nothing', () => {
    const [a] = createRegistry(one(), { env: {} });
    expect(a).toMatchObject({
      name: 'a',
      transport: 'stdio',
      args: [],
      disabled: false,
      health: {
        intervalMs: 30_000,
        unhealthyIntervalMs: 5_000,
        timeoutMs: 5_000,
        failureThreshold: 3,
        successThreshold: 3,
        startupGraceMs: 30_000,
        staleAfterMs: 60_000,
        jitter: 0.1,
        probes: ['ping', 'process'],
      },
      recovery: {
        strategy: 'restart',
        maxAttempts: 5,
        backoff: { initialMs: 1000, multiplier: 2, maxMs: 300_000 },
        stopGraceMs: 5000,
        resetAfterMs: 300_000,
        stableAfterMs: 10_000,
      },
    });
  });

  it('merges global, env and per-server sections key by key, per-server winning', () => {
    const config = one(
      {
        health_check: { interval_seconds: 10, failure_threshold: 4 },
        recovery: { max_attempts: 7, backoff: { initial_seconds: 0.5, max_seconds: 20 } },
      },
      { health_check: { failure_threshold: 2 }, recovery: { backoff: { multiplier: 3 } } },
    );
    const [a] = createRegistry(config, {
      env: { SELFHEAL_HEALTH_INTERVAL: '2', SELFHEAL_FAILURE_THRESHOLD: '9' },
    });
    expect(a!.health.intervalMs).toBe(2000); // env beats global
    expect(a!.health.failureThreshold).toBe(2); // per-server beats env
    expect(a!.recovery).toMatchObject({
      maxAttempts: 7,
      backoff: { initialMs: 500, multiplier: 3, maxMs: 20_000 },
    });
  });

  it('reads every documented environment override', () => {
    const [a] = createRegistry(one(), {
      env: {
        SELFHEAL_HEALTH_INTERVAL: '1.5',
        SELFHEAL_HEALTH_TIMEOUT: '0.25',
        SELFHEAL_FAILURE_THRESHOLD: '5',
        SELFHEAL_SUCCESS_THRESHOLD: '1',
      },
    });
    expect(a!.health).toMatchObject({
      intervalMs: 1500,
      timeoutMs: 250,
      failureThreshold: 5,
      successThreshold: 1,
    });
  });

  it.each([
    ['SELFHEAL_HEALTH_INTERVAL', 'soon'],
    ['SELFHEAL_HEALTH_TIMEOUT', '0'],
    ['SELFHEAL_FAILURE_THRESHOLD', '2.5'],
    ['SELFHEAL_SUCCESS_THRESHOLD', '-1'],
  ])('rejects %s=%s naming the variable and the value', (name, value) => {
    try {
      createRegistry(one(), { env: { [name]: value } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MonitorError);
      expect((error as MonitorError).code).toBe(MonitorErrorCode.EnvInvalid);
      expect((error as MonitorError).message).toContain(name);
      expect((error as MonitorError).message).toContain(JSON.stringify(value));
    }
  });

  it('derives the transport and /health of HTTP servers', () => {
    const config = parseConfig(
      {
        mcpServers: {
          h: { url: 'http://127.0.0.1:9/mcp' },
          s: { type: 'sse', url: 'http://127.0.0.1:9/sse', health_url: 'http://127.0.0.1:8/hz' },
        },
      },
      'x.json',
    );
    const [h, s] = createRegistry(config, { env: {} });
    expect(h).toMatchObject({
      transport: 'streamable-http',
      healthUrl: 'http://127.0.0.1:9/health',
      health: { probes: ['http', 'ping'] },
    });
    expect(s).toMatchObject({ transport: 'sse', healthUrl: 'http://127.0.0.1:8/hz' });
  });

  it('resolves a relative cwd against the config file', () => {
    const [a] = createRegistry(one({}, { cwd: 'srv' }), { env: {}, file: '/etc/selfheal/c.yaml' });
    expect(a!.cwd).toBe('/etc/selfheal/srv');
  });

  it('regression: a stdio server without cwd inherited the process cwd; it starts in the config folder', () => {
    const [a] = createRegistry(one(), { env: {}, file: '/etc/selfheal/c.yaml' });
    expect(a!.cwd).toBe('/etc/selfheal');
    const [http] = createRegistry(
      parseConfig({ mcpServers: { h: { url: 'http://127.0.0.1:1/mcp' } } }, 't.json'),
      { env: {}, file: '/etc/selfheal/c.yaml' },
    );
    expect(http!.cwd).toBeUndefined();
  });
});
