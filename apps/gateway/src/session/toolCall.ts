import type { RequestId, RequestOptions } from '@modelcontextprotocol/server';
import type { EventBus, EventFactory } from '@selfheal/events';
import type { Clock } from '@selfheal/internal';
import {
  type CallContext,
  type CancelScope,
  createFallbackChain,
  deriveContext,
  describeError,
  type Emitter,
  isIdempotentCall,
  isResilienceError,
  ResilienceError,
  ResilienceErrorCode,
  shouldFallBack,
  type ToolAnnotations,
  toContext,
  type UpstreamPolicy,
} from '@selfheal/resilience';
import { GatewayError, GatewayErrorCode } from '../errors.js';
import type { TrustGuard } from '../trust/trustGuard.js';
import { type RawItem, toolAnnotationsOf } from '../upstream/catalog.js';
import { unavailableReason } from './serverPolicies.js';
import { type TraceContext, withTraceparent } from './traceContext.js';
import type { UpstreamLink } from './upstreamLink.js';

/** One place a tool call can be served: a server's link and the tool's upstream name there. */
export interface ToolTarget {
  link: UpstreamLink;
  /** The upstream tool name. */
  name: string;
  /** The exposed name, as the client would call it (for fallback events and errors). */
  exposed: string;
  /**
   * The tool as its link listed it when the call was routed, read once for the call's checks
   * (its annotations for retries, its outputSchema for trust).
   */
  definition: RawItem | undefined;
}

/** What a tool call needs from the gateway and the session. */
export interface ToolCallHost {
  policies: ReadonlyMap<string, UpstreamPolicy>;
  bus: EventBus;
  events: EventFactory;
  clock: Pick<Clock, 'now'>;
  /** Puts the envelope on the fallback chain's events and publishes them (the bus). */
  emitter: Emitter;
  /** Orders and refuses targets by trust, and hears how each attempt went (RFC 0017). */
  trust?: Pick<
    TrustGuard,
    'route' | 'refusal' | 'observeAttempt' | 'observeAnswer' | 'invalidMessage' | 'filterTools'
  >;
  /** Whether routing skips the server now: down, failed or not yet recovered per the monitor. */
  isDown: (server: string) => boolean;
  /**
   * Runs a finished call's bookkeeping (publishing its `call_completed`) after the answer is
   * written, e.g. {@link createAfterAnswer}'s `defer`. @default none: published at once
   */
  defer?: (task: () => void) => void;
}

/** One downstream tools/call, as the session hands it over. */
export interface ToolCallRequest {
  /** The exposed tool name the client called. */
  exposed: string;
  params: Record<string, unknown>;
  /** The primary target first, then its fallbacks, in order. */
  targets: readonly ToolTarget[];
  requestId: RequestId;
  options: RequestOptions;
  trace: TraceContext;
  sessionId?: string;
}

/** The outcome of a call, as `call_completed` reports it. */
export type Outcome = 'ok' | 'tool_error' | 'error' | 'timeout' | 'rejected' | 'cancelled';

/**
 * Serves one tools/call through the resilience policies (RFC 0008): each target's server policy
 * (timeouts, safe retries with the tool's annotations, breaker, bulkhead, hedge), a fallback
 * chain over the targets that skips servers that are down or whose breaker is open, the
 * answering server in `_meta["selfheal/served_by"]`, and one `call_completed` on the bus.
 */
