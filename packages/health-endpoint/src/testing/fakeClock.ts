import type { HealthClock } from '../clock.js';

/** A manual clock for tests: time moves only with `advance`, timers fire in order. */
export interface FakeClock extends HealthClock {
  /** Moves time forward by `ms`, firing due timers in order and settling promises between. */
  advance(ms: number): Promise<void>;
  /** Lets pending promise callbacks run without moving time. */
  settle(): Promise<void>;
  /** Timers not yet fired or cleared. */
  pending(): number;
}

/** Creates a {@link FakeClock} starting at `start` (epoch ms). */
export function createFakeClock(start = Date.UTC(2026, 10, 21, 10, 0, 0)): FakeClock {
  let now = start;
  let nextId = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  };
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = ++nextId;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (handle) => {
      timers.delete(handle as number);
    },
    pending: () => timers.size,
    settle,
    async advance(ms) {
      const target = now + ms;
      await settle();
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, t]) => t.at <= target)
          .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
        await settle();
      }
      now = target;
      await settle();
    },
  };
}
