import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPolicyFromConfig } from './config.js';
import type { UpstreamPolicy } from './createPolicy.js';
import { advance, deferred, flush, httpError, settle, useFakeTime } from './testing/harness.js';

const call = (tool: string, method = 'tools/call') => ({ meta: { method, tool } });
const fail = async () => {
  throw httpError(503);
};
const toolFails = async () => {
  throw httpError(500);
};
/** An operation that answers `value` after `ms` of fake time, or when aborted, rejects. */
const answerAfter =
  (ms: number, value = 'ok') =>
  ({ signal }: { signal: AbortSignal }) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => resolve(value), ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    });

describe('per-tool resilience sections', () => {
  let policy: UpstreamPolicy | undefined;
  afterEach(() => {
    policy?.dispose();
    policy = undefined;
    vi.useRealTimers();
  });

  it('merges global -> server -> tool key by key: a tool’s own attempt timeout wins', async () => {
    const t = useFakeTime();
    policy = createPolicyFromConfig(
      { serverName: 's', sink: t.sink },
      { retry: { max_attempts: 1 }, attempt_timeout_ms: 9000 },
      { attempt_timeout_ms: 1000, tools: { report: { attempt_timeout_ms: 5000 } } },
    );
    const other = settle(policy.execute(answerAfter(3000), call('echo')));
    const report = settle(policy.execute(answerAfter(3000), call('report')));
    await advance(999);
    expect(other.done).toBe(false);
    await advance(1);
    expect(other.error).toMatchObject({ code: 'ATTEMPT_TIMEOUT' });
    expect(report.done).toBe(false);
    await advance(2000);
    expect(report.value).toBe('ok');
    // The tool section keeps every other key from the global and server sections.
    expect(t.ofType('call_timed_out')).toEqual([
      expect.objectContaining({ scope: 'attempt', timeout_ms: 1000, tool: 'echo' }),
    ]);
  });

  it('gives a tool section’s circuit_breaker keys to that tool’s breaker; the server’s breaker stays shared', async () => {
    const t = useFakeTime();
    policy = createPolicyFromConfig(
      { serverName: 's', sink: t.sink },
      {
        retry: { max_attempts: 1 },
        circuit_breaker: { consecutive_failures: 2, open_jitter: 0, open_ms: 1000 },
        tools: { shared: { timeout_ms: 1234 }, own: { circuit_breaker: { open_ms: 5000 } } },
      },
    );
    // Two failures of the tool itself (HTTP 500: its handler) open only its breaker.
    for (let i = 0; i < 2; i++) settle(policy.execute(toolFails, call('own')));
    for (let i = 0; i < 2; i++) settle(policy.execute(toolFails, call('shared')));
    await flush();
    expect(t.ofType('circuit_opened')).toEqual([
      expect.objectContaining({ circuit: 's/own', tool: 'own', open_ms: 5000 }),
      expect.objectContaining({ circuit: 's/shared', tool: 'shared', open_ms: 1000 }),
    ]);
    expect(policy.isEjected('own')).toBe(true);
    expect(policy.isEjected('shared')).toBe(true);
    expect(policy.isEjected('echo')).toBe(false);
    // Transport failures (HTTP 503) of any tool open the one server breaker, for all tools.
    await advance(1000);
    for (let i = 0; i < 2; i++) settle(policy.execute(fail, call('echo')));
    await flush();
    expect(t.ofType('circuit_opened').map((e) => e.circuit)).toEqual(['s/own', 's/shared', 's']);
    const refused = settle(policy.execute(async () => 'never', call('own')));
    await flush();
    expect(refused.error).toMatchObject({ code: 'CIRCUIT_OPEN', data: { circuit: 's' } });
    expect(
      policy
        .breakers()
        .map((b) => b.circuit)
        .sort(),
    ).toEqual(['s', 's/echo', 's/own', 's/shared']);
  });

  it('shares the server’s bulkhead unless the tool section has a bulkhead key', async () => {
    const t = useFakeTime();
    policy = createPolicyFromConfig(
      { serverName: 's', sink: t.sink },
      {
        bulkhead: { max_concurrent: 1, max_queue: 0 },
        tools: { shared: { timeout_ms: 1234 }, own: { bulkhead: { max_concurrent: 1 } } },
      },
    );
    const hold = deferred<string>();
    const first = settle(policy.execute(() => hold.promise, call('echo')));
    const shared = settle(policy.execute(async () => 'x', call('shared')));
    const own = settle(policy.execute(async () => 'y', call('own')));
    await flush();
    expect(shared.error).toMatchObject({ code: 'BULKHEAD_FULL' });
    expect(own.value).toBe('y');
    hold.resolve('done');
    await flush();
    expect(first.value).toBe('done');
  });

  it('draws every tool’s retries from the server’s one retry budget', async () => {
    const t = useFakeTime();
    policy = createPolicyFromConfig(
      { serverName: 's', sink: t.sink },
      {
        retry: { max_attempts: 2, budget_min: 1, budget_ratio: 0, initial_delay_ms: 100 },
        circuit_breaker: { enabled: false },
        tools: { a: { retry: { max_attempts: 3 } } },
      },
    );
    const idempotent = (tool: string) => ({
      meta: { method: 'tools/call', tool, toolAnnotations: { idempotentHint: true } },
    });
    // The first attempt fails, a retry hangs: one retry holds the only token of the budget.
    const failThenHang = () => {
      let attempts = 0;
      return () => (attempts++ === 0 ? fail() : new Promise<string>(() => {}));
    };
    const a = settle(policy.execute(failThenHang(), idempotent('a')));
    const b = settle(policy.execute(failThenHang(), idempotent('b')));
    await advance(1000);
    expect(t.ofType('retry_attempted')).toHaveLength(1);
    expect(t.ofType('retry_budget_exhausted')).toHaveLength(1);
    expect([a, b].filter((s) => s.done)).toEqual([
      expect.objectContaining({ error: expect.objectContaining({ code: 'RETRIES_EXHAUSTED' }) }),
    ]);
  });

  it('treats calls without a tool (lists, reads) with the server’s own policy', async () => {
    const t = useFakeTime();
    policy = createPolicyFromConfig(
      { serverName: 's', sink: t.sink },
      {
        attempt_timeout_ms: 100,
        retry: { max_attempts: 1 },
        tools: { x: { attempt_timeout_ms: 5000 } },
      },
    );
    const list = settle(policy.execute(answerAfter(200), { meta: { method: 'tools/list' } }));
    await advance(100);
    expect(list.error).toMatchObject({ code: 'RETRIES_EXHAUSTED' });
  });
});
