import { type CallMeta, isIdempotentCall } from './context.js';
import { ResilienceError, ResilienceErrorCode } from './errors.js';
import { retryAfterOf } from './retryAfter.js';

/** JSON-RPC and MCP SDK error codes the classifier knows. */
export const JsonRpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /**
   * The connection closed before the answer: the value SDK 1.x put on the wire for it
   * (`ErrorCode.ConnectionClosed`); SDK 2.x names its local error with a string
   * (`SdkErrorCode.ConnectionClosed`), so the number is kept here.
   */
  ConnectionClosed: -32000,
  /** The request timed out (SDK 1.x's `ErrorCode.RequestTimeout`, as above). */
  RequestTimeout: -32001,
} as const;

/** What a failure means for the breaker: it counts against the upstream, for it, or not at all. */
export type BreakerOutcome = 'failure' | 'success' | 'ignore';

/**
 * Whose failure a breaker failure is: `transport` (the connection or process: refused, reset,
 * closed, exited, HTTP 502/503/504), which a server's breaker counts; `call` (this call's
 * handler: a timeout, an internal error, anything unknown), which a tool's breaker counts.
 */
export type FailureSource = 'transport' | 'call';

/** The classifier's verdict on one failed attempt. */
export interface Verdict {
  /** Another attempt may help and is safe. */
  retryable: boolean;
  /** How the circuit breaker counts it. */
  breaker: BreakerOutcome;
  /**
   * For a breaker `failure`: whose it is (see {@link FailureSource}). Left out, every breaker
   * the call passes counts it.
   */
  source?: FailureSource;
  /** Short reason for events and errors, e.g. `HTTP 503`, `ECONNREFUSED`, `JSON-RPC -32602`. */
  reason: string;
  /** The upstream's Retry-After, ms, if it sent one. */
  retryAfterMs?: number;
}

/** Decides what a failed attempt means; replace it to teach the policies other errors. */
export type Classifier = (error: unknown, meta: CallMeta, nowMs: number) => Verdict;

/** System errors raised before a single byte reached the server (the request never left). */
export const NEVER_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** System errors of a transport that broke while the request may have been in flight. */
const TRANSPORT = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/**
 * The MCP SDK 2.x names its local connection-closed and timeout errors with strings (its
 * `SdkErrorCode`) where 1.x used -32000 and -32001: read as the numbers, so a verdict and its
 * reason do not depend on the SDK's major.
 */
const SDK_LOCAL_CODES: Readonly<Record<string, number>> = {
  CONNECTION_CLOSED: JsonRpcCode.ConnectionClosed,
  REQUEST_TIMEOUT: JsonRpcCode.RequestTimeout,
};

interface Facts {
  code?: unknown;
  status?: number;
  sent?: unknown;
}

/** Walks `error` and its `cause` chain for a system code, an HTTP status and a `sent` flag. */
function factsOf(error: unknown): Facts {
  const facts: Facts = {};
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const e = current as Record<string, unknown>;
    if (facts.code === undefined && e.code !== undefined)
      facts.code = (typeof e.code === 'string' && SDK_LOCAL_CODES[e.code]) || e.code;
    if (facts.status === undefined) {
      const status = e.status ?? e.statusCode ?? (e.response as { status?: unknown })?.status;
      if (typeof status === 'number') facts.status = status;
    }
    if (facts.sent === undefined && typeof e.sent === 'boolean') facts.sent = e.sent;
    current = e.cause;
  }
  return facts;
}

/**
 * The default classifier:
 * - never retried, not a breaker failure: JSON-RPC parse error, invalid request, method not
 *   found, invalid params, other application codes, HTTP 4xx but 408 and 429, caller aborts;
 * - retryable: transport failures (ECONNRESET, ...; the SDK's connection closed -32000),
 *   timeouts (-32001, HTTP 408, our ATTEMPT_TIMEOUT), HTTP 5xx but 501, HTTP 429 (with its
 *   Retry-After), JSON-RPC internal error -32603;
 * - for `tools/call` a retryable failure is retried only when the tool is annotated read-only
 *   or idempotent, or the request provably never reached the server (`meta.sent === false`,
 *   `error.sent === false`, or a connect error such as ECONNREFUSED).
 * Unknown errors are breaker failures and are not retried. Each breaker failure names its
 * {@link FailureSource}: connection and process failures (connect errors, resets, the SDK's
 * connection closed, HTTP 502/503/504) are `transport`; timeouts, internal errors, HTTP 500 and
 * unknown errors are the `call`'s.
 */
