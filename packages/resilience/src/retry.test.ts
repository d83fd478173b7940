import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CallMeta } from './context.js';
import { ResilienceError, ResilienceErrorCode } from './errors.js';
import { createRetryPolicy } from './retry.js';
import { createRetryBudget } from './retryBudget.js';
import {
  advance,
  deferred,
  expectValidEvents,
  flush,
  httpError,
  rpcError,
  settle,
  systemError,
  useFakeTime,
} from './testing/harness.js';

afterEach(() => {
  vi.useRealTimers();
});

const list: CallMeta = { method: 'tools/list' };
const write: CallMeta = { method: 'tools/call', tool: 'create_issue' };
const fixed = (ms: number) => () => ms;

/** An operation that fails once with HTTP 503, then runs `then`. */
function failingThen(then: () => Promise<string>) {
  let failed = false;
  return async () => {
    if (failed) return then();
    failed = true;
    throw httpError(503);
  };
}

/** An operation that fails with `errors` in turn, then answers 'ok'; counts its calls. */
function failing(...errors: unknown[]) {
  const op = vi.fn(async () => {
    const error = errors.shift();
    if (error !== undefined) throw error;
    return 'ok';
  });
  return op;
}

describe('createRetryPolicy', () => {
  it('retries a retryable failure after the backoff, to the millisecond', async () => {
    const t = useFakeTime();
    const op = failing(httpError(503));
    const retry = createRetryPolicy({ serverName: 'flaky', sink: t.sink, backoff: fixed(100) });
    const call = settle(retry.execute(op, { meta: list, traceId: 'trace-1' }));
    await flush();
    expect(op).toHaveBeenCalledTimes(1);
    await advance(99);
    expect(op).toHaveBeenCalledTimes(1);
    await advance(1);
    expect(op).toHaveBeenCalledTimes(2);
    expect(call).toMatchObject({ done: true, value: 'ok' });
    expect(t.events).toEqual([
      expect.objectContaining({
        event_type: 'retry_attempted',
        server_name: 'flaky',
        attempt: 2,
        delay_ms: 100,
        reason: 'HTTP 503',
        method: 'tools/list',
        trace_id: 'trace-1',
      }),
    ]);
    expectValidEvents(t.events);
  });

  it('rethrows a non-retryable error at once (invalid params)', async () => {
    useFakeTime();
    const error = rpcError(-32602);
    const op = failing(error);
    await expect(createRetryPolicy({ backoff: fixed(0) }).execute(op, { meta: list })).rejects.toBe(
      error,
    );
    expect(op).toHaveBeenCalledTimes(1);
  });

  it('does not retry a tools/call that may have had its effect, unless it never left', async () => {
    useFakeTime();
    const retry = createRetryPolicy({ backoff: fixed(0) });
    const sent = failing(httpError(503));
    await expect(retry.execute(sent, { meta: write })).rejects.toMatchObject({ code: 503 });
    expect(sent).toHaveBeenCalledTimes(1);

    const refused = failing(systemError('ECONNREFUSED'));
    const call = settle(retry.execute(refused, { meta: write }));
    await flush();
    expect(call).toMatchObject({ done: true, value: 'ok' });
    expect(refused).toHaveBeenCalledTimes(2);

    // The operation itself can say the request never left.
    let first = true;
    const marked = vi.fn(async (context: { attempt: { sent?: boolean } }) => {
      if (first) {
        first = false;
        context.attempt.sent = false;
        throw httpError(503);
      }
      return 'ok';
    });
    const markedCall = settle(retry.execute(marked, { meta: write }));
    await flush();
    expect(markedCall).toMatchObject({ done: true, value: 'ok' });
    expect(marked).toHaveBeenCalledTimes(2);
  });

  it('stops at max_attempts with RETRIES_EXHAUSTED listing each attempt', async () => {
    useFakeTime();
    const last = httpError(502);
    const op = failing(httpError(503), systemError('ECONNRESET'), last);
    const call = settle(
      createRetryPolicy({ serverName: 'flaky', maxAttempts: 3, backoff: fixed(10) }).execute(op, {
        meta: list,
      }),
    );
    await advance(20);
    expect(op).toHaveBeenCalledTimes(3);
    expect(call.error).toBeInstanceOf(ResilienceError);
    const error = call.error as ResilienceError;
    expect(error.code).toBe(ResilienceErrorCode.RetriesExhausted);
    expect(error.cause).toBe(last);
    expect(error.message).toContain('flaky: 3 attempts failed');
    expect(error.data).toMatchObject({
      stop: 'attempts',
      attempts: [
        { name: 'flaky', message: 'HTTP 503' },
        { name: 'flaky', message: 'ECONNRESET: fetch failed' },
        { name: 'flaky', message: 'HTTP 502' },
      ],
    });
  });

  it('waits for a Retry-After longer than the backoff', async () => {
    const t = useFakeTime();
    const op = failing(httpError(429, { 'retry-after': '2' }));
    const call = settle(
      createRetryPolicy({ sink: t.sink, backoff: fixed(100) }).execute(op, { meta: list }),
    );
    await advance(1999);
    expect(op).toHaveBeenCalledTimes(1);
    await advance(1);
    expect(call).toMatchObject({ done: true, value: 'ok' });
    expect(t.ofType('retry_attempted')[0]).toMatchObject({ delay_ms: 2000, retry_after_ms: 2000 });
  });

  it('gives up when the next attempt could not start before the deadline', async () => {
    useFakeTime();
    const op = failing(httpError(503), httpError(503));
    const retry = createRetryPolicy({ backoff: fixed(100), maxAttempts: 5 });
    const start = Date.now();
    // Deadline 1 ms after the backoff would end: one retry fits.
    const fits = settle(
      retry.execute(op, { meta: list, signal: new AbortController().signal, ...{} }),
    );
    void fits;
    const context = {
      signal: new AbortController().signal,
      meta: list,
      attempt: { number: 1 },
      deadline: start + 100,
    };
    const late = settle(retry.execute(failing(httpError(503)), context));
    await flush();
    expect(late.error).toMatchObject({
      code: ResilienceErrorCode.RetriesExhausted,
      data: { stop: 'deadline' },
    });
    // 1 ms later, the retry fits.
    const onTime = settle(
      retry.execute(failing(httpError(503)), { ...context, deadline: start + 101 }),
    );
    await advance(100);
    expect(onTime).toMatchObject({ done: true, value: 'ok' });
  });

  it('cuts the backoff wait short at once when the caller aborts', async () => {
    useFakeTime();
    const controller = new AbortController();
    const op = failing(httpError(503));
    const call = settle(
      createRetryPolicy({ backoff: fixed(60_000) }).execute(op, {
        meta: list,
        signal: controller.signal,
      }),
    );
    await flush();
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    await flush();
    expect(call.error).toMatchObject({ code: ResilienceErrorCode.Aborted });
    expect(vi.getTimerCount()).toBe(0);
    expect(op).toHaveBeenCalledTimes(1);
  });

  it('refuses a retry beyond the upstream budget and says so', async () => {
    const t = useFakeTime();
    const budget = createRetryBudget({ ratio: 0, min: 1 });
    const retry = createRetryPolicy({
      serverName: 'flaky',
      sink: t.sink,
      budget,
      backoff: fixed(1000),
    });
    const gate = deferred<string>();
    let firstRetry = true;
    const first = settle(
      retry.execute(
        failingThen(() => {
          firstRetry = false;
          return gate.promise;
        }),
        { meta: list },
      ),
    );
    const second = settle(retry.execute(failing(httpError(503)), { meta: list }));
    await advance(1000);
    // Both waited out their backoff; the first retry took the only token.
    expect(firstRetry).toBe(false);
    expect(budget.inFlight).toBe(1);
    expect(second.error).toMatchObject({
      code: ResilienceErrorCode.RetriesExhausted,
      data: { stop: 'budget' },
    });
    // With the token held, a third failing call is refused without waiting.
    const third = settle(retry.execute(failing(httpError(503)), { meta: list }));
    await flush();
    expect(third.error).toMatchObject({ data: { stop: 'budget' } });
    expect(t.ofType('retry_budget_exhausted')).toEqual([
      expect.objectContaining({ active_calls: 2, retries_in_flight: 1, limit: 1 }),
      expect.objectContaining({ active_calls: 2, retries_in_flight: 1, limit: 1 }),
    ]);
    gate.resolve('ok');
    await flush();
    expect(first).toMatchObject({ done: true, value: 'ok' });
    expect([budget.inFlight, budget.active]).toEqual([0, 0]);
    expectValidEvents(t.events);
  });
});
