import { type CancelScope, scopeOf } from './cancelScope.js';
import { ResilienceError, ResilienceErrorCode } from './errors.js';

/** An opaque timer handle, whatever the clock returns. */
export type TimerHandle = unknown;

/**
 * Where every policy gets its time. Inject a fake one (or use vitest's fake timers with
 * {@link systemClock}) and hours of simulated time run in milliseconds.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The real clock. It looks the globals up at each call, so `vi.useFakeTimers()` installed
 * after import still takes effect.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = globalThis.setTimeout(callback, ms);
    // A pending backoff or breaker timer must not keep the process alive on its own.
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The error a policy throws when a call is aborted: the reason if ours, else ABORTED. */
export function abortError(aborted: { reason: unknown }): Error {
  const reason: unknown = aborted.reason;
  if (reason instanceof ResilienceError) return reason;
  return new ResilienceError(ResilienceErrorCode.Aborted, 'the call was aborted by its caller', {
    cause: reason,
  });
}

/**
 * Waits `ms` on `clock`; an abort of `signal` rejects at once (with {@link abortError}) and
 * clears the timer, so a backoff never outlives its call.
 */
export function sleep(ms: number, clock: Clock, cancel?: AbortSignal | CancelScope): Promise<void> {
  const scope = cancel === undefined || 'onAbort' in cancel ? cancel : scopeOf(cancel);
  if (scope?.aborted) return Promise.reject(abortError(scope));
  return new Promise((resolve, reject) => {
    const handle = clock.setTimeout(() => {
      unsubscribe?.();
      resolve();
    }, ms);
    const unsubscribe = scope?.onAbort(() => {
      clock.clearTimeout(handle);
      reject(abortError(scope));
    });
  });
}
