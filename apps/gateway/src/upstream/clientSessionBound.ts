import { GatewayError, GatewayErrorCode } from '../errors.js';
import type { ClientSessionSlot } from './upstreamServer.js';

/** The bound on one server's client sessions of their own (RFC 0010). */
export interface ClientSessionBound {
  /** Slots taken now. */
  readonly open: number;
  /**
   * Takes a slot; calling the slot releases it (once, however often it is called).
   * @throws GatewayError(CLIENT_SESSIONS_EXHAUSTED) past the bound, naming it and the fix.
   */
  acquire(): ClientSessionSlot;
}

/** At most `max` client sessions of their own with server `server` at once. */
export function createClientSessionBound(server: string, max: number): ClientSessionBound {
  let open = 0;
  return {
    get open() {
      return open;
    },
    acquire() {
      if (open >= max)
        throw new GatewayError(
          GatewayErrorCode.ClientSessionsExhausted,
          `server "${server}": ${open} client sessions of their own are open, the most "gateway.client_sessions.max_per_server" allows (${max}); such a session is opened for a client that sets a log level or subscribes to resources, or for every client where the server has "session": "per_client". Raise the bound, shorten "idle_timeout_seconds", or share the server's connection.`,
          { data: { server, open, max } },
        );
      open++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        open--;
      };
    },
  };
}
