/**
 * The time seam of this package: the current time and one-shot timers. Tests pass a fake;
 * production code uses {@link systemClock}.
 */
export interface HealthClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds; returns a handle for {@link clearTimeout}. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer set by {@link setTimeout}; a handle that already fired is ignored. */
  clearTimeout(handle: unknown): void;
}

/** The real clock: `Date.now()` and the global timers. */
export const systemClock: HealthClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    // A pending check timeout must never keep a process alive on its own.
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** When this process started, in epoch milliseconds (the origin of `uptime_seconds`). */
export function processStartMs(): number {
  return Math.round(performance.timeOrigin);
}
