import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { isSessionExpired } from '@selfheal/monitor';
import { type CallMeta, classifyError } from '@selfheal/resilience';
import { reasonOf } from '../upstream/connectUpstream.js';

/** Whether a request may be sent again on a new session, and why (for the error message). */
export interface ReplayVerdict {
  replay: boolean;
  reason: string;
}

/**
 * Whether `error` from a forwarded request means the session under it broke (rather than the
 * server answering with a JSON-RPC error): the SDK's connection closed (a stdio process that
 * exited), an HTTP status, a network error.
 */
export function isConnectionLoss(error: unknown): boolean {
  return !(error instanceof McpError) || error.code === ErrorCode.ConnectionClosed;
}

/**
 * Whether a request whose session broke may be replayed once on a new session: always when the
 * server provably never processed it (an expired session), else exactly when the resilience
 * classifier would retry it (`classifyError`: for `tools/call`, only tools annotated read-only
 * or idempotent, or a request that never left; reads and lists always).
 */
export function replayVerdict(error: unknown, meta: CallMeta): ReplayVerdict {
  if (isSessionExpired(error))
    return { replay: true, reason: 'the server no longer knew the session (HTTP 404)' };
  const verdict = classifyError(error, meta, 0);
  if (verdict.retryable) return { replay: true, reason: verdict.reason };
  const unsafe = /not idempotent/.test(verdict.reason);
  return {
    replay: false,
    reason: unsafe
      ? `the tool is not annotated read-only or idempotent, so it may have run (${verdict.reason.replace(/ \(tool not idempotent\)$/, '')})`
      : `the retry rules do not allow it (${verdict.reason})`,
  };
}

/** A short description of how a session broke. */
export function describeLoss(error: unknown): string {
  if (isSessionExpired(error)) return 'HTTP 404: the server no longer knows the session';
  if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed)
    return 'the connection closed: the process exited or the stream ended';
  return reasonOf(error);
}
