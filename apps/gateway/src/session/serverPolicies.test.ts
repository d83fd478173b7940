import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../clock.js';
import { resolveConfig } from '../config/loadConfig.js';
import { GatewayError, GatewayErrorCode } from '../errors.js';
import { classifyGatewayError, createServerPolicies } from './serverPolicies.js';

const lost = () =>
  new GatewayError(GatewayErrorCode.UpstreamUnavailable, 'server "a" is down', {
    cause: new McpError(-32000, 'Connection closed'),
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

  it('names UPSTREAM_UNAVAILABLE when the server was down before anything was sent', () => {
    const down = new GatewayError(GatewayErrorCode.UpstreamUnavailable, 'down');
    expect(classifyGatewayError(down, { method: 'tools/call' }, 0).reason).toBe(
      'UPSTREAM_UNAVAILABLE',
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
    expect(a.breaker('write')?.circuit).toBe('a/write');
    expect(a.breaker('read')?.circuit).toBe('a');
    expect(a.breaker('other')?.circuit).toBe('a');
    expect(policies.get('b')!.breaker('write')?.circuit).toBe('b');
    for (const policy of policies.values()) policy.dispose();
  });
});
