import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CallContext, CallMeta } from './context.js';
import { createPolicy } from './createPolicy.js';
import { ResilienceErrorCode } from './errors.js';
import type { ResilienceEvent } from './events.js';
import { type Policy, wrap } from './policy.js';
import {
  advance,
  expectValidEvents,
  flush,
  httpError,
  settle,
  useFakeTime,
} from './testing/harness.js';

afterEach(() => {
  vi.useRealTimers();
});

const list: CallMeta = { method: 'tools/list' };
const search: CallMeta = {
  method: 'tools/call',
  tool: 'search',
  toolAnnotations: { readOnlyHint: true },
};
const fetchMeta: CallMeta = {
  method: 'tools/call',
  tool: 'fetch',
  toolAnnotations: { readOnlyHint: true },
};
const fail = async () => {
  throw httpError(503);
};
const hang = (context: CallContext) =>
  new Promise<string>((_resolve, reject) =>
    context.signal.addEventListener('abort', () => reject(context.signal.reason)),
  );

describe('wrap', () => {
  it('runs policies outermost first, each passing its context inward', async () => {
    const order: string[] = [];
    const tag = (name: string): Policy => ({
      execute: (op, context) => {
        order.push(name);
        return op({
          ...(context as CallContext),
          traceId: `${(context as CallContext).traceId}>${name}`,
        });
      },
    });
    const seen = await wrap(tag('a'), tag('b'), tag('c')).execute(
      async (context) => context.traceId,
      { traceId: 't' },
    );
    expect(order).toEqual(['a', 'b', 'c']);
    expect(seen).toBe('t>a>b>c');
  });
});

