import { LIBRARY_DEFAULTS } from './config/libraryDefaults.js';
/** Exponential backoff: `initialMs × multiplier^(attempt − 1)`, capped at `maxMs`. */
export interface BackoffOptions {
  /** Delay before the first attempt, ms. @default 1000 */
  initialMs?: number;
  /** Growth per attempt, ≥ 1. @default 2 */
  multiplier?: number;
  /** Upper bound of any delay, ms. @default 300000 */
  maxMs?: number;
}

/** A pure schedule: the delay in ms before recovery attempt `attempt` (1-based). */
export type Backoff = (attempt: number) => number;

/**
 * Creates the recovery backoff schedule. With the defaults, attempts 1..5 wait 1, 2, 4, 8 and
 * 16 s. Pure and deterministic (recovery is not jittered: one monitor restarts one process,
 * there is no herd to spread); attempts below 1 are treated as 1.
 */
export function createBackoff(options: BackoffOptions = {}): Backoff {
  const initialMs = options.initialMs ?? LIBRARY_DEFAULTS.recovery.backoff.initial_seconds * 1000;
  const multiplier = options.multiplier ?? LIBRARY_DEFAULTS.recovery.backoff.multiplier;
  const maxMs = options.maxMs ?? LIBRARY_DEFAULTS.recovery.backoff.max_seconds * 1000;
  return (attempt) => {
    const n = Math.max(1, Math.floor(attempt));
    return Math.min(maxMs, initialMs * multiplier ** (n - 1));
  };
}
