/** The parameters of {@link exponentialDelay}. */
export interface ExponentialDelayOptions {
  /** The delay of attempt 1, ms (negative counts as 0). */
  initialMs: number;
  /** Growth per attempt (≥ 1). */
  multiplier: number;
  /** No delay exceeds this, ms (negative counts as 0). */
  maxMs: number;
}

/**
 * The exponential backoff schedule, pure: `min(maxMs, initialMs × multiplier^(attempt − 1))`
 * for attempt 1, 2, ...; attempts below 1 (and fractions) count as the attempt below, `NaN` as
 * attempt 1, `Infinity` as an attempt past any cap. The one
 * formula under the monitor's recovery schedule and the resilience retry backoff, which add
 * their own defaults and (retry only) jitter. Never `NaN` or `Infinity`, however many attempts.
 */
export function exponentialDelay(attempt: number, options: ExponentialDelayOptions): number {
  const cap = Math.max(0, options.maxMs);
  const initial = Math.max(0, options.initialMs);
  // 0 × Infinity is NaN: a zero base stays zero whatever the power grows to.
  if (initial === 0) return 0;
  // NaN fails the comparison, as it would slip through Math.max.
  const n = attempt >= 1 ? Math.floor(attempt) : 1;
  // 1 ** Infinity is NaN: a schedule that does not grow stays at its base.
  const growth = options.multiplier === 1 ? 1 : options.multiplier ** (n - 1);
  return Math.min(cap, initial * growth);
}
