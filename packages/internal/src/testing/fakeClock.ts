import type { Clock } from '../clock.js';

/** A manual clock for tests: time moves only on {@link FakeClock.advance}. */
export interface FakeClock extends Clock {
  /**
   * Moves time forward by `ms`, firing due timers in time order (ties in the order they were
   * set, timers they set included) and letting promise callbacks run between them.
   */
  advance(ms: number): Promise<void>;
  /** Lets pending promise callbacks and stream callbacks run without moving time. */
  settle(): Promise<void>;
  /** Timers not yet fired or cleared. */
  pending(): number;
}

/** 2026-11-21T10:00:00.000Z: the start of every fake clock unless a test says otherwise. */
export const FAKE_CLOCK_START = Date.UTC(2026, 10, 21, 10, 0, 0);

/**
 * Creates a {@link FakeClock} starting at `start` (epoch ms). A negative delay counts as 0,
 * as the global `setTimeout` does.
 */
export function createFakeClock(start = FAKE_CLOCK_START): FakeClock {
  let now = start;
  let nextId = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  // Lets promise chains and stream callbacks (nextTick, setImmediate) run between timers; no
  // wall-clock time is waited for.
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  };
  /** The timer due first at or before `target` (the earliest set among equal times). */
  const firstDue = (target: number) => {
    let due: [number, { at: number; callback: () => void }] | undefined;
    for (const entry of timers) {
      if (entry[1].at <= target && (!due || entry[1].at < due[1].at)) due = entry;
    }
    return due;
  };
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = ++nextId;
      timers.set(id, { at: now + Math.max(0, ms), callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    pending: () => timers.size,
    settle,
    async advance(ms) {
      const target = now + ms;
      await settle();
      for (let due = firstDue(target); due; due = firstDue(target)) {
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
        await settle();
      }
      now = target;
      await settle();
    },
  };
}