export async function executeToolCall(
  host: ToolCallHost,
  request: ToolCallRequest,
): Promise<Record<string, unknown>> {
  const started = host.clock.now();
  let attempts = 0;
  let servedBy: ToolTarget | undefined;
  const primary = request.targets[0]!;
  /** The target being tried, and the one that timed out with a call that may have run. */
  let current = primary;
  let stoppedOn: ToolTarget | undefined;
  /** Tool errors the gateway put in place of an upstream's result: only theirs carry its code. */
  const madeByGateway = host.trust ? new WeakSet<object>() : undefined;

  const alternative = (target: ToolTarget) => {
    const policy = host.policies.get(target.link.name)!;
    const meta = {
      method: 'tools/call',
      tool: target.name,
      ...annotationsOf(target),
    };
    return {
      name: target.link.name,
      whyEjected: () => whyEjected(host, policy, target),
      execute: (context: CallContext) => {
        current = target;
        return policy.execute(
          async (attempt) => {
            attempts++;
            // The session opens first: its start-up is the gateway's time, not the upstream's,
            // so the breaker judges the call from when it left (RFC 0008).
            const signal = upstreamSignal(attempt.scope, request.options.signal);
            await target.link.ensure(signal);
            const sentAt = host.clock.now();
            attempt.attempt.sentAt = sentAt;
            const result = await observed(host, target, sentAt, signal, madeByGateway, () =>
              target.link.forward(
                'tools/call',
                request.trace.fromClient
                  ? withTraceparent({ ...request.params, name: target.name }, request.trace)
                  : { ...request.params, name: target.name },
                request.requestId,
                { ...request.options, signal },
                {
                  traceId: request.trace.traceId,
                  ...(request.sessionId === undefined ? {} : { sessionId: request.sessionId }),
                },
              ),
            );
            servedBy = target;
            return result;
          },
          deriveContext(context, { meta }),
        );
      },
    };
  };
  /**
   * Whether a failure moves on to the next target. A timed-out request reached the server and
   * may have run there: only a tool annotated read-only or idempotent is sent on (as retries).
   */
  const fallsBack = (error: unknown) => {
    if (isUnavailable(error)) return !mayHaveRun(error);
    if (!shouldFallBack(error)) return false;
    if (
      isTimeout(error) &&
      !isIdempotentCall({ method: 'tools/call', ...annotationsOf(current) })
    ) {
      stoppedOn = current;
      return false;
    }
    return true;
  };

  let outcome: Outcome = 'ok';
  let errorCode: string | undefined;
  try {
    const init = {
      ...(request.options.signal ? { signal: request.options.signal } : {}),
      meta: { method: 'tools/call', tool: primary.name },
      traceId: request.trace.traceId,
    };
    const alternatives = request.targets.map(alternative);
    const result =
      alternatives.length === 1
        ? await alternatives[0]!.execute(toContext(init))
        : await createFallbackChain(alternatives, {
            serverName: primary.link.name,
            clock: host.clock as Clock,
            emitter: host.emitter,
            shouldFallBack: fallsBack,
            reasonOf: fallbackReason,
          }).execute(init);
    if (result.isError === true) {
      outcome = 'tool_error';
      // An upstream's own `_meta["selfheal/error"]` is any string it likes: logged as a code,
      // each new one would be a line of its own (RFC 0009) and land in spans unbounded.
      if (madeByGateway?.has(result)) errorCode = selfhealErrorCode(result);
    }
    // A call with no alternative stays byte-for-byte what the upstream answered (RFC 0006).
    if (alternatives.length === 1) return result;
    const meta = (result._meta ?? {}) as Record<string, unknown>;
    return { ...result, _meta: { ...meta, 'selfheal/served_by': servedBy?.link.name } };
  } catch (error) {
    outcome = callOutcomeOf(error, request.options.signal);
    errorCode = errorCodeOf(error);
    if (stoppedOn) throw notSentOn(error as ResilienceError, stoppedOn, request.targets);
    throw error;
  } finally {
    publishCallCompleted(host, {
      server: (servedBy ?? primary).link.name,
      method: 'tools/call',
      tool: request.exposed,
      started,
      attempts,
      outcome,
      errorCode,
      ...(servedBy && servedBy !== primary ? { fallbackServer: servedBy.link.name } : {}),
      sessionId: request.sessionId,
      traceId: request.trace.traceId,
    });
  }
}

/**
 * Runs one upstream attempt and tells the trust guard how it went: answered (an `isError`
 * result too: the tool answered) with its latency, checked against the tool's outputSchema
 * (the guard may hand back a tool error in place of a result that breaks it), or failed (a
 * timeout included). An attempt stopped for another reason (the client cancelled, the other
 * attempt of a hedge answered first) says nothing about the server. A tool error the guard
 * hands back in place of the result goes into `madeByGateway`.
 */
