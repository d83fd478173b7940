import type { EventBus, EventFactory } from '@selfheal/events';
import type { Clock } from '@selfheal/internal';
import {
  type Classifier,
  classifyError,
  createPolicyFromConfig,
  type EventSink,
  type UpstreamPolicy,
} from '@selfheal/resilience';
import type { LoadedConfig, UpstreamSpec } from '../config/loadConfig.js';
import { GatewayError, GatewayErrorCode } from '../errors.js';
import type { UpstreamServer, UpstreamState } from '../upstream/upstreamServer.js';

/**
 * The gateway's classifier: the resilience classifier, taught that UPSTREAM_UNAVAILABLE wraps
 * the transport error that caused it (judged by that cause, and always the transport's, so the
 * server's breaker counts it), that a request whose session broke (`data.connection_lost`) was
 * already replayed by the link when safe, and that one refused before any connection (no
 * cause: the gateway itself refused, the server being down or still starting) says nothing new
 * of the upstream: the monitor already knows, and counting it would hold the breaker open past
 * the server's return (RFC 0008, "Breakers judge the upstream").
 */
export const classifyGatewayError: Classifier = (error, meta, nowMs) => {
  // The gateway's own bound on client sessions (RFC 0010): nothing about the upstream.
  if (error instanceof GatewayError && error.code === GatewayErrorCode.ClientSessionsExhausted)
    return { retryable: false, breaker: 'ignore', reason: error.code };
  if (error instanceof GatewayError && error.code === GatewayErrorCode.UpstreamUnavailable) {
    // The link already replayed it on a new session when that was safe (RFC 0008): never again.
    if ((error.data as { connection_lost?: boolean } | undefined)?.connection_lost)
      return {
        retryable: false,
        breaker: 'failure',
        source: 'transport',
        reason: 'CONNECTION_LOST',
      };
    if (error.cause === undefined) {
      return { retryable: false, breaker: 'ignore', reason: unavailableReason(error) };
    }
    const verdict = classifyError(error.cause, meta, nowMs);
    return verdict.breaker === 'failure' ? { ...verdict, source: 'transport' } : verdict;
  }
  return classifyError(error, meta, nowMs);
};

/**
 * What an UPSTREAM_UNAVAILABLE says happened, for events: `CONNECTION_LOST` (the session broke
 * under the request), `SERVER_DOWN` (routing skips it), `NOT_CONNECTED` (no session could be
 * opened, or it is still starting).
 */
export function unavailableReason(error: GatewayError): string {
  const data = (error.data ?? {}) as { connection_lost?: boolean; status?: string };
  if (data.connection_lost) return 'CONNECTION_LOST';
  if (data.status === 'down') return 'SERVER_DOWN';
  return 'NOT_CONNECTED';
}

/**
 * Tells each server's policy when its upstream answers again (routing state turns `up`: a
 * session opened after a restart, a good check after an outage): the server's breaker closes
 * and open tool breakers half-open at once, instead of refusing calls for the rest of their
 * open time. Returns the unsubscribe.
 */
export function followRecovery(
  policies: ReadonlyMap<string, UpstreamPolicy>,
  upstreams: readonly Pick<UpstreamServer, 'spec' | 'on' | 'off'>[],
): () => void {
  const listeners = upstreams.map((upstream) => {
    const listener = (state: UpstreamState, previous: UpstreamState) => {
      if (state.status === 'up' && previous.status !== 'up')
        policies.get(upstream.spec.name)?.serverRecovered();
    };
    upstream.on('status', listener);
    return () => upstream.off('status', listener);
  });
  return () => {
    for (const off of listeners) off();
  };
}

/** Hands every resilience event (circuit, retry, fallback, ...) to the gateway's bus. */
export function busSink(bus: Pick<EventBus, 'publish'>, events: EventFactory): EventSink {
  return (event) => {
    const { timestamp: _t, repo: _r, event_type, ...fields } = event;
    bus.publish(events.createOther(event_type, fields));
  };
}

/**
 * One resilience policy per upstream server (RFC 0008): the global `resilience` section, then
 * the server's own, over the schema defaults. Every call of the server goes through it.
 * @throws ResilienceError INVALID_OPTIONS naming the bad key (config validation catches it first).
 */
export function createServerPolicies(
  config: LoadedConfig,
  runtime: { clock: Clock; sink: EventSink },
): Map<string, UpstreamPolicy> {
  return new Map(
    config.upstreams.map((spec) => [spec.name, createServerPolicy(config, spec, runtime)]),
  );
}

/** The resilience policy of one server of `config` (see {@link createServerPolicies}). */
export function createServerPolicy(
  config: LoadedConfig,
  spec: UpstreamSpec,
  runtime: { clock: Clock; sink: EventSink },
): UpstreamPolicy {
  return createPolicyFromConfig(
    {
      serverName: spec.name,
      clock: runtime.clock,
      sink: runtime.sink,
      classify: classifyGatewayError,
    },
    config.document.resilience,
    spec.config.resilience,
  );
}
