import { resilienceDefaults } from '@selfheal/resilience';
import { describe, expect, it } from 'vitest';
import { GATEWAY_LIBRARY_DEFAULTS } from './libraryDefaults.js';
import { gatewayDefaults, resolveConfig } from './loadConfig.js';

describe('one resolution of defaults (RFC 0019)', () => {
  it('regression: the call deadline was 60 s in the gateway and 30 s in the schema', () => {
    const { gateway } = resolveConfig({ mcpServers: {} }, 'test');
    expect(gateway.requestTimeoutMs).toBe(resilienceDefaults().timeout_ms);
    expect(gateway.requestTimeoutMs).toBe(30_000);
  });

  it('applies the schema default of every gateway key when the config says nothing', () => {
    const schema = gatewayDefaults();
    const { gateway } = resolveConfig({ mcpServers: {} }, 'test');
    expect(gateway).toMatchObject({
      host: schema.host,
      port: schema.port,
      separator: schema.separator,
      onCollision: schema.on_collision,
      degradation: schema.degradation,
      maxBodyBytes: schema.max_body_bytes,
      maxClientBufferBytes: schema.max_client_buffer_bytes,
      clientSessions: {
        maxPerServer: schema.client_sessions?.max_per_server,
        idleMs: schema.client_sessions!.idle_timeout_seconds! * 1000,
      },
    });
  });

  it('keeps a partial nested section over the defaults of the rest', () => {
    const { gateway } = resolveConfig(
      { mcpServers: {}, gateway: { client_sessions: { max_per_server: 2 } } },
      'test',
    );
    expect(gateway.clientSessions).toEqual({
      maxPerServer: 2,
      idleMs: gatewayDefaults().client_sessions!.idle_timeout_seconds! * 1000,
    });
  });

  it('library defaults equal the schema defaults of the keys they stand for', () => {
    const schema = gatewayDefaults();
    expect(GATEWAY_LIBRARY_DEFAULTS).toEqual({
      requestTimeoutMs: resilienceDefaults().timeout_ms,
      maxClientSessions: schema.client_sessions?.max_per_server,
      clientSessionIdleMs: schema.client_sessions!.idle_timeout_seconds! * 1000,
      maxClientBufferBytes: schema.max_client_buffer_bytes,
    });
  });

  it('resolves event_emission once: schema defaults, the path against the config folder', () => {
    const loaded = resolveConfig({ mcpServers: {} }, 'test', '/srv/selfheal');
    expect(loaded.eventEmission).toEqual({
      enabled: true,
      path: '/srv/selfheal/selfheal-events.jsonl',
      durability: 'batched',
      flushIntervalMs: 100,
      rotateMaxBytes: 0,
      rotateMaxAgeMs: 0,
      repo: 'selfheal',
    });
  });
});
