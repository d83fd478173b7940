import { SelfhealError } from '@selfheal/internal';

/** Codes of the errors this package throws; `code` is stable, `message` is for people. */
export enum ResilienceErrorCode {
  /** The breaker is open (or half-open with every probe slot taken). */
  CircuitOpen = 'CIRCUIT_OPEN',
  /** An operator isolated the circuit. */
  CircuitIsolated = 'CIRCUIT_ISOLATED',
  /** The bulkhead's running slots and queue were full. */
  BulkheadFull = 'BULKHEAD_FULL',
  /** One attempt passed `attempt_timeout_ms`. */
  AttemptTimeout = 'ATTEMPT_TIMEOUT',
  /** The whole call passed `timeout_ms` (its deadline). */
  CallTimeout = 'CALL_TIMEOUT',
  /** A retryable failure with no retry left: attempts, budget or deadline ran out. */
  RetriesExhausted = 'RETRIES_EXHAUSTED',
  /** The caller aborted the call. */
  Aborted = 'ABORTED',
  /** Every alternative of a fallback chain failed. */
  FallbackExhausted = 'FALLBACK_EXHAUSTED',
  /** Options or a config section are invalid. */
  InvalidOptions = 'INVALID_OPTIONS',
}

/** One failed attempt, as listed in the `data.attempts` of an error that sums several up. */
export type AttemptFailure = {
  /** Which upstream or alternative was tried. */
  name: string;
  /** The error code, when the error had one (ours, JSON-RPC, HTTP or a system code). */
  code?: string;
  message: string;
};

/** The one error class of `@selfheal/resilience`. */
export class ResilienceError extends SelfhealError<ResilienceErrorCode> {}

/**
 * A {@link ResilienceError} without a stack trace, for the expected and frequent fast-fail
 * rejections (open breaker, full bulkhead): capturing a stack costs ~5 µs, several times the
 * rest of the rejection, and says nothing the message does not.
 */
export function rejectionError(
  code: ResilienceErrorCode,
  message: string,
  data: unknown,
): ResilienceError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new ResilienceError(code, message, { data });
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** True for a {@link ResilienceError}, optionally of one of the given codes. */
export function isResilienceError(
  error: unknown,
  ...codes: ResilienceErrorCode[]
): error is ResilienceError {
  return error instanceof ResilienceError && (codes.length === 0 || codes.includes(error.code));
}

/** A short description of any thrown value for event fields and error summaries. */
export function describeError(error: unknown): AttemptFailure {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      ...(code !== undefined ? { code: String(code) } : {}),
      message: error.message,
    };
  }
  return { name: typeof error, message: String(error) };
}
