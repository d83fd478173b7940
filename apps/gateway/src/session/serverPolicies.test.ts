import { ProtocolError } from '@modelcontextprotocol/server';
import { systemClock } from '@selfheal/internal';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/loadConfig.js';
import { GatewayError, GatewayErrorCode } from '../errors.js';
import { classifyGatewayError, createServerPolicies } from './serverPolicies.js';

const lost = () =>
  new GatewayError(GatewayErrorCode.UpstreamUnavailable, 'server "a" is down', {
    cause: new ProtocolError(-32000, 'Connection closed'),
  });

describe('classifyGatewayError', () => {
  it('never retries a non-idempotent tools/call whose connection broke after it was sent', () => {
    const verdict = classifyGatewayError(lost(), { method: 'tools/call', tool: 'write' }, 0);
    expect(verdict.retryable).toBe(false);
    expect(verdict.breaker).toBe('failure');
  });

  it('retries the same failure when the tool is annotated read-only or idempotent', () => {
    for (const toolAnnotations of [{ readOnlyHint: true }, { idempotentHint: true }]) {
      const meta = { method: 'tools/call', tool: 'read', toolAnnotations };
      expect(classifyGatewayError(lost(), meta, 0).retryable).toBe(true);
    }
  });

  it('judges an upstream JSON-RPC error as an answer: not retried, the server is alive', () => {
    const answered = Object.assign(new Error('bad params'), { code: -32602 });
    expect(classifyGatewayError(answered, { method: 'tools/call' }, 0)).toMatchObject({
      retryable: false,
      breaker: 'success',
    });
  });

  it('regression: a refusal the gateway made itself (server down, not connected) is not a breaker failure', () => {
    const down = new GatewayError(GatewayErrorCode.UpstreamUnavailable, 'down', {
      data: { server: 'a', status: 'down' },
    });
    expect(classifyGatewayError(down, { method: 'tools/call' }, 0)).toMatchObject({
      retryable: false,
      breaker: 'ignore',
      reason: 'SERVER_DOWN',
    });
    const starting = new GatewayError(GatewayErrorCode.UpstreamUnavailable, 'starting', {
      data: { server: 'a', status: 'connecting' },
    });
    expect(classifyGatewayError(starting, { method: 'tools/list' }, 0)).toMatchObject({
      breaker: 'ignore',
      reason: 'NOT_CONNECTED',
    });
  });

  it('counts a connection that could not open, or broke, as the transport’s (the server’s breaker)', () => {
    const refused = new GatewayError(GatewayErrorCode.UpstreamUnavailable, 'could not start', {
      cause: new Error('spawn ENOENT'),
    });
    expect(classifyGatewayError(refused, { method: 'tools/call', tool: 'x' }, 0)).toMatchObject({
      breaker: 'failure',
      source: 'transport',
    });
    expect(classifyGatewayError(lost(), { method: 'tools/call', tool: 'x' }, 0).source).toBe(
      'transport',
    );
  });
});

describe('createServerPolicies', () => {
  it('gives a tool with its own circuit_breaker section a breaker of its own, server/tool', () => {
    const config = resolveConfig(
      {
        mcpServers: {
          a: {
            command: 'x',
            resilience: {
              tools: { write: { circuit_breaker: { consecutive_failures: 1 } }, read: {} },
            },
          },
          b: { command: 'y' },
        },
        resilience: { retry: { max_attempts: 2 } },
      },
      'test-config',
    );
    const policies = createServerPolicies(config, { clock: systemClock, sink: () => {} });
    const a = policies.get('a')!;
    const circuits = (tool?: string) => a.guards(tool).map((b) => b.circuit);
    // Every tool call passes the server's breaker (transport) and its tool's own.
    expect(circuits('write')).toEqual(['a', 'a/write']);
    expect(circuits('read')).toEqual(['a', 'a/read']);
    expect(circuits('other')).toEqual(['a', 'a/other']);
    expect(circuits()).toEqual(['a']);
    // The own section's options go to the tool's breaker; the server's breaker is shared.
    expect(a.guards('write')[0]).toBe(a.guards('other')[0]);
    expect(
      policies
        .get('b')!
        .guards('write')
        .map((b) => b.circuit),
    ).toEqual(['b', 'b/write']);
    for (const policy of policies.values()) policy.dispose();
  });
});