async function observed(
  host: ToolCallHost,
  target: ToolTarget,
  sentAt: number,
  signal: AbortSignal,
  madeByGateway: WeakSet<object> | undefined,
  attempt: () => Promise<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  if (!host.trust) return attempt();
  const server = target.link.name;
  try {
    const result = await attempt();
    const answer = host.trust.observeAnswer(
      server,
      target.name,
      target.definition,
      result,
      host.clock.now() - sentAt,
    );
    if (answer !== result) madeByGateway?.add(answer);
    return answer;
  } catch (error) {
    if (!signal.aborted || isTimeout(signal.reason))
      host.trust.observeAttempt(server, false, host.clock.now() - sentAt);
    throw error;
  }
}

/** What one finished upstream request reports in its `call_completed` event. */
export interface CompletedCall {
  server: string;
  method: string;
  /** The exposed tool name (tools/call only). */
  tool?: string;
  /** Epoch ms when the call started. */
  started: number;
  /** Attempts made (hedges included); 0 counts as 1 (refused before any attempt). */
  attempts: number;
  outcome: Outcome;
  errorCode?: string | undefined;
  fallbackServer?: string;
  sessionId?: string | undefined;
  traceId: string;
}

/**
 * Publishes the one `call_completed` event of a finished upstream request (RFC 0008). The event
 * is built now (its latency and timestamp are the call's); with `host.defer` it is published
 * there, after the answer.
 */
export function publishCallCompleted(
  host: Pick<ToolCallHost, 'bus' | 'events' | 'clock' | 'defer'>,
  call: CompletedCall,
): void {
  const event = host.events.callCompleted({
    server_name: call.server,
    method: call.method,
    ...(call.tool === undefined ? {} : { tool: call.tool }),
    latency_ms: Math.max(0, host.clock.now() - call.started),
    attempts: Math.max(1, call.attempts),
    outcome: call.outcome,
    ...(call.errorCode === undefined ? {} : { error_code: call.errorCode }),
    ...(call.fallbackServer === undefined ? {} : { fallback_server: call.fallbackServer }),
    ...(call.sessionId === undefined ? {} : { session_id: call.sessionId }),
    trace_id: call.traceId,
  });
  if (host.defer) host.defer(() => host.bus.publish(event));
  else host.bus.publish(event);
}

/**
 * The signal of one upstream attempt: aborted when the attempt's scope aborts (timeout, hedge
 * loss, the caller's cancel), with the client's own reason when the client cancelled, so the
 * upstream's notifications/cancelled carries it as it would directly. It listens on the scope
 * with a plain callback rather than on the scope's own AbortSignal, so an attempt makes one
 * AbortSignal, not two (RFC 0006, "Measured").
 */
export function upstreamSignal(attempt: CancelScope, caller: AbortSignal | undefined): AbortSignal {
  if (!caller) return attempt.signal;
  const controller = new AbortController();
  const abort = () => controller.abort(caller.aborted ? caller.reason : attempt.reason);
  if (attempt.aborted) abort();
  else attempt.onAbort(abort);
  return controller.signal;
}

/**
 * Why routing skips `target` now, named for `fallback_used`: the server is down (per the
 * monitor), or which breaker refuses it and in what mode.
 */
function whyEjected(
  host: ToolCallHost,
  policy: UpstreamPolicy,
  target: ToolTarget,
): { reason: string; message: string } | undefined {
  if (host.isDown(target.link.name))
    return { reason: 'SERVER_DOWN', message: `server "${target.link.name}" is down, skipped` };
  const breaker = policy.ejectedBy(target.name);
  if (!breaker) return undefined;
  const mode = breaker.state().mode;
  return {
    reason: BREAKER_REASONS[mode] ?? ResilienceErrorCode.CircuitOpen,
    message: `breaker "${breaker.circuit}" ${mode.replace('_', '-')}, skipped`,
  };
}

const BREAKER_REASONS: Partial<Record<string, string>> = {
  open: ResilienceErrorCode.CircuitOpen,
  half_open: 'CIRCUIT_HALF_OPEN',
  isolated: ResilienceErrorCode.CircuitIsolated,
};

