import type { BreakerJudges } from './breakerJudging.js';
import type { CircuitBreakerOptions } from './circuitBreaker.js';
import { type Classifier, classifyError } from './classify.js';
import { LIBRARY_DEFAULTS } from './libraryDefaults.js';

/**
 * A breaker's options with the library defaults filled in. Resolved once when the breaker is
 * made, so the per-call path reads plain fields instead of re-applying `??` on every call.
 */
export interface BreakerSettings {
  /** The breaker's key in events. */
  readonly circuit: string;
  readonly serverName: string;
  /** The tool of a per-tool breaker, for events. */
  readonly tool: string | undefined;
  readonly consecutiveLimit: number;
  readonly failureRateThreshold: number;
  readonly slowCallRateThreshold: number;
  readonly slowCallMs: number;
  readonly minimumCalls: number;
  /** The open time's schedule (see `nextOpening`): first, cap, jitter, ejection decay. */
  readonly open: {
    readonly openMs: number;
    readonly maxOpenMs: number;
    readonly jitter: number;
    readonly decayMs: number;
  };
  /** Probes a half-open breaker admits; at least 1. */
  readonly probeLimit: number;
  readonly classify: Classifier;
  readonly judges: BreakerJudges;
  readonly windowSize: number;
  readonly windowMs: number;
}

const defaults = LIBRARY_DEFAULTS.circuit_breaker;

/** `options` with the defaults of {@link LIBRARY_DEFAULTS} (`circuit` defaults to the server). */
export function resolveBreakerSettings(
  options: CircuitBreakerOptions,
  serverName: string,
): BreakerSettings {
  return {
    circuit: options.circuit ?? serverName,
    serverName,
    tool: options.tool,
    consecutiveLimit: options.consecutiveFailures ?? defaults.consecutive_failures,
    failureRateThreshold: options.failureRateThreshold ?? defaults.failure_rate_threshold,
    slowCallRateThreshold: options.slowCallRateThreshold ?? defaults.slow_call_rate_threshold,
    slowCallMs: options.slowCallMs ?? defaults.slow_call_ms,
    minimumCalls: options.minimumCalls ?? defaults.minimum_calls,
    open: {
      openMs: options.openMs ?? defaults.open_ms,
      maxOpenMs: options.maxOpenMs ?? defaults.max_open_ms,
      jitter: options.openJitter ?? defaults.open_jitter,
      decayMs: options.ejectionDecayMs ?? defaults.ejection_decay_ms,
    },
    probeLimit: Math.max(1, options.halfOpenProbes ?? defaults.half_open_probes),
    classify: options.classify ?? classifyError,
    judges: options.judges ?? 'all',
    windowSize: options.windowSize ?? defaults.window_size,
    windowMs: options.windowMs ?? defaults.window_ms,
  };
}
