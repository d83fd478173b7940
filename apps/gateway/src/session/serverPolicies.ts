import type { EventBus, EventFactory } from '@selfheal/events';
import {
  type Classifier,
  classifyError,
  createPolicyFromConfig,
  type EventSink,
  type UpstreamPolicy,
} from '@selfheal/resilience';
import type { Clock } from '../clock.js';
import type { LoadedConfig } from '../config/loadConfig.js';
import { GatewayError, GatewayErrorCode } from '../errors.js';

/**
 * The gateway's classifier: the resilience classifier, taught that UPSTREAM_UNAVAILABLE wraps
 * the transport error that caused it (judged by that cause), that an upstream refused
 * before any connection (no cause: the server is down) was never sent, and that a request
 * whose session broke (`data.connection_lost`) was already replayed by the link when safe.
 */
export const classifyGatewayError: Classifier = (error, meta, nowMs) => {
  if (error instanceof GatewayError && error.code === GatewayErrorCode.UpstreamUnavailable) {
    // The link already replayed it on a new session when that was safe (RFC 0008): never again.
    if ((error.data as { connection_lost?: boolean } | undefined)?.connection_lost)
      return { retryable: false, breaker: 'failure', reason: 'CONNECTION_LOST' };
    if (error.cause === undefined) {
      const verdict = classifyError(error, { ...meta, sent: false }, nowMs);
      return { ...verdict, reason: GatewayErrorCode.UpstreamUnavailable };
    }
    return classifyError(error.cause, meta, nowMs);
  }
  return classifyError(error, meta, nowMs);
};

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
    config.upstreams.map((spec) => [
      spec.name,
      createPolicyFromConfig(
        {
          serverName: spec.name,
          clock: runtime.clock,
          sink: runtime.sink,
          classify: classifyGatewayError,
        },
        config.document.resilience,
        spec.config.resilience,
      ),
    ]),
  );
}
