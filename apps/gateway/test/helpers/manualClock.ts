import type { Clock } from '@selfheal/internal';

/** A clock tests move by hand: `advance(ms)` runs every timer due by then, in order of id. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
}

/** A {@link ManualClock} starting at `start` (epoch ms). */
export function manualClock(start = Date.UTC(2026, 10, 21, 10)): ManualClock {
  let now = start;
  const timers = new Map<number, { at: number; callback: () => void }>();
  let next = 0;
  return {
    now: () => now,
    setTimeout: (callback: () => void, ms: number) => {
      timers.set(++next, { at: now + ms, callback });
      return next;
    },
    clearTimeout: (handle: unknown) => void timers.delete(handle as number),
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...timers])
        if (t.at <= now) {
          timers.delete(id);
          t.callback();
        }
    },
  };
}
