import { ProtocolError } from '@modelcontextprotocol/server';
import { createEventFactory } from '@selfheal/events';
import { systemClock } from '@selfheal/internal';
import { createPolicyFromConfig } from '@selfheal/resilience';
import type { SelfhealEvent } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/loadConfig.js';
import { GatewayError, GatewayErrorCode } from '../errors.js';
import { busEmitter, classifyGatewayError, createServerPolicies } from './serverPolicies.js';

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
    const policies = createServerPolicies(config, {
      clock: systemClock,
      emitter: busEmitter(() => {}, createEventFactory({ validate: false })),
    });
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

describe('busEmitter', () => {
  it("puts the gateway factory's envelope on a policy's events once, and a closed bus fails no call", async () => {
    const events = createEventFactory({ repo: 'gw', replica: 'r1' });
    const published: SelfhealEvent[] = [];
    let closed = false;
    const emitter = busEmitter((event) => {
      if (closed) throw new Error('bus closed');
      published.push(event);
    }, events);
    const policy = createPolicyFromConfig(
      { serverName: 's', clock: systemClock, emitter, classify: classifyGatewayError },
      { retry: { max_attempts: 1 }, circuit_breaker: { consecutive_failures: 1 } },
    );
    const fail = () =>
      policy.execute(
        () => Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })),
        { meta: { method: 'tools/list' } },
      );
    await expect(fail()).rejects.toThrow();
    const opened = published.find((e) => e.event_type === 'circuit_opened');
    // The factory's envelope: an event_id, the replica and repo; the policy's own fields kept.
    expect(opened).toMatchObject({ repo: 'gw', replica: 'r1', server_name: 's', circuit: 's' });
    expect(opened?.event_id).toEqual(expect.any(String));
    expect(Object.keys(opened!).slice(0, 6)).toEqual([
      'event_type',
      'timestamp',
      'trace_id',
      'repo',
      'event_id',
      'replica',
    ]);
    // The breaker folded the event it got back: it is open now.
    expect(policy.guards()[0]!.state().mode).toBe('open');
    closed = true;
    await expect(fail()).rejects.toThrow(/open|refused/i);
    policy.dispose();
  });
  it('a factory that refuses an event (validation) fails no call; the breaker folds its own body', async () => {
    const refusing = {
      envelop: () => {
        throw new Error('breaks the event schema');
      },
    };
    const emitter = busEmitter(() => {}, refusing);
    const policy = createPolicyFromConfig(
      { serverName: 's', clock: systemClock, emitter, classify: classifyGatewayError },
      { retry: { max_attempts: 1 }, circuit_breaker: { consecutive_failures: 1 } },
    );
    await expect(
      policy.execute(
        () => Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })),
        { meta: { method: 'tools/list' } },
      ),
    ).rejects.toThrow('ECONNREFUSED');
    expect(policy.guards()[0]!.state().mode).toBe('open');
    policy.dispose();
  });
});
