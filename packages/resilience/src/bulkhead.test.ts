import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBulkhead } from './bulkhead.js';
import { ResilienceErrorCode } from './errors.js';
import { deferred, expectValidEvents, flush, settle, useFakeTime } from './testing/harness.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('createBulkhead', () => {
  it('runs max_concurrent, queues max_queue in order, and rejects the next at once', async () => {
    const t = useFakeTime();
    const bulkhead = createBulkhead({
      serverName: 'busy',
      sink: t.sink,
      maxConcurrent: 2,
      maxQueue: 1,
    });
    const gates = [deferred<string>(), deferred<string>(), deferred<string>()];
    const started: number[] = [];
    const calls = gates.map((gate, index) =>
      settle(
        bulkhead.execute(() => {
          started.push(index);
          return gate.promise;
        }),
      ),
    );
    const rejected = settle(
      bulkhead.execute(async () => 'never', { meta: { method: 'tools/call', tool: 'x' } }),
    );
    await flush();
    expect(started).toEqual([0, 1]);
    expect([bulkhead.running, bulkhead.queued]).toEqual([2, 1]);
    expect(rejected.error).toMatchObject({ code: ResilienceErrorCode.BulkheadFull });
    expect((rejected.error as Error).message).toContain('max_concurrent 2, max_queue 1');
    expect(t.events).toEqual([
      expect.objectContaining({
        event_type: 'bulkhead_rejected',
        max_concurrent: 2,
        max_queue: 1,
        tool: 'x',
      }),
    ]);
    expectValidEvents(t.events);

    gates[1]!.reject(new Error('upstream failed'));
    await flush();
    expect(started).toEqual([0, 1, 2]);
    expect([bulkhead.running, bulkhead.queued]).toEqual([2, 0]);
    gates[0]!.resolve('a');
    gates[2]!.resolve('c');
    await flush();
    expect(calls.map((c) => c.value ?? (c.error as Error).message)).toEqual([
      'a',
      'upstream failed',
      'c',
    ]);
    expect([bulkhead.running, bulkhead.queued]).toEqual([0, 0]);
  });

  it('takes an aborted waiter out of the queue at once', async () => {
    useFakeTime();
    const bulkhead = createBulkhead({ maxConcurrent: 1, maxQueue: 1 });
    const gate = deferred<string>();
    settle(bulkhead.execute(() => gate.promise));
    const controller = new AbortController();
    const waiting = settle(bulkhead.execute(async () => 'late', { signal: controller.signal }));
    expect(bulkhead.queued).toBe(1);
    controller.abort();
    await flush();
    expect(waiting.error).toMatchObject({ code: ResilienceErrorCode.Aborted });
    expect(bulkhead.queued).toBe(0);
    // The freed queue place is usable again, and the slot is released when the first ends.
    const next = settle(bulkhead.execute(async () => 'next'));
    gate.resolve('first');
    await flush();
    expect(next.value).toBe('next');
    expect(bulkhead.running).toBe(0);
  });

  it('counts a synchronous throw as a finished call', async () => {
    useFakeTime();
    const bulkhead = createBulkhead({ maxConcurrent: 1, maxQueue: 0 });
    const call = settle(
      bulkhead.execute(() => {
        throw new Error('sync');
      }),
    );
    await flush();
    expect((call.error as Error).message).toBe('sync');
    expect(bulkhead.running).toBe(0);
  });
});
