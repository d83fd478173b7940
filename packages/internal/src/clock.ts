/** An opaque timer handle, whatever the clock's `setTimeout` returns. */
export type TimerHandle = unknown;

/**
 * Time behind a seam: everything that reads the time or waits takes a `Clock`, so tests swap
 * in a fake one (or vitest's fake timers) and run hours of simulated time in milliseconds.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a pending {@link Clock.setTimeout}; a no-op for a handle that already fired. */
  clearTimeout(handle: TimerHandle): void;
}

/** Options of {@link createSystemClock}. */
export interface SystemClockOptions {
  /**
   * Whether a pending timer lets the process exit (`unref`). A pending flush, retry or
   * breaker timer must not keep a CLI alive on its own; a monitor's next check is what its
   * process runs for, so the monitor's default clock passes `false`.
   * @default true
   */
  unref?: boolean;
}

/**
 * The real clock. It looks `Date.now` and the timer globals up at each call, so vitest's fake
 * timers installed after import still drive it.
 */
export function createSystemClock(options: SystemClockOptions = {}): Clock {
  const unref = options.unref ?? true;
  return {
    now: () => Date.now(),
    setTimeout: (callback, ms) => {
      const handle = globalThis.setTimeout(callback, ms);
      if (unref) (handle as { unref?: () => void }).unref?.();
      return handle;
    },
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
}

/** The real clock; its timers never keep the process alive on their own. */
export const systemClock: Clock = createSystemClock();
