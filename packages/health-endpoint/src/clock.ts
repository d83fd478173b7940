import type { Clock } from '@selfheal/internal';

/**
 * The time seam of this package: the current time and one-shot timers. Tests pass a fake;
 * production code uses `systemClock`, whose timers never keep a process alive.
 * @deprecated the same as `Clock`, which this package exports too; kept for 0.x users.
 */
export type HealthClock = Clock;

/** When this process started, in epoch milliseconds (the origin of `uptime_seconds`). */
export function processStartMs(): number {
  return Math.round(performance.timeOrigin);
}
