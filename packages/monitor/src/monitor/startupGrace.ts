import type { Clock } from '@selfheal/internal';

/**
 * The start-up grace after a (re)start (RFC 0007): failed checks within `graceMs` of the start
 * are not recorded, like a Kubernetes startup probe, and the first check that is not `down`
 * ends the grace early. A start without grace (an HTTP server the monitor did not start)
 * counts its first refused connection at once.
 */
export interface StartupGrace {
  /** A (re)start now; `grace` false counts every check from now on. */
  begin(grace: boolean): void;
  /**
   * Whether a check with this status, finished at `now` (epoch ms), falls in the grace; one
   * that is not `down` ends the grace.
   */
  covers(status: 'ok' | 'degraded' | 'down', now: number): boolean;
}

/** Creates a {@link StartupGrace} of `graceMs` on `clock`, begun now with grace. */
export function createStartupGrace(clock: Clock, graceMs: number): StartupGrace {
  let startedAt = clock.now();
  let over = false;
  return {
    begin(grace) {
      startedAt = clock.now();
      over = !grace;
    },
    covers(status, now) {
      const inGrace = !over && now - startedAt < graceMs;
      if (status !== 'down') over = true;
      return inGrace;
    },
  };
}
