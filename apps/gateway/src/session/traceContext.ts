import { randomHex } from '../randomHex.js';

/** The W3C trace context of one downstream call. */
export interface TraceContext {
  /** 32 lowercase hex digits; also the `trace_id` of the call's events. */
  traceId: string;
  /** The `traceparent` sent upstream: the trace id, a span id of the gateway's own, the flags. */
  traceparent: string;
  /**
   * The client sent a valid `traceparent`. Only then is one sent upstream: a trace the gateway
   * starts names its events, but the upstream request stays as the client made it (RFC 0008).
   */
  fromClient: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The trace context of a call: the client's `_meta.traceparent` honoured when it is a valid W3C
 * `traceparent` (version not `ff`, ids not all zero), else a fresh trace. The gateway is a new
 * span in either case, so the upstream sees the gateway as its parent.
 * @param random `size` random bytes as lowercase hex, for tests. @default randomHex (pooled CSPRNG)
 */
export function traceContextOf(
  meta: Record<string, unknown> | undefined,
  random: (size: number) => string = randomHex,
): TraceContext {
  const incoming = typeof meta?.traceparent === 'string' ? meta.traceparent.trim() : '';
  const match = TRACEPARENT.exec(incoming);
  const valid =
    match !== null && match[1] !== 'ff' && !/^0+$/.test(match[2]!) && !/^0+$/.test(match[3]!);
  const traceId = valid ? match[2]! : random(16);
  const flags = valid ? match[4]! : '01';
  return {
    traceId,
    traceparent: `00-${traceId}-${random(8)}-${flags}`,
    fromClient: valid,
  };
}

/** `params` with the trace context in `_meta.traceparent` (other `_meta` keys kept). */
export function withTraceparent(
  params: Record<string, unknown>,
  trace: TraceContext,
): Record<string, unknown> {
  const meta = (params._meta ?? {}) as Record<string, unknown>;
  return { ...params, _meta: { ...meta, traceparent: trace.traceparent } };
}
