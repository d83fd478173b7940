import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CircuitBreakerOptions, createCircuitBreaker } from './circuitBreaker.js';
import { type CircuitState, foldCircuit } from './circuitState.js';
import { ResilienceErrorCode } from './errors.js';
import type { ResilienceEvent } from './events.js';
import {
  advance,
  deferred,
  expectValidEvents,
  flush,
  httpError,
  rpcError,
  settle,
  T0,
  useFakeTime,
} from './testing/harness.js';

afterEach(() => {
  vi.useRealTimers();
});

const ok = async () => 'ok';
const fail = async () => {
  throw httpError(503);
};
/** An operation that answers after `ms`, or fails after `ms`. */
const after =
  (ms: number, failing = false) =>
  () =>
    new Promise<string>((resolve, reject) =>
      setTimeout(() => (failing ? reject(httpError(503)) : resolve('ok')), ms),
    );

function setup(options: CircuitBreakerOptions = {}) {
  const t = useFakeTime();
  const breaker = createCircuitBreaker({
    serverName: 'flaky',
    sink: t.sink,
    openJitter: 0,
    newId: () => 'generated',
    ...options,
  });
  /** Runs one call to completion (for operations that need no time). */
  const run = async (op: () => Promise<string>, traceId?: string) => {
    const call = settle(breaker.execute(op, traceId ? { traceId } : undefined));
    await flush();
    return call;
  };
  return { ...t, breaker, run };
}

describe('createCircuitBreaker: closed → open', () => {
  it('trips on the Nth consecutive failure, not the (N-1)th, and then rejects without calling', async () => {
    const { breaker, run, events } = setup({ consecutiveFailures: 3, minimumCalls: 100 });
    await run(fail);
    await run(fail);
    expect(breaker.state().mode).toBe('closed');
    await run(fail, 'trace-x');
    expect(breaker.state()).toMatchObject({ mode: 'open', ejections: 1, openUntil: T0 + 30_000 });
    expect(events).toEqual([
      expect.objectContaining({
        event_type: 'circuit_opened',
        server_name: 'flaky',
        circuit: 'flaky',
        reason: 'consecutive_failures',
        consecutive_failures: 3,
        ejections: 1,
        open_ms: 30_000,
        open_until: '2026-11-21T10:00:30.000Z',
        trace_id: 'trace-x',
      }),
    ]);
    const op = vi.fn(ok);
    const rejected = await run(op);
    expect(op).not.toHaveBeenCalled();
    expect(rejected.error).toMatchObject({ code: ResilienceErrorCode.CircuitOpen });
    expect((rejected.error as Error).message).toContain(
      'circuit flaky is open until 2026-11-21T10:00:30.000Z',
    );
    expectValidEvents(events);
  });

  it('resets the consecutive count on a success, and the server answering is a success', async () => {
    const { breaker, run } = setup({ consecutiveFailures: 2, minimumCalls: 100 });
    await run(fail);
    await run(ok);
    await run(fail);
    await run(async () => {
      throw rpcError(-32602);
    });
    await run(fail);
    expect(breaker.state().mode).toBe('closed');
    expect(breaker.metrics()).toMatchObject({ calls: 5, failures: 3, consecutiveFailures: 1 });
  });

  it('trips on the failure rate only once minimum_calls are in the window', async () => {
    const { breaker, run, ofType } = setup({
      consecutiveFailures: 100,
      minimumCalls: 4,
      failureRateThreshold: 0.5,
      windowSize: 10,
    });
    await run(fail);
    await run(ok);
    await run(fail);
    expect(breaker.state().mode).toBe('closed'); // 2 of 3: above the rate, below minimum_calls
    await run(ok);
    expect(breaker.state().mode).toBe('open'); // 2 of 4 = 0.5
    expect(ofType('circuit_opened')[0]).toMatchObject({
      reason: 'failure_rate',
      failure_rate: 0.5,
      calls: 4,
    });
  });

  it('trips on the slow-call rate: slower than slow_call_ms, not equal to it', async () => {
    const { breaker, ofType } = setup({
      minimumCalls: 2,
      slowCallMs: 100,
      slowCallRateThreshold: 0.5,
    });
    const first = settle(breaker.execute(after(100)));
    await advance(100);
    expect(first.value).toBe('ok');
    const second = settle(breaker.execute(after(100)));
    await advance(100);
    expect(second.value).toBe('ok');
    expect(breaker.metrics().slow).toBe(0);
    settle(breaker.execute(after(101)));
    await advance(101);
    expect(breaker.state().mode).toBe('closed'); // 1 of 3
    settle(breaker.execute(after(101)));
    await advance(101);
    expect(breaker.state().mode).toBe('open'); // 2 of 4
    expect(ofType('circuit_opened')[0]).toMatchObject({
      reason: 'slow_call_rate',
      slow_call_rate: 0.5,
    });
  });

  it('regression: failures before a long idle period do not trip it (stale buckets)', async () => {
    const { breaker, run } = setup({
      consecutiveFailures: 100,
      minimumCalls: 5,
      failureRateThreshold: 0.5,
      windowMs: 60_000,
    });
    for (let i = 0; i < 4; i++) await run(fail);
    await advance(60_000);
    await run(fail);
    expect(breaker.metrics()).toMatchObject({ calls: 1, failures: 1 });
    expect(breaker.state().mode).toBe('closed');
  });

  it('ignores calls the caller aborted', async () => {
    const { breaker } = setup({ consecutiveFailures: 1 });
    const controller = new AbortController();
    const call = settle(
      breaker.execute(() => Promise.reject(new Error('aborted upstream')), {
        signal: controller.signal,
      }),
    );
    controller.abort();
    await flush();
    expect(call.error).toBeDefined();
    expect(breaker.state().mode).toBe('closed');
  });
});

