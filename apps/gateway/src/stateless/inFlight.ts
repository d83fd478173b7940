import type { Notification } from '@modelcontextprotocol/server';
import { WireErrorCode } from '../errors.js';
import type { Router } from '../session/router.js';
import { missingCapability } from '../session/serverRequests.js';
import type { LinkHost } from '../session/upstreamLink.js';
import type { UpstreamMessage } from '../upstream/sharedCalls.js';
import { type Envelope, logLevelPasses, StatelessErrorCode } from './envelope.js';
import type { StatelessIo, StatelessRequest } from './statelessGateway.js';

/** Answers an upstream's request for the client (sampling, elicitation, roots) during a call. */
export type AskClient = (
  message: UpstreamMessage,
  signal?: AbortSignal,
) => Promise<Record<string, unknown>>;

/**
 * A request in flight upstream on behalf of a stateless request. `io` and `envelope` are the
 * current round's: a retry that answers an input round takes the call over.
 */
export interface InFlight {
  io: StatelessIo;
  envelope: Envelope;
  ask: AskClient;
  notify(message: UpstreamMessage): void;
}

/**
 * The stateless requests in flight upstream, by the synthetic id each is routed with: what an
 * upstream sends during a request (`relatedRequestId`) finds its way back to that request.
 */
export class InFlightRequests {
  private readonly byId = new Map<string, InFlight>();
  private counter = 0;

  /**
   * The router host's handlers for what upstreams send: requests for the client go to the
   * request in flight's `ask` (an error when none is), notifications to its `notify`.
   */
  hostHandlers(): Pick<LinkHost, 'onServerRequest' | 'onNotification'> {
    return {
      onServerRequest: async (_link, message, signal, related) => {
        const call = this.byId.get(String(related));
        if (call === undefined)
          throw upstreamFailure(`no stateless request ${String(related)} is in flight`);
        return call.ask(message, signal);
      },
      onNotification: (_link, message, related) => {
        this.byId.get(String(related))?.notify(message);
      },
    };
  }

  /**
   * Routes one request (or round) with a synthetic id that ties upstream traffic to it: the
   * upstream's requests go to `ask` if the envelope declared their capability, its log messages
   * to the client's stream at the envelope's level.
   */
  start(
    router: Router,
    request: StatelessRequest,
    envelope: Envelope,
    io: StatelessIo,
    ask: AskClient,
    signal: AbortSignal,
  ): { entry: InFlight; promise: Promise<Record<string, unknown>> } {
    const id = `stateless-${++this.counter}`;
    const entry: InFlight = {
      io,
      envelope,
      ask: (message, askSignal) => {
        const capability = missingCapability(message.method, entry.envelope.clientCapabilities);
        if (capability !== undefined) return Promise.reject(capabilityError(capability));
        return ask(message, askSignal);
      },
      notify: (message) => {
        if (
          message.method === 'notifications/message' &&
          !logLevelPasses(message.params?.level, entry.envelope.logLevel)
        )
          return;
        entry.io.notify(message as Notification);
      },
    };
    this.byId.set(id, entry);
    // The envelope stays: a server that speaks this revision gets it; the link takes it off for
    // one that does not.
    const params = request.params;
    const meta = request.params?._meta as Record<string, unknown> | undefined;
    const promise = router
      .route(request.method, params, {
        signal,
        requestId: id,
        ...(meta && { _meta: meta }),
        sendNotification: async (n) => entry.io.notify(n),
      })
      .finally(() => this.byId.delete(id));
    return { entry, promise };
  }
}

/** What a 2025-11-25 upstream gets for a request of a capability the caller did not declare. */
function capabilityError(capability: string): Error {
  return Object.assign(
    new Error(
      `selfheal: the client did not declare the ${capability} capability in its request's envelope`,
    ),
    {
      code: StatelessErrorCode.MissingRequiredClientCapability,
      data: { requiredCapabilities: { [capability]: {} } },
    },
  );
}

/** What a 2025-11-25 upstream gets for a request the gateway cannot pass to any caller. */
export function upstreamFailure(why: string): Error {
  return Object.assign(new Error(`selfheal: ${why}`), { code: WireErrorCode.InternalError });
}
