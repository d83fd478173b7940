import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CallContext } from './context.js';
import { ResilienceError, ResilienceErrorCode } from './errors.js';
import {
  advance,
  deferred,
  expectValidEvents,
  flush,
  settle,
  useFakeTime,
} from './testing/harness.js';
import { createTimeoutPolicy } from './timeout.js';

afterEach(() => {
  vi.useRealTimers();
});

/** An operation that answers 'ok' after `ms` and records the signal it was given. */
function slow(ms: number) {
  const seen: { signal?: AbortSignal; deadline?: number } = {};
  const op = (context: CallContext) => {
    seen.signal = context.signal;
    seen.deadline = context.deadline;
    return new Promise<string>((resolve) => setTimeout(() => resolve('ok'), ms));
  };
  return { op, seen };
}

describe('createTimeoutPolicy', () => {
  it('lets an answer 1 ms before the timeout through', async () => {
    useFakeTime();
    const { op, seen } = slow(999);
    const call = settle(createTimeoutPolicy({ timeoutMs: 1000 }).execute(op));
    await advance(999);
    expect(call).toMatchObject({ done: true, value: 'ok' });
    expect(seen.signal?.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at the timeout with ATTEMPT_TIMEOUT and aborts the operation with it', async () => {
    const t = useFakeTime();
    const { op, seen } = slow(5000);
    const policy = createTimeoutPolicy({ serverName: 'slow', sink: t.sink, timeoutMs: 1000 });
    const call = settle(
      policy.execute(op, { meta: { method: 'tools/call', tool: 'search' }, traceId: 'tr' }),
    );
    await advance(999);
    expect(call.done).toBe(false);
    await advance(1);
    expect(call.error).toBeInstanceOf(ResilienceError);
    expect(call.error).toMatchObject({ code: ResilienceErrorCode.AttemptTimeout });
    expect((call.error as Error).message).toBe(
      'slow: attempt 1 of tools/call (search) timed out after 1000 ms',
    );
    expect(seen.signal?.reason).toBe(call.error);
    expect(t.events).toEqual([
      expect.objectContaining({
        event_type: 'call_timed_out',
        scope: 'attempt',
        timeout_ms: 1000,
        attempt: 1,
        tool: 'search',
        trace_id: 'tr',
      }),
    ]);
    expectValidEvents(t.events);
  });

  it('sets the deadline for the whole call, never later than an outer one', async () => {
    useFakeTime();
    const start = Date.now();
    const { op, seen } = slow(1);
    const policy = createTimeoutPolicy({ timeoutMs: 1000, scope: 'call' });
    const first = settle(policy.execute(op));
    await advance(1);
    expect(first.value).toBe('ok');
    expect(seen.deadline).toBe(start + 1000);
    const outer = {
      signal: new AbortController().signal,
      meta: { method: 'ping' },
      attempt: { number: 1 },
      deadline: Date.now() + 10,
    };
    settle(policy.execute(op, outer));
    expect(seen.deadline).toBe(outer.deadline);
    await advance(1);
  });

  it('rejects with CALL_TIMEOUT for the call scope', async () => {
    useFakeTime();
    const call = settle(createTimeoutPolicy({ timeoutMs: 50, scope: 'call' }).execute(slow(60).op));
    await advance(50);
    expect(call.error).toMatchObject({ code: ResilienceErrorCode.CallTimeout });
  });

  it('passes the caller abort through at once and clears its timer', async () => {
    useFakeTime();
    const controller = new AbortController();
    const pending = deferred<string>();
    let inner: AbortSignal | undefined;
    const call = settle(
      createTimeoutPolicy({ timeoutMs: 1000 }).execute(
        (context) => {
          inner = context.signal;
          return pending.promise;
        },
        { signal: controller.signal },
      ),
    );
    controller.abort('user left');
    await flush();
    expect(call.error).toMatchObject({ code: ResilienceErrorCode.Aborted, cause: 'user left' });
    expect(inner?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses a timeout that is not a positive number', () => {
    expect(() => createTimeoutPolicy({ timeoutMs: 0 })).toThrow(
      /timeoutMs: expected a number > 0, found 0/,
    );
  });
});