describe('createCircuitBreaker: open → half-open → closed', () => {
  it('half-opens on its timer at open_ms exactly, with no traffic, and emits the event', async () => {
    const { breaker, run, types } = setup({ consecutiveFailures: 1, openMs: 5000 });
    await run(fail, 'episode');
    await advance(4999);
    expect(breaker.state().mode).toBe('open');
    await advance(1);
    expect(breaker.state()).toMatchObject({ mode: 'half_open', probes: 1 });
    expect(types()).toEqual(['circuit_opened', 'circuit_half_opened']);
  });

  it('admits half_open_probes probes, rejects the rest, and closes when all succeed', async () => {
    const { breaker, run, events, ofType } = setup({
      consecutiveFailures: 1,
      openMs: 1000,
      halfOpenProbes: 2,
    });
    await run(fail, 'episode');
    await advance(1000);
    const probes = [deferred<string>(), deferred<string>()];
    const calls = probes.map((probe) => settle(breaker.execute(() => probe.promise)));
    const extra = vi.fn(ok);
    const rejected = await run(extra);
    expect(extra).not.toHaveBeenCalled();
    expect(rejected.error).toMatchObject({ code: ResilienceErrorCode.CircuitOpen });
    expect((rejected.error as Error).message).toContain(
      'half-open and its 2 probe slot(s) are taken',
    );
    probes[0]!.resolve('a');
    await flush();
    expect(breaker.state().mode).toBe('half_open');
    probes[1]!.resolve('b');
    await flush();
    expect(calls.map((c) => c.value)).toEqual(['a', 'b']);
    expect(breaker.state()).toMatchObject({ mode: 'closed', ejections: 1 });
    expect(ofType('circuit_closed')).toEqual([
      expect.objectContaining({ reason: 'probes_succeeded', ejections: 1, trace_id: 'episode' }),
    ]);
    expect(new Set(events.map((e) => e.trace_id))).toEqual(new Set(['episode']));
    expectValidEvents(events);
  });

  it('reopens on a failed probe for twice as long', async () => {
    const { breaker, run, ofType } = setup({
      consecutiveFailures: 1,
      openMs: 1000,
      maxOpenMs: 3000,
    });
    await run(fail);
    await advance(1000);
    await run(fail);
    expect(breaker.state()).toMatchObject({ mode: 'open', ejections: 2 });
    expect(ofType('circuit_opened')[1]).toMatchObject({
      reason: 'probe_failed',
      ejections: 2,
      open_ms: 2000,
    });
    await advance(1999);
    expect(breaker.state().mode).toBe('open');
    await advance(1);
    await run(fail);
    expect(ofType('circuit_opened')[2]).toMatchObject({ ejections: 3, open_ms: 3000 }); // capped
  });

  it('frees the slot of a probe whose caller aborted', async () => {
    const { breaker, run } = setup({ consecutiveFailures: 1, openMs: 10 });
    await run(fail);
    await advance(10);
    const controller = new AbortController();
    const probe = settle(
      breaker.execute(() => Promise.reject(new Error('gone')), { signal: controller.signal }),
    );
    controller.abort();
    await flush();
    expect(probe.done).toBe(true);
    await run(ok);
    expect(breaker.state().mode).toBe('closed');
  });

  it('shortens the open time again once it has stayed closed and healthy', async () => {
    const { run, ofType } = setup({
      consecutiveFailures: 1,
      openMs: 1000,
      ejectionDecayMs: 60_000,
    });
    await run(fail);
    await advance(1000);
    await run(fail);
    await advance(2000);
    await run(ok); // closed with 2 ejections remembered
    await advance(59_999);
    await run(fail);
    expect(ofType('circuit_opened')[2]).toMatchObject({ ejections: 3, open_ms: 4000 });
    await advance(4000);
    await run(ok);
    await advance(2 * 60_000);
    await run(fail);
    expect(ofType('circuit_opened')[3]).toMatchObject({ ejections: 2, open_ms: 2000 });
  });

  it('ignores the outcome of a call admitted before the state changed', async () => {
    const { breaker, run } = setup({ consecutiveFailures: 1, openMs: 1000 });
    const slowCall = deferred<string>();
    settle(breaker.execute(() => slowCall.promise));
    await run(fail);
    await advance(1000);
    expect(breaker.state().mode).toBe('half_open');
    slowCall.resolve('late');
    await flush();
    expect(breaker.state().mode).toBe('half_open');
  });

  it('never has more than half_open_probes probes in flight in a half-open period', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(
          fc.oneof(
            { arbitrary: fc.record({ kind: fc.constant('call' as const) }), weight: 4 },
            {
              arbitrary: fc.record({
                kind: fc.constant('settle' as const),
                index: fc.nat(),
                outcome: fc.constantFrom('ok', 'fail', 'fail', 'abort'),
              }),
              weight: 2,
            },
            {
              arbitrary: fc.record({
                kind: fc.constant('wait' as const),
                ms: fc.integer({ min: 0, max: 1500 }),
              }),
              weight: 1,
            },
          ),
          { minLength: 10, maxLength: 60, size: 'max' },
        ),
        async (probes, steps) => {
          const { breaker } = setup({
            consecutiveFailures: 1,
            openMs: 1000,
            maxOpenMs: 1000,
            halfOpenProbes: probes,
          });
          const pending: {
            gate: ReturnType<typeof deferred<string>>;
            controller: AbortController;
            probeOf?: string;
          }[] = [];
          // Probes running per half-open period (mode@since), counted from outside the breaker.
          const running = new Map<string, number>();
          let peak = 0;
          const periodOf = () => {
            const state = breaker.state();
            return state.mode === 'half_open' ? `${state.since}` : undefined;
          };
          for (const step of steps) {
            if (step.kind === 'call') {
              const gate = deferred<string>();
              // A call the breaker refused never awaits its gate.
              gate.promise.catch(() => undefined);
              const entry: (typeof pending)[number] = { gate, controller: new AbortController() };
              pending.push(entry);
              settle(
                breaker.execute(
                  () => {
                    const period = periodOf();
                    if (period !== undefined) {
                      entry.probeOf = period;
                      running.set(period, (running.get(period) ?? 0) + 1);
                      peak = Math.max(peak, running.get(period)!);
                    }
                    return gate.promise;
                  },
                  { signal: entry.controller.signal },
                ),
              );
            } else if (step.kind === 'settle' && pending.length > 0) {
              const [entry] = pending.splice(step.index % pending.length, 1);
              if (entry!.probeOf !== undefined) {
                running.set(entry!.probeOf, running.get(entry!.probeOf)! - 1);
              }
              if (step.outcome === 'ok') entry!.gate.resolve('ok');
              else if (step.outcome === 'fail') entry!.gate.reject(httpError(503));
              else {
                entry!.controller.abort();
                entry!.gate.reject(new Error('aborted'));
              }
            } else if (step.kind === 'wait') {
              await advance(step.ms);
            }
            await flush();
            expect(peak).toBeLessThanOrEqual(probes);
            expect(breaker.metrics().probesInFlight).toBeLessThanOrEqual(probes);
          }
          breaker.dispose();
          vi.useRealTimers();
        },
      ),
      { numRuns: 100 },
    );
  }, 60_000);
});

