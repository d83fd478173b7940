import type { IncomingMessage } from 'node:http';
import type { Gateway } from '../gateway.js';

/** A stream dropped because its client did not read it, and the bytes it held unsent. */
export interface ClientDrop {
  stream: 'post' | 'get' | 'health_stream';
  pendingBytes: number;
  limitBytes: number;
}

/** Who was dropped: the MCP session, when the stream had one, and the client's address. */
export interface DroppedClient {
  session_id?: string;
  client?: string;
}

/** Tells of one dropped client (see {@link createClientDropReport}). */
export type ClientDropReport = (drop: ClientDrop, who: DroppedClient) => void;

/**
 * A client that does not read is dropped, never buffered for without bound (RFC 0006); each
 * stream that drops one (`POST`/`GET /mcp`, stateless POSTs, `WS /health/stream`) reports it
 * here, as a line for the operator on `log` and a `client_dropped` event.
 */
export function createClientDropReport(
  gateway: Gateway,
  log: ((line: string) => void) | undefined,
): ClientDropReport {
  return (drop, who) => {
    const name =
      who.session_id !== undefined ? `session ${who.session_id}` : `client ${who.client}`;
    const what =
      drop.stream === 'health_stream'
        ? 'WS /health/stream'
        : `${drop.stream.toUpperCase()} /mcp stream`;
    log?.(
      `selfheal: dropped ${name}: its ${what} had ${drop.pendingBytes} bytes unsent, over gateway.max_client_buffer_bytes (${drop.limitBytes}); the client must read its streams (it may reconnect)\n`,
    );
    try {
      gateway.bus.publish(
        gateway.events.clientDropped({
          stream: drop.stream,
          ...who,
          pending_bytes: drop.pendingBytes,
          limit_bytes: drop.limitBytes,
        }),
      );
    } catch {
      // A closed bus (the gateway stopping) has nobody left to tell.
    }
  };
}

/** The request's peer as `address:port`, as a dropped client is named. */
export function clientAddress(req: IncomingMessage): string {
  return `${req.socket.remoteAddress ?? 'unknown'}:${req.socket.remotePort ?? 0}`;
}
