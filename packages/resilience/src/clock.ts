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

/** The error a policy throws when the caller's signal aborts: its reason if ours, else ABORTED. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof ResilienceError) return reason;
  return new ResilienceError(ResilienceErrorCode.Aborted, 'the call was aborted by its caller', {
    cause: reason,
  });
}

/**
 * Waits `ms` on `clock`; an abort of `signal` rejects at once (with {@link abortError}) and
 * clears the timer, so a backoff never outlives its call.
 */
export function sleep(ms: number, clock: Clock, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(abortError(signal!));
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
