import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCircuitBreaker } from './circuitBreaker.js';
import type { CallContext, CallMeta } from './context.js';
import { createPolicy } from './createPolicy.js';
import { ResilienceError, ResilienceErrorCode } from './errors.js';
import {
  advance,
  expectValidEvents,
  flush,
  httpError,
  settle,
  systemError,
  useFakeTime,
} from './testing/harness.js';

afterEach(() => {
  vi.useRealTimers();
});

const tool = (name: string): CallMeta => ({ method: 'tools/call', tool: name });
const list: CallMeta = { method: 'tools/list' };
const refused = async () => {
  throw systemError('ECONNREFUSED');
};
const toolError = async () => {
  throw httpError(500);
};
/** Never answers; rejects with the abort reason (an attempt timeout, a cancel). */
const hang = (context: CallContext) =>
  new Promise<string>((_resolve, reject) =>
    context.signal.addEventListener('abort', () => reject(context.signal.reason)),
  );

describe('a breaker judges the upstream, not the gateway or the caller', () => {
  it('regression: refusals (an open breaker elsewhere, a full bulkhead) never open it', async () => {
    const t = useFakeTime();
    const breaker = createCircuitBreaker({ serverName: 's', sink: t.sink, consecutiveFailures: 2 });
    for (const code of [ResilienceErrorCode.CircuitOpen, ResilienceErrorCode.BulkheadFull]) {
      for (let i = 0; i < 5; i++) {
        settle(
          breaker.execute(async () => {
            throw new ResilienceError(code, 'refused by the gateway');
          }),
        );
      }
    }
    await flush();
    expect(breaker.state().mode).toBe('closed');
    expect(breaker.metrics()).toMatchObject({ calls: 0, failures: 0 });
    expect(t.events).toEqual([]);
  });

  it('regression: calls the client cancelled are not failures, however many', async () => {
    const t = useFakeTime();
    const breaker = createCircuitBreaker({ serverName: 's', sink: t.sink, consecutiveFailures: 2 });
    for (let i = 0; i < 5; i++) {
      const controller = new AbortController();
      const call = settle(breaker.execute(hang, { signal: controller.signal, meta: tool('t') }));
      await advance(10);
      controller.abort(new Error('client cancelled'));
      await flush();
      expect(call.error).toBeDefined();
    }
    expect(breaker.state().mode).toBe('closed');
    expect(breaker.metrics()).toMatchObject({ calls: 0, consecutiveFailures: 0 });
  });

  it('regression: a session’s start-up (before attempt.sentAt) is not a slow call', async () => {
    const t = useFakeTime();
    const breaker = createCircuitBreaker({
      serverName: 's',
      sink: t.sink,
      slowCallMs: 1000,
      slowCallRateThreshold: 0.5,
      minimumCalls: 2,
    });
    /** Waits `connectMs` for a connection, marks the request sent, then answers after `answerMs`. */
    const call = (connectMs: number, answerMs: number) =>
      settle(
        breaker.execute(
          (context) =>
            new Promise<string>((resolve) =>
              setTimeout(() => {
                context.attempt.sentAt = Date.now();
                setTimeout(() => resolve('ok'), answerMs);
              }, connectMs),
            ),
        ),
      );
    for (let i = 0; i < 4; i++) call(5000, 10);
    await advance(5010);
    expect(breaker.metrics()).toMatchObject({ calls: 4, slow: 0 });
    expect(breaker.state().mode).toBe('closed');
    // The upstream's own time still counts: slower than slow_call_ms after the request left.
    call(5000, 1001);
    call(0, 1001);
    await advance(6001);
    expect(breaker.metrics()).toMatchObject({ calls: 6, slow: 2 });
  });

  it('as a tool’s breaker, counts the tool’s failures and not the transport’s', async () => {
    const t = useFakeTime();
    const breaker = createCircuitBreaker({
      serverName: 's',
      circuit: 's/t',
      tool: 't',
      judges: 'tool',
      sink: t.sink,
      consecutiveFailures: 2,
    });
    for (let i = 0; i < 3; i++) settle(breaker.execute(refused, { meta: tool('t') }));
    await flush();
    expect(breaker.state().mode).toBe('closed');
    for (let i = 0; i < 2; i++) settle(breaker.execute(toolError, { meta: tool('t') }));
    await flush();
    expect(breaker.state().mode).toBe('open');
  });

  it('as a server’s breaker, counts transport failures and a no-tool call’s, not a tool’s', async () => {
    const t = useFakeTime();
    const breaker = createCircuitBreaker({
      serverName: 's',
      judges: 'server',
      sink: t.sink,
      consecutiveFailures: 2,
      failureRateThreshold: 1,
      slowCallMs: 100,
      slowCallRateThreshold: 0.5,
      minimumCalls: 1,
    });
    for (let i = 0; i < 3; i++) settle(breaker.execute(toolError, { meta: tool('t') }));
    // A tool that takes its time is not the server's slowness either.
    settle(
      breaker.execute(() => new Promise((r) => setTimeout(() => r('late'), 500)), {
        meta: tool('t'),
      }),
    );
    await advance(500);
    expect(breaker.state().mode).toBe('closed');
    expect(breaker.metrics()).toMatchObject({ failures: 0, slow: 0 });
    settle(breaker.execute(toolError, { meta: list }));
    settle(breaker.execute(refused, { meta: tool('t') }));
    await flush();
    expect(breaker.state().mode).toBe('open');
    expect(t.ofType('circuit_opened')[0]).toMatchObject({ circuit: 's', consecutive_failures: 2 });
  });

  it('reset() closes an open breaker at once with reason server_recovered; halfOpenNow() half-opens it', async () => {
    const t = useFakeTime();
    const breaker = createCircuitBreaker({ serverName: 's', sink: t.sink, consecutiveFailures: 1 });
    settle(breaker.execute(refused));
    await flush();
    expect(breaker.state().mode).toBe('open');
    breaker.reset();
    expect(breaker.state().mode).toBe('closed');
    breaker.reset(); // idempotent
    settle(breaker.execute(refused));
    await flush();
    breaker.halfOpenNow();
    expect(breaker.state().mode).toBe('half_open');
    breaker.halfOpenNow(); // idempotent
    // The open timer no longer fires: nothing more happens at the old open time.
    await advance(120_000);
    expect(t.types()).toEqual([
      'circuit_opened',
      'circuit_closed',
      'circuit_opened',
      'circuit_half_opened',
    ]);
    expect(t.ofType('circuit_closed')[0]).toMatchObject({ reason: 'server_recovered' });
    expect(vi.getTimerCount()).toBe(0);
    expectValidEvents(t.events);
  });
});