describe('createCircuitBreaker: operator modes', () => {
  it('isolates until released, even against the panic bypass', async () => {
    const { breaker, run, ofType } = setup();
    breaker.isolate('disk full on host');
    const op = vi.fn(ok);
    const rejected = settle(breaker.execute(op, { bypassCircuit: true }));
    await flush();
    expect(rejected.error).toMatchObject({ code: ResilienceErrorCode.CircuitIsolated });
    expect(op).not.toHaveBeenCalled();
    expect(breaker.isEjected()).toBe(true);
    breaker.release();
    expect((await run(ok)).value).toBe('ok');
    expect(ofType('circuit_isolated')[0]).toMatchObject({ reason: 'disk full on host' });
    expect(ofType('circuit_closed')[0]).toMatchObject({ reason: 'operator' });
  });

  it('admits an open circuit only with the panic bypass, without counting it', async () => {
    const { breaker, run } = setup({ consecutiveFailures: 1 });
    await run(fail);
    const call = settle(breaker.execute(fail, { bypassCircuit: true }));
    await flush();
    expect(call.error).toMatchObject({ code: 503 });
    expect(breaker.state()).toMatchObject({ mode: 'open', ejections: 1 });
  });

  it('in metrics-only mode never rejects and reports each crossing once', async () => {
    const { breaker, run, types } = setup({ consecutiveFailures: 2, metricsOnly: true });
    for (let i = 0; i < 5; i++) expect((await run(fail)).error).toMatchObject({ code: 503 });
    expect(breaker.state().mode).toBe('metrics_only');
    expect(types()).toEqual(['circuit_threshold_exceeded', 'circuit_threshold_exceeded']);
    breaker.release();
    await run(fail);
    await run(fail);
    expect(breaker.state().mode).toBe('open');
  });
});

