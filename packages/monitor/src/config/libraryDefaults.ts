/**
 * What the monitor's building blocks (probes, supervisor, recovery command, backoff) apply when
 * called without a value, keyed as the config's sections are. They equal the config schema's
 * defaults: `libraryDefaults.test.ts` compares the two.
 */
export const LIBRARY_DEFAULTS = {
  health_check: { timeout_seconds: 5, stale_after_seconds: 60 },
  recovery: {
    command_timeout_seconds: 60,
    stop_grace_seconds: 5,
    backoff: { initial_seconds: 1, multiplier: 2, max_seconds: 300 },
  },
} as const;
