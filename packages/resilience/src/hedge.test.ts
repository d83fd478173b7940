import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CallContext, CallMeta } from './context.js';
import { createHedgePolicy } from './hedge.js';
import { createLatencyTracker } from './latencyTracker.js';
import { createRetryBudget } from './retryBudget.js';
import {
  advance,
  deferred,
  expectValidEvents,
  flush,
  settle,
  useFakeTime,
} from './testing/harness.js';

afterEach(() => {
  vi.useRealTimers();
});

const read: CallMeta = {
  method: 'tools/call',
  tool: 'search',
  toolAnnotations: { readOnlyHint: true },
};
const write: CallMeta = { method: 'tools/call', tool: 'create' };

/** A tracker that has seen latencies 1..100 ms, so its p95 is 95 ms. */
function learned() {
  const latencies = createLatencyTracker({ size: 100 });
  for (let ms = 1; ms <= 100; ms++) latencies.record(ms);
  return latencies;
}

/** An operation whose attempts each wait on their own gate; it records their signals. */
function gated() {
  const attempts: { context: CallContext; gate: ReturnType<typeof deferred<string>> }[] = [];
  const op = (context: CallContext) => {
    const gate = deferred<string>();
    attempts.push({ context, gate });
    return gate.promise;
  };
  return { op, attempts };
}

describe('createLatencyTracker', () => {
  it('gives the nearest-rank percentile of the samples held', () => {
    const latencies = learned();
    expect(latencies.percentile(0.95)).toBe(95);
    expect(latencies.percentile(0.5)).toBe(50);
    expect(latencies.percentile(1)).toBe(100);
    expect(createLatencyTracker().percentile(0.95)).toBeUndefined();
  });
});

describe('createHedgePolicy', () => {
  it('fires one extra attempt at the p95 latency, not 1 ms before, and the first answer wins', async () => {
    const t = useFakeTime();
    const hedge = createHedgePolicy({ serverName: 'search', sink: t.sink, latencies: learned() });
    const { op, attempts } = gated();
    const call = settle(hedge.execute(op, { meta: read, traceId: 'tr' }));
    await advance(94);
    expect(attempts).toHaveLength(1);
    await advance(1);
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.context.attempt).toMatchObject({ hedged: true });
    attempts[1]!.gate.resolve('from the hedge');
    await flush();
    expect(call.value).toBe('from the hedge');
    expect(attempts[0]!.context.signal.aborted).toBe(true);
    expect(t.events).toEqual([
      expect.objectContaining({
        event_type: 'hedge_fired',
        delay_ms: 95,
        percentile: 0.95,
        tool: 'search',
        trace_id: 'tr',
      }),
    ]);
    expectValidEvents(t.events);
  });

  it('does not hedge a call that answers before the percentile', async () => {
    useFakeTime();
    const hedge = createHedgePolicy({ latencies: learned() });
    const { op, attempts } = gated();
    const call = settle(hedge.execute(op, { meta: read }));
    await advance(50);
    attempts[0]!.gate.resolve('fast');
    await advance(100);
    expect(call.value).toBe('fast');
    expect(attempts).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never hedges a call that is not read-only, nor before min_samples', async () => {
    useFakeTime();
    const { op, attempts } = gated();
    settle(createHedgePolicy({ latencies: learned() }).execute(op, { meta: write }));
    const few = createLatencyTracker();
    few.record(5);
    settle(createHedgePolicy({ latencies: few, minSamples: 2 }).execute(op, { meta: read }));
    await advance(10_000);
    expect(attempts).toHaveLength(2);
  });

  it('fails only when both attempts fail, with the error that came first', async () => {
    useFakeTime();
    const { op, attempts } = gated();
    const call = settle(createHedgePolicy({ latencies: learned() }).execute(op, { meta: read }));
    await advance(95);
    attempts[0]!.gate.reject(new Error('first'));
    await flush();
    expect(call.done).toBe(false);
    attempts[1]!.gate.reject(new Error('second'));
    await flush();
    expect((call.error as Error).message).toBe('first');
  });

  it('takes a retry-budget token for the hedge, and skips it when there is none', async () => {
    useFakeTime();
    const budget = createRetryBudget({ ratio: 0, min: 1 });
    const hedge = createHedgePolicy({ latencies: learned(), budget });
    const first = gated();
    settle(hedge.execute(first.op, { meta: read }));
    await advance(95);
    expect(first.attempts).toHaveLength(2);
    expect(budget.inFlight).toBe(1);
    const second = gated();
    settle(hedge.execute(second.op, { meta: read }));
    await advance(95);
    expect(second.attempts).toHaveLength(1);
    first.attempts[0]!.gate.resolve('ok');
    await flush();
    expect(budget.inFlight).toBe(0);
  });

  it('learns latencies from the calls it passes through', async () => {
    useFakeTime();
    const hedge = createHedgePolicy({ minSamples: 3 });
    for (const ms of [10, 20, 30]) {
      settle(
        hedge.execute(() => new Promise((resolve) => setTimeout(() => resolve('ok'), ms)), {
          meta: read,
        }),
      );
      await advance(ms);
    }
    expect(hedge.latencies.count).toBe(3);
    expect(hedge.latencies.percentile(0.95)).toBe(30);
  });
});
