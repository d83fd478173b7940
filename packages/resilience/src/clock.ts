import type { Clock } from '@selfheal/internal';
import { type CancelScope, scopeOf } from './cancelScope.js';
import { ResilienceError, ResilienceErrorCode } from './errors.js';

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
