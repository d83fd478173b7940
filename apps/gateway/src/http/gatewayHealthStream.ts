import type { IncomingMessage } from 'node:http';
import type { Gateway } from '../gateway.js';
import type { ClientDropReport } from './clientDrops.js';
import { createHealthStream, type HealthStream, type StreamEvent } from './healthStream.js';
import type { Refusal } from './httpAccess.js';

/** Options of {@link createGatewayHealthStream}. */
export interface GatewayHealthStreamOptions {
  /** Why an upgrade is refused (rebinding, auth), or undefined. */
  refuse: (req: IncomingMessage) => Refusal | undefined;
  /** A client whose unsent data passes this many bytes is dropped. */
  maxBufferedBytes: number;
  /** Told of each client dropped. */
  dropped: ClientDropReport;
}

/**
 * The gateway's `WS /health/stream`: the events it shows, after a snapshot of the state a page
 * needs to seed its own projector (ecosystem, servers, the replicas serving each, trust).
 */
export function createGatewayHealthStream(
  gateway: Gateway,
  options: GatewayHealthStreamOptions,
): HealthStream {
  return createHealthStream({
    events: {
      subscribe: (next) => gateway.shown$.subscribe((event) => next(event as StreamEvent)),
    },
    snapshot: () => ({
      timestamp: new Date(gateway.clock.now()).toISOString(),
      ecosystem: gateway.ecosystem(),
      servers: gateway.health().servers,
      // A page seeding its own projector needs them too (RFC 0018): see createHealthProjector.
      serving: gateway.serving(),
      trust: gateway.trust.state().servers,
    }),
    refuse: options.refuse,
    maxBufferedBytes: options.maxBufferedBytes,
    onDrop: ({ client, ...drop }) =>
      options.dropped({ stream: 'health_stream', ...drop }, { client }),
  });
}
