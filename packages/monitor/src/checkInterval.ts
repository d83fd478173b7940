/** What decides the delay before the next health check of one server. */
export interface CheckIntervalOptions {
  /** Between checks of a healthy server, ms. */
  intervalMs: number;
  /** Between checks while the server is failing, ms; capped at `intervalMs`. */
  unhealthyIntervalMs: number;
  /** Each delay is randomised by up to ± this fraction, in [0, 1]. */
  jitter: number;
}

/**
 * The delay in ms before the next check: the healthy or the unhealthy interval, spread by
 * `± jitter` so that many servers configured alike do not probe in lockstep. A failing server
 * is checked at the unhealthy interval or the healthy one, whichever is shorter: never less
 * often than a healthy one, so its return is seen as soon as a healthy server's failure would
 * be. `random` returns a number in [0, 1) (inject a seeded one in tests); the result is never
 * below 1 ms.
 */
export function nextCheckDelay(
  options: CheckIntervalOptions,
  unhealthy: boolean,
  random: () => number = Math.random,
): number {
  const base = unhealthy
    ? Math.min(options.unhealthyIntervalMs, options.intervalMs)
    : options.intervalMs;
  const spread = base * options.jitter * (2 * random() - 1);
  return Math.max(1, Math.round(base + spread));
}
