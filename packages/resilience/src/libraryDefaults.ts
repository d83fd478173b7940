/**
 * What each building block applies when it is called without a value (a library user's
 * defaults), keyed as the config's `resilience` section is. They equal the config schema's
 * defaults: `libraryDefaults.test.ts` compares the two, so a config that says nothing and a
 * library call that passes nothing behave the same.
 */
export const LIBRARY_DEFAULTS = {
  timeout_ms: 30_000,
  attempt_timeout_ms: 10_000,
  retry: {
    max_attempts: 3,
    initial_delay_ms: 100,
    max_delay_ms: 5000,
    jitter: 'full',
    budget_ratio: 0.2,
    budget_min: 3,
  },
  circuit_breaker: {
    consecutive_failures: 5,
    failure_rate_threshold: 0.5,
    slow_call_rate_threshold: 1,
    slow_call_ms: 5000,
    window_size: 20,
    minimum_calls: 10,
    window_ms: 60_000,
    open_ms: 30_000,
    max_open_ms: 300_000,
    open_jitter: 0.1,
    ejection_decay_ms: 60_000,
    half_open_probes: 1,
  },
  bulkhead: { max_concurrent: 64, max_queue: 256 },
  hedge: { percentile: 0.95, min_samples: 20 },
} as const;
