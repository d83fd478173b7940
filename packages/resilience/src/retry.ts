import { type Backoff, type BackoffOptions, createBackoff } from './backoff.js';
import { type Classifier, classifyError } from './classify.js';
import { abortError, sleep } from './clock.js';
import {
  type AttemptInfo,
  type CallContext,
  type CallInit,
  deriveContext,
  type Operation,
  toContext,
} from './context.js';
import {
  type AttemptFailure,
  describeError,
  ResilienceError,
  ResilienceErrorCode,
} from './errors.js';
import { LIBRARY_DEFAULTS } from './libraryDefaults.js';
import type { Policy } from './policy.js';
import { createRetryBudget, type RetryBudget } from './retryBudget.js';
import { callFields, type RuntimeOptions, resolveRuntime } from './runtime.js';

/** Options of {@link createRetryPolicy}. */
export interface RetryOptions extends RuntimeOptions {
  /** Attempts including the first. @default 3 */
  maxAttempts?: number;
  /** A backoff function, or options for {@link createBackoff} (sharing `random`). @default full jitter, 100 ms to 5 s */
  backoff?: Backoff | BackoffOptions;
  /** The upstream's retry budget; share one per upstream. @default a budget of its own (0.2, min 3) */
  budget?: RetryBudget;
  /** @default classifyError */
  classify?: Classifier;
  /**
   * Asked before each backoff: `false` stops at once (e.g. the upstream's breaker is open, so
   * the retry would only be refused). @default always true
   */
  canRetry?: (context: CallContext) => boolean;
}

/** Why a retry policy stopped retrying a retryable failure. */
export type RetryStop = 'attempts' | 'deadline' | 'budget' | 'circuit_open';

/**
 * Retries retryable failures with backoff. It stops at `maxAttempts`, when the next attempt
 * could not start before the call's deadline, or when the upstream's retry budget is spent,
 * and then throws RETRIES_EXHAUSTED (cause: the last error; data: `{ stop, attempts }`).
 * A non-retryable error is rethrown as it is. A `Retry-After` longer than the backoff wins.
 * An abort ends a backoff wait at once. Emits `retry_attempted` and `retry_budget_exhausted`.
 */
export function createRetryPolicy(options: RetryOptions = {}): Policy & { budget: RetryBudget } {
  const runtime = resolveRuntime(options);
  const { clock, emitter, serverName } = runtime;
  const maxAttempts = Math.max(1, options.maxAttempts ?? LIBRARY_DEFAULTS.retry.max_attempts);
  const backoff =
    typeof options.backoff === 'function'
      ? options.backoff
      : createBackoff({ random: runtime.random, ...options.backoff });
  const budget = options.budget ?? createRetryBudget();
  const classify = options.classify ?? classifyError;

  async function execute<T>(operation: Operation<T>, init?: CallInit | CallContext): Promise<T> {
    const context = toContext(init);
    const endCall = budget.callStarted();
    const failures: AttemptFailure[] = [];
    let previousDelay = 0;
    let token: (() => void) | undefined;
    try {
      for (let number = 1; ; number++) {
        const attempt: AttemptInfo = { number };
        try {
          return await operation(deriveContext(context, { attempt }));
        } catch (error) {
          token?.();
          token = undefined;
          if (context.scope.aborted) throw abortError(context.scope);
          const meta =
            attempt.sent === false && context.meta.sent !== false
              ? { ...context.meta, sent: false }
              : context.meta;
          const verdict = classify(error, meta, clock.now());
          failures.push({
            ...describeError(error),
            name: serverName,
            message: verdictMessage(error, verdict.reason),
          });
          if (!verdict.retryable) throw error;
          const stop = (why: RetryStop, detail: string) =>
            new ResilienceError(
              ResilienceErrorCode.RetriesExhausted,
              `${serverName}: ${number} attempt${number === 1 ? '' : 's'} failed (${detail}); last error: ${verdict.reason}`,
              { cause: error, data: { stop: why, attempts: failures } },
            );
          if (number >= maxAttempts) throw stop('attempts', `max_attempts ${maxAttempts} reached`);
          if (options.canRetry && !options.canRetry(context)) {
            throw stop('circuit_open', 'the circuit opened');
          }
          let delay = backoff(number, previousDelay);
          previousDelay = delay;
          if (verdict.retryAfterMs !== undefined) delay = Math.max(delay, verdict.retryAfterMs);
          if (context.deadline !== undefined && clock.now() + delay >= context.deadline) {
            throw stop('deadline', `the next attempt would start after the call's deadline`);
          }
          const budgetSpent = () => {
            emitter.emit(
              {
                event_type: 'retry_budget_exhausted',
                server_name: serverName,
                active_calls: budget.active,
                retries_in_flight: budget.inFlight,
                limit: budget.limit(),
                ...callFields(context.meta),
              },
              context.traceId,
            );
            return stop('budget', `retry budget of ${budget.limit()} in flight spent`);
          };
          // Fail fast if the budget has no room now; it is checked again when the retry starts.
          if (budget.inFlight >= budget.limit()) throw budgetSpent();
          await sleep(delay, clock, context.scope);
          // The token is taken as the retry starts, so retries in flight are running attempts.
          token = budget.tryAcquire();
          if (!token) throw budgetSpent();
          emitter.emit(
            {
              event_type: 'retry_attempted',
              server_name: serverName,
              attempt: number + 1,
              delay_ms: delay,
              reason: verdict.reason,
              ...(verdict.retryAfterMs !== undefined
                ? { retry_after_ms: verdict.retryAfterMs }
                : {}),
              ...callFields(context.meta),
            },
            context.traceId,
          );
        }
      }
    } finally {
      token?.();
      endCall();
    }
  }

  return { execute, budget };
}

function verdictMessage(error: unknown, reason: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return message && message !== reason ? `${reason}: ${message}` : reason;
}
