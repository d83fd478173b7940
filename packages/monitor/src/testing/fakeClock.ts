import type { Clock } from '../clock.js';

/** A manual clock for tests: time moves only on {@link FakeClock.advance}. */
export interface FakeClock extends Clock {
  /** Moves time forward by `ms`, firing due timers in order (and timers they schedule). */
  advance(ms: number): Promise<void>;
  /** Timers not yet fired. */
  pending(): number;
}

/** Creates a {@link FakeClock} starting at `start` ms since the epoch. */
export function createFakeClock(start = Date.parse('2026-11-21T10:00:00.000Z')): FakeClock {
  let now = start;
  let nextId = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  // Lets promise chains and stream callbacks (nextTick, setImmediate) run between timers; no
  // wall-clock time is waited for.
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  };
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    pending: () => timers.size,
    async advance(ms) {
      const target = now + ms;
      await settle();
      for (;;) {
        let due: [number, { at: number; callback: () => void }] | undefined;
        for (const entry of timers) {
          if (entry[1].at <= target && (!due || entry[1].at < due[1].at)) due = entry;
        }
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
        await settle();
      }
      now = target;
    },
  };
}
