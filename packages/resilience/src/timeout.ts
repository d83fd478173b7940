import { LinkedScope } from './cancelScope.js';
import { abortError } from './clock.js';
import {
  type CallContext,
  type CallInit,
  deriveContext,
  invoke,
  type Operation,
  toContext,
} from './context.js';
import { ResilienceError, ResilienceErrorCode } from './errors.js';
import type { Policy } from './policy.js';
import { callFields, type RuntimeOptions, resolveRuntime } from './runtime.js';

/** Options of {@link createTimeoutPolicy}. */
export interface TimeoutOptions extends RuntimeOptions {
  /** The limit, ms; the operation is aborted and the call rejected when it passes. */
  timeoutMs: number;
  /**
   * `attempt` limits each attempt (ATTEMPT_TIMEOUT, retryable); `call` limits the whole call,
   * retries included, and sets the context's `deadline` (CALL_TIMEOUT).
   * @default 'attempt'
   */
  scope?: 'attempt' | 'call';
}

/**
 * Rejects after `timeoutMs` and aborts the operation's signal with the same error, so the
 * transport can stop. It rejects exactly at `timeoutMs` (a result at `timeoutMs - 1` wins) and
 * emits `call_timed_out`. A caller's abort passes through at once.
 */
export function createTimeoutPolicy(options: TimeoutOptions): Policy {
  const { clock, emitter, serverName } = resolveRuntime(options);
  const { timeoutMs } = options;
  const scope = options.scope ?? 'attempt';
  if (!(timeoutMs > 0)) {
    throw new ResilienceError(
      ResilienceErrorCode.InvalidOptions,
      `timeoutMs: expected a number > 0, found ${String(timeoutMs)}`,
    );
  }
  const code =
    scope === 'call' ? ResilienceErrorCode.CallTimeout : ResilienceErrorCode.AttemptTimeout;

  function execute<T>(operation: Operation<T>, init?: CallInit | CallContext): Promise<T> {
    const outer = toContext(init);
    if (outer.scope.aborted) return Promise.reject(abortError(outer.scope));
    const cancel = new LinkedScope();
    const deadline = clock.now() + timeoutMs;
    const context = deriveContext(
      outer,
      scope === 'call'
        ? { scope: cancel, deadline: Math.min(deadline, outer.deadline ?? deadline) }
        : { scope: cancel },
    );
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = () => {
        settled = true;
        clock.clearTimeout(timer);
        unsubscribe();
      };
      const timer = clock.setTimeout(() => {
        if (settled) return;
        finish();
        const error = new ResilienceError(
          code,
          `${serverName}: ${scope === 'call' ? 'the call' : `attempt ${outer.attempt.number}`} of ${outer.meta.method}${outer.meta.tool ? ` (${outer.meta.tool})` : ''} timed out after ${timeoutMs} ms`,
          { data: { scope, timeoutMs } },
        );
        emitter.emit(
          {
            event_type: 'call_timed_out',
            server_name: serverName,
            scope,
            timeout_ms: timeoutMs,
            ...(scope === 'attempt' ? { attempt: outer.attempt.number } : {}),
            ...callFields(outer.meta),
          },
          outer.traceId,
        );
        cancel.abort(error);
        reject(error);
      }, timeoutMs);
      const unsubscribe = outer.scope.onAbort(() => {
        if (settled) return;
        finish();
        const error = abortError(outer.scope);
        cancel.abort(error);
        reject(error);
      });
      invoke(operation, context).then(
        (value) => {
          if (settled) return;
          finish();
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          finish();
          reject(error);
        },
      );
    });
  }

  return { execute };
}
