import { type Clock, createSystemClock } from '@selfheal/internal';

/**
 * The monitor's default clock: the real one, except that its timers keep the process alive
 * (the next check is what a monitor's process runs for; the shared `systemClock`'s timers do
 * not). A host that keeps itself alive, as the gateway does, may pass `systemClock` instead.
 */
export const monitorClock: Clock = createSystemClock({ unref: false });

/** Resolves after `ms` on `clock`; rejects with the signal's reason when `signal` aborts. */
export function delay(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