describe('createPolicy: a tool’s failures are its own', () => {
  it('six hung calls to one tool open that tool’s breaker only: other tools and lists still flow', async () => {
    const t = useFakeTime();
    const policy = createPolicy({
      serverName: 's',
      sink: t.sink,
      retry: false,
      attemptTimeoutMs: 100,
      circuitBreaker: { consecutiveFailures: 3 },
    });
    const hung = Array.from({ length: 6 }, () =>
      settle(policy.execute(hang, { meta: tool('slow') })),
    );
    await advance(100);
    for (const call of hung) expect(call.error).toMatchObject({ code: 'ATTEMPT_TIMEOUT' });
    expect(t.ofType('circuit_opened').map((e) => e.circuit)).toEqual(['s/slow']);
    expect(policy.isEjected('slow')).toBe(true);
    expect(policy.ejectedBy('slow')?.circuit).toBe('s/slow');
    expect(policy.isEjected('echo')).toBe(false);
    expect(policy.isEjected()).toBe(false);
    const echo = Array.from({ length: 6 }, () =>
      settle(policy.execute(async () => 'echo', { meta: tool('echo') })),
    );
    const listed = settle(policy.execute(async () => 'tools', { meta: list }));
    const refusedSlow = settle(policy.execute(async () => 'never', { meta: tool('slow') }));
    await flush();
    for (const call of echo) expect(call.value).toBe('echo');
    expect(listed.value).toBe('tools');
    expect(refusedSlow.error).toMatchObject({ code: 'CIRCUIT_OPEN', data: { circuit: 's/slow' } });
    // The refusal of the tool's breaker is not a failure of the server's.
    expect(policy.breaker()!.metrics()).toMatchObject({ failures: 0, consecutiveFailures: 0 });
    policy.dispose();
  });

  it('transport failures open the server’s breaker, which refuses every tool', async () => {
    const t = useFakeTime();
    const policy = createPolicy({
      serverName: 's',
      sink: t.sink,
      retry: false,
      circuitBreaker: { consecutiveFailures: 2 },
    });
    settle(policy.execute(refused, { meta: tool('a') }));
    settle(policy.execute(refused, { meta: tool('b') }));
    await flush();
    expect(t.ofType('circuit_opened').map((e) => e.circuit)).toEqual(['s']);
    const other = settle(policy.execute(async () => 'x', { meta: tool('c') }));
    await flush();
    expect(other.error).toMatchObject({ code: 'CIRCUIT_OPEN', data: { circuit: 's' } });
    expect(policy.ejectedBy('c')?.circuit).toBe('s');
    policy.dispose();
  });

  it('serverRecovered closes the server’s breaker at once and half-opens open tool breakers', async () => {
    const t = useFakeTime();
    const policy = createPolicy({
      serverName: 's',
      sink: t.sink,
      retry: false,
      circuitBreaker: { consecutiveFailures: 1 },
    });
    settle(policy.execute(toolError, { meta: tool('bad') }));
    await flush();
    settle(policy.execute(refused, { meta: tool('a') }));
    await flush();
    expect(policy.breakers().map((b) => [b.circuit, b.state().mode])).toEqual([
      ['s', 'open'],
      ['s/bad', 'open'],
      ['s/a', 'closed'],
    ]);
    policy.serverRecovered();
    expect(policy.breakers().map((b) => [b.circuit, b.state().mode])).toEqual([
      ['s', 'closed'],
      ['s/bad', 'half_open'],
      ['s/a', 'closed'],
    ]);
    // The first call after the server's return flows without waiting for any open time.
    const first = settle(policy.execute(async () => 'back', { meta: tool('a') }));
    await flush();
    expect(first.value).toBe('back');
    expect(t.types().slice(-2)).toEqual(['circuit_closed', 'circuit_half_opened']);
    expectValidEvents(t.events);
    policy.dispose();
  });
});
