import { LIBRARY_DEFAULTS } from './libraryDefaults.js';
/** Options of {@link createRetryBudget}. */
export interface RetryBudgetOptions {
  /** Retries in flight may reach this fraction of active calls. @default 0.2 */
  ratio?: number;
  /** ...but always at least this many. @default 3 */
  min?: number;
}

/**
 * Caps the retries (and hedges) in flight to one upstream at max(min, ratio × active calls),
 * the Envoy retry budget, so a failing upstream sees at most a fifth more load, not 3×.
 */
export interface RetryBudget {
  /** Counts a call as active until the returned release is called (idempotent). */
  callStarted(): () => void;
  /**
   * Takes a retry token if the budget allows; returns its release (idempotent), or
   * `undefined` when the budget is spent.
   */
  tryAcquire(): (() => void) | undefined;
  /** Calls started and not yet released. */
  readonly active: number;
  /** Retry tokens held. */
  readonly inFlight: number;
  /** The current limit: max(min, floor(ratio × active)). */
  limit(): number;
}

/** A retry budget for one upstream; share it between all the policies of that upstream. */
export function createRetryBudget(options: RetryBudgetOptions = {}): RetryBudget {
  const { ratio = LIBRARY_DEFAULTS.retry.budget_ratio, min = LIBRARY_DEFAULTS.retry.budget_min } =
    options;
  let active = 0;
  let inFlight = 0;
  const limit = () => Math.max(min, Math.floor(ratio * active));
  return {
    callStarted() {
      active++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        active--;
      };
    },
    tryAcquire() {
      if (inFlight >= limit()) return undefined;
      inFlight++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        inFlight--;
      };
    },
    get active() {
      return active;
    },
    get inFlight() {
      return inFlight;
    },
    limit,
  };
}
