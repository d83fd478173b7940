import type { Transport } from '@modelcontextprotocol/client';
import { MonitorError, MonitorErrorCode } from '@selfheal/monitor';
import { GatewayError, GatewayErrorCode } from '../errors.js';

/**
 * Whether a transport error says the upstream sent something that is not JSON-RPC: a stdio
 * server's stdout line (the monitor's stream transport) or an HTTP answer or SSE event (the
 * gateway's HTTP transports), each reported once, by the transport that read it.
 */
export function isInvalidMessage(error: unknown): error is Error {
  return (
    (error instanceof MonitorError && error.code === MonitorErrorCode.InvalidMessage) ||
    (error instanceof GatewayError && error.code === GatewayErrorCode.InvalidMessage)
  );
}

/**
 * Calls `report` with each error of `transport` that {@link isInvalidMessage}, then passes every
 * error on to the transport's own `onerror`, which the SDK's client sets when it connects,
 * after this: so the hook sits on the property (a getter that reports and forwards, a setter
 * that keeps the client's listener) rather than in a second transport object, and the
 * transport's other members (`sessionId`, `setProtocolVersion`) stay its own. Returns
 * `transport`. Wrap each transport once: a transport wrapped twice reports twice.
 */
export function reportInvalidMessages(
  transport: Transport,
  report: (error: Error) => void,
): Transport {
  let listener: ((error: Error) => void) | undefined = transport.onerror;
  /** Set while an error is being handled. */
  let handling = false;
  const onerror = (error: Error) => {
    // The SDK's client chains to the `onerror` it found when it connected (this one): that
    // call comes back here while the error is handled, and is the same error again.
    if (handling) return;
    handling = true;
    try {
      if (isInvalidMessage(error)) report(error);
      listener?.(error);
    } finally {
      handling = false;
    }
  };
  Object.defineProperty(transport, 'onerror', {
    configurable: true,
    enumerable: true,
    get: () => onerror,
    set: (next: ((error: Error) => void) | undefined) => {
      listener = next;
    },
  });
  return transport;
}

/**
 * The error an HTTP transport reports for something the server sent that is not JSON-RPC:
 * `what` it was (`an SSE event`, `a JSON answer`), and why (not JSON, or JSON of another shape).
 */
export function invalidMessageError(what: string, cause: unknown): GatewayError {
  const why =
    cause instanceof SyntaxError
      ? `not JSON (${cause.message})`
      : 'JSON, but not a JSON-RPC message';
  return new GatewayError(GatewayErrorCode.InvalidMessage, `sent ${what} that is ${why}`, {
    cause,
  });
}
