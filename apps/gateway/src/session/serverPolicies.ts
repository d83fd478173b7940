import type { EventFactory } from '@selfheal/events';
import type { Clock } from '@selfheal/internal';
import {
  type Classifier,
  classifyError,
  createPolicyFromConfig,
  type Emitter,
  type EventEnvelope,
  type ResilienceEventBody,
  type UpstreamPolicy,
} from '@selfheal/resilience';
import type { SelfhealEvent } from '@selfheal/schemas';
import type { LoadedConfig, UpstreamSpec } from '../config/loadConfig.js';
import { GatewayError, GatewayErrorCode } from '../errors.js';
import { randomHex } from '../randomHex.js';
import type { UpstreamServer, UpstreamState } from '../upstream/upstreamServer.js';

/**
 * The gateway's classifier: the resilience classifier, taught that UPSTREAM_UNAVAILABLE wraps
 * the transport error that caused it (judged by that cause, and always the transport's, so the
 * server's breaker counts it), that a request whose session broke (`data.connection_lost`) was
 * already resent by the link when safe, and that one refused before any connection (no
 * cause: the gateway itself refused, the server being down or still starting) says nothing new
 * of the upstream: the monitor already knows, and counting it would hold the breaker open past
 * the server's return (RFC 0008, "Breakers judge the upstream").
 */
export const classifyGatewayError: Classifier = (error, meta, nowMs) => {
  // The gateway's own bound on client sessions (RFC 0010): nothing about the upstream.
  if (error instanceof GatewayError && error.code === GatewayErrorCode.ClientSessionsExhausted)
    return { retryable: false, breaker: 'ignore', reason: error.code };
  if (error instanceof GatewayError && error.code === GatewayErrorCode.UpstreamUnavailable) {
    // The link already resent it on a new session when that was safe (RFC 0008): never again.
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

/**
 * The emitter the gateway gives its resilience policies: each event body a policy emits
 * (circuit, retry, fallback, ...) gets its envelope from the gateway's one factory and goes to
 * `publish` (the bus). The policy gets the whole event back (a breaker folds its own events).
 * A failed publish (the bus closed: the gateway stopping) never fails a call.
 */
export function busEmitter(
  publish: (event: SelfhealEvent) => void,
  events: Pick<EventFactory, 'envelop'>,
  newTraceId: () => string = () => randomHex(16),
): Emitter {
  return {
    emit<B extends ResilienceEventBody>(body: B, traceId?: string) {
      let event: SelfhealEvent | B = body;
      try {
        // A factory that validates may refuse the event; like a closed bus, that never fails
        // the call, and the policy still folds its own body.
        const enveloped = events.envelop(body, traceId);
        event = enveloped;
        publish(enveloped);
      } catch {
        // Nobody is left to tell; the policy goes on.
      }
      // The factory always sets the envelope's fields (TypeScript cannot see it through B).
      return event as B & EventEnvelope;
    },
    newTraceId,
  };
}

/**
 * One resilience policy per upstream server (RFC 0008): the global `resilience` section, then
 * the server's own, over the schema defaults. Every call of the server goes through it.
 * @throws ResilienceError INVALID_OPTIONS naming the bad key (config validation catches it first).
 */
export function createServerPolicies(
  config: LoadedConfig,
  runtime: { clock: Clock; emitter: Emitter },
): Map<string, UpstreamPolicy> {
  return new Map(
    config.upstreams.map((spec) => [spec.name, createServerPolicy(config, spec, runtime)]),
  );
}

/** The resilience policy of one server of `config` (see {@link createServerPolicies}). */
export function createServerPolicy(
  config: LoadedConfig,
  spec: UpstreamSpec,
  runtime: { clock: Clock; emitter: Emitter },
): UpstreamPolicy {
  return createPolicyFromConfig(
    {
      serverName: spec.name,
      clock: runtime.clock,
      emitter: runtime.emitter,
      classify: classifyGatewayError,
    },
    config.document.resilience,
    spec.config.resilience,
  );
}
