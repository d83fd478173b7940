/** What decides the delay before the next health check of one server. */
export interface CheckIntervalOptions {
  /** Between checks of a healthy server, ms. */
  intervalMs: number;
  /** Between checks while the server is failing, ms. */
  unhealthyIntervalMs: number;
  /** Each delay is randomised by up to ± this fraction, in [0, 1]. */
  jitter: number;
}

/**
 * The delay in ms before the next check: the healthy or the unhealthy interval, spread by
 * `± jitter` so that many servers configured alike do not probe in lockstep. `random` returns
 * a number in [0, 1) (inject a seeded one in tests); the result is never below 1 ms.
 */
export function nextCheckDelay(
  options: CheckIntervalOptions,
  unhealthy: boolean,
  random: () => number = Math.random,
): number {
  const base = unhealthy ? options.unhealthyIntervalMs : options.intervalMs;
  const spread = base * options.jitter * (2 * random() - 1);
  return Math.max(1, Math.round(base + spread));
}
