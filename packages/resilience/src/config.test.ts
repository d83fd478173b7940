import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createPolicyFromConfig,
  policyOptionsFromConfig,
  resilienceDefaults,
  resolveResilienceConfig,
} from './config.js';
import { ResilienceError } from './errors.js';
import { flush, httpError, settle, useFakeTime } from './testing/harness.js';

/** Every leaf of an object, as `a.b.c` paths. */
function leaves(value: unknown, path = ''): [string, unknown][] {
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) =>
      leaves(child, path ? `${path}.${key}` : key),
    );
  }
  return [[path, value]];
}

describe('resilienceDefaults', () => {
  it('has a default for every key of the schema, with the documented values', () => {
    const defaults = resilienceDefaults();
    expect(leaves(defaults).filter(([, value]) => value === undefined)).toEqual([]);
    expect(defaults).toMatchObject({
      timeout_ms: 30000,
      attempt_timeout_ms: 10000,
      retry: {
        max_attempts: 3,
        initial_delay_ms: 100,
        max_delay_ms: 5000,
        jitter: 'full',
        budget_ratio: 0.2,
        budget_min: 3,
      },
      circuit_breaker: {
        enabled: true,
        per_tool: false,
        consecutive_failures: 5,
        window_size: 20,
        minimum_calls: 10,
        open_ms: 30000,
        half_open_probes: 1,
      },
      bulkhead: { max_concurrent: 64, max_queue: 256 },
      hedge: { enabled: false, percentile: 0.95, min_samples: 20 },
    });
  });

  it('returns a fresh copy each time', () => {
    const one = resilienceDefaults();
    one.retry.max_attempts = 99;
    expect(resilienceDefaults().retry.max_attempts).toBe(3);
  });
});

describe('resolveResilienceConfig', () => {
  it('merges global then per-server sections key by key over the defaults', () => {
    const resolved = resolveResilienceConfig(
      { retry: { max_attempts: 5, jitter: 'decorrelated' }, bulkhead: { max_concurrent: 8 } },
      undefined,
      { retry: { max_attempts: 2 }, circuit_breaker: { per_tool: true } },
    );
    expect(resolved.retry).toMatchObject({
      max_attempts: 2,
      jitter: 'decorrelated',
      initial_delay_ms: 100,
    });
    expect(resolved.bulkhead).toEqual({ max_concurrent: 8, max_queue: 256 });
    expect(resolved.circuit_breaker.per_tool).toBe(true);
  });

  it('names every bad key by its pointer', () => {
    let caught: unknown;
    try {
      resolveResilienceConfig({
        retry: { max_attempts: 0 },
        circuit_breaker: { open_ms: -1, typo: 1 } as never,
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ResilienceError);
    const message = (caught as Error).message;
    expect(message).toContain('/resilience/retry/max_attempts');
    expect(message).toContain('/resilience/circuit_breaker/open_ms');
    expect(message).toContain('typo');
  });
});

describe('policyOptionsFromConfig', () => {
  it('maps every key, and leaves out a disabled breaker or hedge', () => {
    const defaults = policyOptionsFromConfig(resilienceDefaults());
    expect(defaults).toMatchObject({
      timeoutMs: 30000,
      attemptTimeoutMs: 10000,
      retry: {
        maxAttempts: 3,
        backoff: { initialDelayMs: 100, maxDelayMs: 5000, jitter: 'full' },
        budgetRatio: 0.2,
        budgetMin: 3,
      },
      circuitBreaker: {
        consecutiveFailures: 5,
        windowMs: 60000,
        ejectionDecayMs: 60000,
        metricsOnly: false,
      },
      bulkhead: { maxConcurrent: 64, maxQueue: 256 },
      hedge: false,
    });
    const off = policyOptionsFromConfig(
      resolveResilienceConfig({ circuit_breaker: { enabled: false }, hedge: { enabled: true } }),
    );
    expect(off.circuitBreaker).toBe(false);
    expect(off.hedge).toEqual({ percentile: 0.95, minSamples: 20 });
  });
});

describe('createPolicyFromConfig', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('builds the stack from the global and the server section', async () => {
    const t = useFakeTime();
    const policy = createPolicyFromConfig(
      { serverName: 'flaky', sink: t.sink },
      { retry: { max_attempts: 1 } },
      { circuit_breaker: { consecutive_failures: 1, open_ms: 1000, open_jitter: 0 } },
    );
    const call = settle(
      policy.execute(
        async () => {
          throw httpError(503);
        },
        { meta: { method: 'tools/list' } },
      ),
    );
    await flush();
    expect(call.error).toMatchObject({ code: 'RETRIES_EXHAUSTED' });
    expect(t.ofType('circuit_opened')).toEqual([expect.objectContaining({ open_ms: 1000 })]);
    policy.dispose();
  });
});

describe('enabled: false', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('leaves every layer out: no timeout, no retry, no breaker, no bulkhead', async () => {
    const t = useFakeTime();
    const options = policyOptionsFromConfig(resolveResilienceConfig({ enabled: false }));
    expect(options).toMatchObject({
      timeoutMs: false,
      attemptTimeoutMs: false,
      retry: false,
      circuitBreaker: false,
      bulkhead: false,
      hedge: false,
    });
    const policy = createPolicyFromConfig(
      { serverName: 'bare', sink: t.sink },
      { circuit_breaker: { consecutive_failures: 1 } },
      { enabled: false },
    );
    let attempts = 0;
    for (let i = 0; i < 3; i++) {
      const call = settle(
        policy.execute(
          async () => {
            attempts++;
            throw httpError(503);
          },
          { meta: { method: 'tools/list' } },
        ),
      );
      await flush();
      expect(call.error).toMatchObject({ message: 'HTTP 503' });
    }
    // Each call made one attempt and no breaker opened; a slow call is never cut short.
    expect(attempts).toBe(3);
    expect(t.events).toEqual([]);
    const slow = settle(
      policy.execute(() => new Promise((resolve) => setTimeout(() => resolve('late'), 3_600_000))),
    );
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(slow.value).toBe('late');
    policy.dispose();
  });
});
