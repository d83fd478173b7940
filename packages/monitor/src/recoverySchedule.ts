import { exponentialDelay } from '@selfheal/internal';
import { LIBRARY_DEFAULTS } from './config/libraryDefaults.js';

/** Options of {@link createRecoverySchedule}: `initialMs × multiplier^(attempt − 1)`, capped. */
export interface RecoveryScheduleOptions {
  /** Delay before the first attempt, ms. @default 1000 */
  initialMs?: number;
  /** Growth per attempt, ≥ 1. @default 2 */
  multiplier?: number;
  /** Upper bound of any delay, ms. @default 300000 */
  maxMs?: number;
}

/** A pure schedule: the delay in ms before recovery attempt `attempt` (1-based). */
export type RecoverySchedule = (attempt: number) => number;

/**
 * Creates the recovery schedule: the wait before each restart of a failed server. With the
 * defaults, attempts 1..5 wait 1, 2, 4, 8 and 16 s. Pure and deterministic (recovery is not
 * jittered, unlike the resilience retry backoff: one monitor restarts one process, there is no
 * herd to spread); attempts below 1 are treated as 1.
 */
export function createRecoverySchedule(options: RecoveryScheduleOptions = {}): RecoverySchedule {
  const schedule = {
    initialMs: options.initialMs ?? LIBRARY_DEFAULTS.recovery.backoff.initial_seconds * 1000,
    multiplier: options.multiplier ?? LIBRARY_DEFAULTS.recovery.backoff.multiplier,
    maxMs: options.maxMs ?? LIBRARY_DEFAULTS.recovery.backoff.max_seconds * 1000,
  };
  return (attempt) => exponentialDelay(attempt, schedule);
}