/** The `fallback_used` reason of a failure: the real cause, not only an error code. */
function fallbackReason(error: unknown): string {
  if (isUnavailable(error)) return unavailableReason(error);
  if (isResilienceError(error, ResilienceErrorCode.RetriesExhausted)) {
    const cause = (error as Error).cause;
    if (cause !== undefined && cause !== error) return fallbackReason(cause);
  }
  return errorCodeOf(error) ?? 'ERROR';
}

function annotationsOf(target: ToolTarget): { toolAnnotations?: ToolAnnotations } {
  const annotations = toolAnnotationsOf(target.definition);
  return annotations ? { toolAnnotations: annotations } : {};
}

/** Whether the call's deadline or an attempt's passed (the request may have reached the server). */
export function isTimeout(error: unknown): boolean {
  return isResilienceError(
    error,
    ResilienceErrorCode.AttemptTimeout,
    ResilienceErrorCode.CallTimeout,
  );
}

/**
 * The timeout of a tool call that may have run on `on`, with why the rest of its fallback chain
 * was not tried (same code, so the client and `call_completed` still see a timeout).
 */
function notSentOn(
  error: ResilienceError,
  on: ToolTarget,
  targets: readonly ToolTarget[],
): ResilienceError {
  const rest = targets.slice(targets.indexOf(on) + 1).map((t) => t.link.name);
  return new ResilienceError(
    error.code,
    `${error.message}; not tried on ${rest.map((n) => `"${n}"`).join(', ')}: "${on.name}" is not annotated read-only or idempotent, and the request may have run on "${on.link.name}"`,
    { cause: error, data: { ...(error.data ?? {}), may_have_run: true, not_tried: rest } },
  );
}

/** Whether the gateway could not reach the server (a `GatewayError` UPSTREAM_UNAVAILABLE). */
export function isUnavailable(error: unknown): error is GatewayError {
  return error instanceof GatewayError && error.code === GatewayErrorCode.UpstreamUnavailable;
}

/**
 * A request whose session broke after it was sent, not resent because it may have taken
 * effect (a tool not annotated read-only or idempotent): sending it to a fallback server could
 * run it twice, so the chain stops and the client gets the error (RFC 0008).
 */
function mayHaveRun(error: unknown): boolean {
  return (
    (error as GatewayError).data instanceof Object &&
    (error as GatewayError & { data: { may_have_run?: unknown } }).data.may_have_run === true
  );
}

/** The stable code of a failed call for `call_completed.error_code`. */
export function errorCodeOf(error: unknown): string | undefined {
  return describeError(error).code ?? (error as { code?: unknown }).code?.toString();
}

/** Whether the policy refused the call before sending it: an open or isolated breaker, a full bulkhead. */
export function isRefusal(error: unknown): boolean {
  return isResilienceError(
    error,
    ResilienceErrorCode.CircuitOpen,
    ResilienceErrorCode.CircuitIsolated,
    ResilienceErrorCode.BulkheadFull,
  );
}

/** The `call_completed` outcome of a call that threw `error`. */
export function callOutcomeOf(error: unknown, signal: AbortSignal | undefined): Outcome {
  if (signal?.aborted) return 'cancelled';
  if (isRefusal(error) || (isUnavailable(error) && error.cause === undefined)) return 'rejected';
  if (isTimeout(error)) return 'timeout';
  if (isResilienceError(error, ResilienceErrorCode.RetriesExhausted)) {
    const cause = (error as Error).cause;
    if (isResilienceError(cause, ResilienceErrorCode.AttemptTimeout)) return 'timeout';
  }
  return 'error';
}

/** The gateway's own code of a tool error it answered with (`_meta["selfheal/error"].code`). */
function selfhealErrorCode(result: Record<string, unknown>): string | undefined {
  const meta = result._meta as Record<string, { code?: unknown } | undefined> | undefined;
  const code = meta?.['selfheal/error']?.code;
  return typeof code === 'string' ? code : undefined;
}
