import { isResilienceError, ResilienceErrorCode } from '@selfheal/resilience';
import { WireErrorCode } from '../errors.js';
import {
  callOutcomeOf,
  errorCodeOf,
  isRefusal,
  isTimeout,
  isUnavailable,
  type Outcome,
  publishCallCompleted,
  type ToolCallHost,
  upstreamSignal,
} from './toolCall.js';
import type { TraceContext } from './traceContext.js';
import { unavailableWireError, wireError } from './upstreamLink.js';

/** One upstream request other than tools/call: a read, a prompt, a completion, a list, ... */
export interface UpstreamCallRequest<T> {
  /** The server whose policy guards the call. */
  server: string;
  /** The MCP method, for the classifier (every method but tools/call is safe to retry). */
  method: string;
  /** The client's signal; its abort ends the call (never retried). */
  signal?: AbortSignal;
  trace: TraceContext;
  sessionId?: string;
  /** One attempt: send the request with this signal (aborted on timeout, hedge loss, cancel). */
  attempt: (signal: AbortSignal) => Promise<T>;
  /**
   * Opens the connection the attempt will use, if not open yet (e.g. `link.ensure()`): awaited
   * first, so the breaker times the upstream from when the request left, not a session's
   * start-up. @default none: the attempt's whole time is the upstream's
   */
  connect?: (signal: AbortSignal) => Promise<unknown>;
}

/**
 * Runs one upstream request inside its server's resilience policy (RFC 0008): the call and
 * attempt timeouts, the bulkhead, the breaker and, since no method but tools/call has side
 * effects, retries of the failures the classifier calls retryable (hedged too, when the
 * server's config enables hedging). Publishes one `call_completed` (no tool, no arguments).
 * Errors are left as thrown; {@link toWireError} turns them into what the client gets.
 */
export async function executeUpstreamCall<T>(
  host: Pick<ToolCallHost, 'policies' | 'bus' | 'events' | 'clock' | 'defer'>,
  request: UpstreamCallRequest<T>,
): Promise<T> {
  const started = host.clock.now();
  const policy = host.policies.get(request.server);
  let attempts = 0;
  let outcome: Outcome = 'ok';
  let errorCode: string | undefined;
  try {
    if (!policy) return await request.attempt(request.signal ?? new AbortController().signal);
    return await policy.execute(
      async (context) => {
        attempts++;
        const signal = upstreamSignal(context.scope, request.signal);
        if (request.connect) {
          // The attempt's signal: a wait for a starting server ends with the attempt.
          await request.connect(signal);
          context.attempt.sentAt = host.clock.now();
        }
        return request.attempt(signal);
      },
      {
        ...(request.signal ? { signal: request.signal } : {}),
        meta: { method: request.method },
        traceId: request.trace.traceId,
      },
    );
  } catch (error) {
    outcome = callOutcomeOf(error, request.signal);
    errorCode = errorCodeOf(error);
    throw error;
  } finally {
    publishCallCompleted(host, {
      server: request.server,
      method: request.method,
      started,
      attempts,
      outcome,
      errorCode,
      sessionId: request.sessionId,
      traceId: request.trace.traceId,
    });
  }
}

/**
 * What the client gets for a failed upstream request: the upstream's own JSON-RPC error when
 * it answered one (also after retries ran out), -32001 naming the server for a timeout, and
 * -32010 (upstream unavailable) for a server that is down, an open breaker or a full bulkhead,
 * with the refusal's code in `data.code`. Anything else is returned unchanged.
 */
export function toWireError(error: unknown, server: string): unknown {
  if (isResilienceError(error, ResilienceErrorCode.RetriesExhausted)) {
    const last = (error as Error).cause;
    if (last !== undefined && last !== error) return toWireError(last, server);
  }
  if (isUnavailable(error)) return unavailableWireError(error);
  if (isTimeout(error))
    return wireError(
      WireErrorCode.RequestTimeout,
      `server "${server}" did not answer in time: ${message(error)}`,
      {
        server,
        code: (error as { code: string }).code,
      },
    );
  if (isRefusal(error))
    return wireError(
      WireErrorCode.UpstreamUnavailable,
      `server "${server}" refused the call: ${message(error)}`,
      {
        server,
        code: (error as { code: string }).code,
      },
    );
  return error;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