describe('createPolicy', () => {
  it('passes a succeeding call through with its signal and meta', async () => {
    useFakeTime();
    const policy = createPolicy({ serverName: 'ok' });
    const op = vi.fn(
      async (context: CallContext) =>
        `${context.meta.tool}:${context.attempt.number}:${context.signal.aborted}`,
    );
    const call = settle(policy.execute(op, { meta: search }));
    await flush();
    expect(call.value).toBe('search:1:false');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('retries with backoff, then sums up every attempt', async () => {
    const t = useFakeTime();
    const policy = createPolicy({
      serverName: 'flaky',
      sink: t.sink,
      random: () => 1 - 1e-9,
      retry: { backoff: { jitter: 'none' } },
    });
    const op = vi.fn(fail);
    const call = settle(policy.execute(op, { meta: list }));
    await advance(100 + 200);
    expect(op).toHaveBeenCalledTimes(3);
    expect(call.error).toMatchObject({ code: ResilienceErrorCode.RetriesExhausted });
    expect(t.types()).toEqual(['retry_attempted', 'retry_attempted']);
    expectValidEvents(t.events);
  });

  it('stops retrying at once when the breaker opens', async () => {
    const t = useFakeTime();
    const policy = createPolicy({
      serverName: 'down',
      sink: t.sink,
      retry: { maxAttempts: 5, backoff: () => 10 },
      circuitBreaker: { consecutiveFailures: 2 },
    });
    const op = vi.fn(fail);
    const call = settle(policy.execute(op, { meta: list }));
    await advance(10);
    await advance(10);
    expect(op).toHaveBeenCalledTimes(2);
    expect(call.error).toMatchObject({
      code: ResilienceErrorCode.RetriesExhausted,
      data: { stop: 'circuit_open' },
    });
    expect(policy.isEjected()).toBe(true);
    expect(t.types()).toEqual(['retry_attempted', 'circuit_opened']);
    expect(vi.getTimerCount()).toBe(1); // only the breaker's own open → half-open timer
  });

  it('retries an attempt that timed out, and counts it against the breaker', async () => {
    const t = useFakeTime();
    const policy = createPolicy({
      serverName: 'slow',
      sink: t.sink,
      attemptTimeoutMs: 100,
      retry: { backoff: () => 5 },
    });
    let calls = 0;
    const call = settle(
      policy.execute((context) => (++calls === 1 ? hang(context) : Promise.resolve('second')), {
        meta: list,
      }),
    );
    await advance(99);
    expect(calls).toBe(1);
    await advance(1);
    await advance(5);
    expect(call.value).toBe('second');
    expect(policy.breaker()!.metrics()).toMatchObject({ calls: 2, failures: 1 });
    expect(t.types()).toEqual(['call_timed_out', 'retry_attempted']);
  });

  it('ends the whole call at its deadline, backoffs and retries included', async () => {
    const t = useFakeTime();
    const policy = createPolicy({
      serverName: 'slow',
      sink: t.sink,
      timeoutMs: 250,
      attemptTimeoutMs: 100,
      retry: { maxAttempts: 10, backoff: () => 20 },
    });
    const call = settle(policy.execute(hang, { meta: list }));
    await advance(249);
    expect(call.done).toBe(false);
    await advance(1);
    expect(call.error).toMatchObject({ code: ResilienceErrorCode.CallTimeout });
    await advance(1000);
    expect(vi.getTimerCount()).toBe(0);
    expect(t.ofType('call_timed_out').map((e) => e.scope)).toEqual(['attempt', 'attempt', 'call']);
  });

  it('keeps one breaker per tool, counting everything, when per_tool is set and tools are not isolated', async () => {
    const t = useFakeTime();
    const policy = createPolicy({
      serverName: 'multi',
      sink: t.sink,
      retry: false,
      circuitBreaker: { isolateTools: false, perTool: true, consecutiveFailures: 1 },
    });
    settle(policy.execute(fail, { meta: search }));
    await flush();
    expect(policy.isEjected('search')).toBe(true);
    expect(policy.isEjected('fetch')).toBe(false);
    const other = settle(policy.execute(async () => 'fine', { meta: fetchMeta }));
    await flush();
    expect(other.value).toBe('fine');
    expect(t.ofType('circuit_opened')[0]).toMatchObject({
      circuit: 'multi/search',
      tool: 'search',
    });
    expect(policy.breakers().map((b) => b.circuit)).toEqual(['multi/search', 'multi/fetch']);
  });

  it('with circuitBreaker false makes no breaker and refuses nothing, not even through a shared chain', async () => {
    const t = useFakeTime();
    const server = createPolicy({
      serverName: 'off',
      sink: t.sink,
      retry: false,
      circuitBreaker: { consecutiveFailures: 1 },
    });
    settle(server.execute(fail, { meta: search }));
    await flush();
    expect(server.isEjected('search')).toBe(true);
    const bare = createPolicy({
      serverName: 'off',
      sink: t.sink,
      retry: false,
      circuitBreaker: false,
      share: { guards: server.guards },
    });
    const op = vi.fn(fail);
    for (let i = 0; i < 5; i++) {
      const call = settle(bare.execute(op, { meta: search }));
      await flush();
      expect(call.error).toMatchObject({ message: 'HTTP 503' });
    }
    expect(op).toHaveBeenCalledTimes(5);
    expect(bare.guards('search')).toEqual([]);
    expect(bare.breaker('search')).toBeUndefined();
    expect(bare.breakers()).toEqual([]);
    expect(bare.isEjected('search')).toBe(false);
    // Only the server policy's breaker ever opened.
    expect(t.ofType('circuit_opened')).toHaveLength(1);
    server.dispose();
    bare.dispose();
  });

  it('restores its breakers from a log at start-up', async () => {
    const first = useFakeTime();
    const before = createPolicy({
      serverName: 'multi',
      sink: first.sink,
      retry: false,
      circuitBreaker: {
        isolateTools: false,
        perTool: true,
        consecutiveFailures: 1,
        openJitter: 0,
      },
    });
    settle(before.execute(fail, { meta: search }));
    await flush();
    before.dispose();
    const log: ResilienceEvent[] = [...first.events];
    const events: ResilienceEvent[] = [];
    const after = createPolicy({
      serverName: 'multi',
      sink: (e) => events.push(e),
      history: log,
      retry: false,
      circuitBreaker: { isolateTools: false, perTool: true },
    });
    expect(after.breakers().map((b) => b.circuit)).toEqual(['multi/search']);
    expect(after.isEjected('search')).toBe(true);
    await advance(30_000);
    expect(events.map((e) => e.event_type)).toEqual(['circuit_half_opened']);
  });

  it('rejects at once when the bulkhead is full, and hedges read-only calls once latencies are known', async () => {
    const t = useFakeTime();
    const policy = createPolicy({
      serverName: 'busy',
      sink: t.sink,
      bulkhead: { maxConcurrent: 1, maxQueue: 0 },
      hedge: { minSamples: 1 },
    });
    const first = settle(
      policy.execute((context) => new Promise((r) => setTimeout(() => r(context.attempt), 40)), {
        meta: search,
      }),
    );
    const rejected = settle(policy.execute(async () => 'x', { meta: search }));
    await flush();
    expect(rejected.error).toMatchObject({ code: ResilienceErrorCode.BulkheadFull });
    await advance(40);
    expect(first.value).toEqual({ number: 1 });
    expect(policy.latencies?.count).toBe(1);
    const hedged = settle(
      policy.execute(
        (context) => (context.attempt.hedged ? Promise.resolve('hedge') : hang(context)),
        { meta: search },
      ),
    );
    await advance(40);
    expect(hedged.value).toBe('hedge');
    expect(t.types()).toEqual(['bulkhead_rejected', 'hedge_fired']);
    expectValidEvents(t.events);
  });
});