describe('createCircuitBreaker: replay', () => {
  it('has, after every event, the state that folding its events gives', async () => {
    const { breaker, run, events } = setup({ consecutiveFailures: 1, openMs: 100 });
    const states: CircuitState[] = [];
    const check = () => {
      states.push(breaker.state());
      expect(foldCircuit(events, 'flaky')).toEqual(breaker.state());
    };
    await run(fail);
    check();
    await advance(100);
    check();
    await run(fail);
    check();
    await advance(200);
    await run(ok);
    check();
    breaker.isolate('x');
    check();
    breaker.setMetricsOnly('dry run');
    check();
    expect(states.map((s) => s.mode)).toEqual([
      'open',
      'half_open',
      'open',
      'closed',
      'isolated',
      'metrics_only',
    ]);
    expectValidEvents(events);
  });

  it('restored from its log, rejects while open and half-opens at the remaining time', async () => {
    const first = setup({ consecutiveFailures: 1, openMs: 10_000 });
    await first.run(fail);
    first.breaker.dispose();
    const log: ResilienceEvent[] = [...first.events];
    await advance(4000);
    const events: ResilienceEvent[] = [];
    const restored = createCircuitBreaker({
      serverName: 'flaky',
      sink: (e) => events.push(e),
      history: log,
      openJitter: 0,
    });
    expect(restored.state()).toEqual(first.breaker.state());
    const rejected = settle(restored.execute(ok));
    await flush();
    expect(rejected.error).toMatchObject({ code: ResilienceErrorCode.CircuitOpen });
    await advance(5999);
    expect(restored.state().mode).toBe('open');
    await advance(1);
    expect(restored.state().mode).toBe('half_open');
    expect(events.map((e) => e.event_type)).toEqual(['circuit_half_opened']);
  });
});

describe('createCircuitBreaker: long open times', () => {
  it('regression: an open time beyond the 32-bit timer limit does not half-open at once', async () => {
    const { breaker, run } = setup({
      consecutiveFailures: 1,
      openMs: 30 * 86_400_000,
      maxOpenMs: 30 * 86_400_000,
    });
    await run(fail);
    await advance(2 ** 31);
    expect(breaker.state().mode).toBe('open');
    await advance(30 * 86_400_000 - 2 ** 31 - 1);
    expect(breaker.state().mode).toBe('open');
    await advance(1);
    expect(breaker.state().mode).toBe('half_open');
  });
});
