import { ProtocolError, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { isSessionExpired } from '@selfheal/monitor';
import { type CallMeta, classifyError, NEVER_SENT_CODES } from '@selfheal/resilience';
import { WireErrorCode } from '../errors.js';
import { reasonOf } from '../upstream/connectUpstream.js';

/** Whether a request may be sent again on a new session, and why (for the error message). */
export interface ResendVerdict {
  resend: boolean;
  reason: string;
  /**
   * The request was written to the transport and may have taken effect upstream: it was not
   * resent for that reason, so no fallback may send it elsewhere either (`data.may_have_run`).
   * Always false when the request was resent or provably never written ({@link wasWritten}).
   */
  mayHaveRun: boolean;
}

/** Messages of the SDK's and the gateway's transports for a send refused before writing. */
const NOT_WRITTEN = /^(Not connected|Transport closed)\b/;

/**
 * Whether the request that failed with `error` may have been written to its transport (and so
 * may have reached the server). False only when provably not: the SDK's `Not connected` (no
 * transport, or a stdio process whose stdin is closed), a closed transport's `Transport closed`,
 * a `sent: false` flag anywhere on the `cause` chain, or a connect error (ECONNREFUSED, ...).
 * Anything else, including the connection closing while the request waited for its answer,
 * counts as written.
 */
export function wasWritten(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const e = current as { sent?: unknown; code?: unknown; message?: unknown; cause?: unknown };
    if (e.sent === false) return false;
    if (e.sent === true) return true;
    if (typeof e.code === 'string' && NEVER_SENT_CODES.has(e.code)) return false;
    if (
      !(current instanceof ProtocolError) &&
      typeof e.message === 'string' &&
      NOT_WRITTEN.test(e.message)
    )
      return false;
    current = e.cause;
  }
  return true;
}

/**
 * Whether `error` from a forwarded request means the session under it broke (rather than the
 * server answering with a JSON-RPC error): the SDK's connection closed (a stdio process that
 * exited), an HTTP status, a network error.
 */
export function isConnectionLoss(error: unknown): boolean {
  // SDK 2.x: a JSON-RPC answer is a ProtocolError, its own timeout an SdkError; -32000 is the
  // connection-closed answer the gateway's HTTP client transport makes up for a cut stream.
  if (error instanceof ProtocolError) return error.code === WireErrorCode.ConnectionClosed;
  return !(error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout);
}

/**
 * Whether a request whose session broke may be resent once on a new session: always when the
 * server provably never processed it (it was never written, {@link wasWritten}; an expired
 * session), else exactly when the resilience
 * classifier would retry it (`classifyError`: for `tools/call`, only tools annotated read-only
 * or idempotent, or a request that never left; reads and lists always).
 */
export function resendVerdict(error: unknown, meta: CallMeta): ResendVerdict {
  if (!wasWritten(error))
    return {
      resend: true,
      reason: `the request was never written (${reasonOf(error)})`,
      mayHaveRun: false,
    };
  if (isSessionExpired(error))
    return {
      resend: true,
      reason: 'the server no longer knew the session (HTTP 404)',
      mayHaveRun: false,
    };
  const verdict = classifyError(error, meta, 0);
  if (verdict.retryable) return { resend: true, reason: verdict.reason, mayHaveRun: false };
  const unsafe = /not idempotent/.test(verdict.reason);
  return {
    resend: false,
    mayHaveRun: true,
    reason: unsafe
      ? `the tool is not annotated read-only or idempotent, so it may have run (${verdict.reason.replace(/ \(tool not idempotent\)$/, '')})`
      : `the retry rules do not allow it (${verdict.reason})`,
  };
}

/** A short description of how a session broke. */
export function describeLoss(error: unknown): string {
  if (!wasWritten(error)) return `the request was never written: ${reasonOf(error)}`;
  if (isSessionExpired(error)) return 'HTTP 404: the server no longer knows the session';
  if (
    (error instanceof SdkError && error.code === SdkErrorCode.ConnectionClosed) ||
    (error instanceof ProtocolError && error.code === WireErrorCode.ConnectionClosed)
  )
    return 'the connection closed: the process exited or the stream ended';
  return reasonOf(error);
}
