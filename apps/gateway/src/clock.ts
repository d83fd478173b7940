/** Time behind a seam: logic never calls Date.now() or setTimeout itself, so tests swap it. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock. Timers are unref'd: a pending retry never keeps the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Reconnect delays: `initialMs × multiplier^(attempt-1)`, capped at `maxMs`; attempt is 1-based. */
export interface BackoffOptions {
  /** @default 1000 */
  initialMs: number;
  /** @default 2 */
  multiplier: number;
  /** @default 300000 */
  maxMs: number;
}

/** A pure `(attempt) => ms`; attempt 1 waits `initialMs`. */
export function createBackoff(options: Partial<BackoffOptions> = {}): (attempt: number) => number {
  const { initialMs = 1000, multiplier = 2, maxMs = 300_000 } = options;
  return (attempt) => Math.min(maxMs, initialMs * multiplier ** Math.max(0, attempt - 1));
}