export const classifyError: Classifier = (error, meta, nowMs) => {
  if (error instanceof ResilienceError) {
    switch (error.code) {
      case ResilienceErrorCode.AttemptTimeout:
        return gate(
          { retryable: true, breaker: 'failure', source: 'call', reason: error.code },
          meta,
          false,
        );
      case ResilienceErrorCode.Aborted:
      case ResilienceErrorCode.CallTimeout:
      case ResilienceErrorCode.CircuitOpen:
      case ResilienceErrorCode.CircuitIsolated:
      case ResilienceErrorCode.BulkheadFull:
        return { retryable: false, breaker: 'ignore', reason: error.code };
      default:
        return { retryable: false, breaker: 'failure', source: 'call', reason: error.code };
    }
  }
  const facts = factsOf(error);
  const neverSent = meta.sent === false || facts.sent === false;
  const { code, status } = facts;
  if (typeof code === 'string') {
    if (NEVER_SENT_CODES.has(code))
      return { retryable: true, breaker: 'failure', source: 'transport', reason: code };
    if (TRANSPORT.has(code))
      return gate(
        { retryable: true, breaker: 'failure', source: sourceOf(code), reason: code },
        meta,
        neverSent,
      );
    if (code === 'ABORT_ERR') return { retryable: false, breaker: 'ignore', reason: code };
  }
  if (typeof code === 'number' && code < 0) {
    const reason = `JSON-RPC ${code}`;
    switch (code) {
      case JsonRpcCode.ConnectionClosed:
        return gate(
          { retryable: true, breaker: 'failure', source: 'transport', reason },
          meta,
          neverSent,
        );
      case JsonRpcCode.RequestTimeout:
      case JsonRpcCode.InternalError:
        return gate(
          { retryable: true, breaker: 'failure', source: 'call', reason },
          meta,
          neverSent,
        );
      default:
        // The server answered: it is alive, the request was wrong or refused.
        return { retryable: false, breaker: 'success', reason };
    }
  }
  // SDK 1.x's StreamableHTTPError carries the HTTP status as a positive `code` (2.x's
  // SdkHttpError has it on `status`, read above).
  const http =
    status ?? (typeof code === 'number' && code >= 100 && code <= 599 ? code : undefined);
  if (http !== undefined) {
    const reason = `HTTP ${http}`;
    if (http === 429) {
      const retryAfterMs = retryAfterOf(error, nowMs);
      return gate(
        {
          retryable: true,
          breaker: 'success',
          reason,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        },
        meta,
        neverSent,
      );
    }
    if (http === 408 || (http >= 500 && http !== 501)) {
      const retryAfterMs = retryAfterOf(error, nowMs);
      return gate(
        {
          retryable: true,
          breaker: 'failure',
          source: http === 502 || http === 503 || http === 504 ? 'transport' : 'call',
          reason,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        },
        meta,
        neverSent,
      );
    }
    return http >= 500
      ? { retryable: false, breaker: 'failure', source: 'call', reason }
      : { retryable: false, breaker: 'success', reason };
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return { retryable: false, breaker: 'ignore', reason: 'AbortError' };
  }
  return {
    retryable: false,
    breaker: 'failure',
    source: 'call',
    reason: error instanceof Error ? error.message || error.name : String(error),
  };
};

/** Timeouts of a request the server took but did not answer are the call's; the rest transport. */
function sourceOf(code: string): FailureSource {
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT'
    ? 'call'
    : 'transport';
}

/** Applies the `tools/call` rule: a side effect may have happened, so retry only when safe. */
function gate(verdict: Verdict, meta: CallMeta, neverSent: boolean): Verdict {
  if (!verdict.retryable || neverSent || isIdempotentCall(meta)) return verdict;
  return { ...verdict, retryable: false, reason: `${verdict.reason} (tool not idempotent)` };
}
