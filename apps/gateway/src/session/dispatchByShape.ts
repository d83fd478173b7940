import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResultResponse,
} from '@modelcontextprotocol/sdk/types.js';

/** The handlers the SDK's `Protocol` dispatches each incoming message to (internal in 1.32). */
interface ProtocolHandlers {
  _onrequest(request: JSONRPCRequest, extra?: unknown): void;
  _onresponse(response: JSONRPCResultResponse | JSONRPCErrorResponse): void;
  _onnotification(notification: JSONRPCNotification): void;
}

/**
 * Makes a connected SDK `Server` or `Client` dispatch what `transport` delivers by the
 * message's keys (`method` and `id`: a request; `method`: a notification; `result` or `error`:
 * a response) instead of by the zod guards `Protocol.connect` installs, which re-check each
 * message against the schemas it was parsed with a moment before: every transport the gateway
 * connects parses each message with the SDK's `JSONRPCMessageSchema` (or
 * `parseJsonRpcMessage`, which has its verdict) before `onmessage`. Up to three schema passes
 * per message (a request first fails as a result and as an error response), twice per
 * forwarded call (RFC 0006, "Measured"). Call it right after `connect`; if the protocol
 * lacks the handlers (another SDK version), the SDK's own dispatch stays. Returns whether it
 * took over.
 */
export function dispatchByShape(protocol: object, transport: Transport): boolean {
  const handlers = protocol as Partial<ProtocolHandlers>;
  const sdkDispatch = transport.onmessage;
  if (
    sdkDispatch === undefined ||
    typeof handlers._onrequest !== 'function' ||
    typeof handlers._onresponse !== 'function' ||
    typeof handlers._onnotification !== 'function'
  )
    return false;
  const { _onrequest, _onresponse, _onnotification } = handlers as ProtocolHandlers;
  transport.onmessage = (message: JSONRPCMessage, extra) => {
    if ('method' in message) {
      if ('id' in message) _onrequest.call(protocol, message, extra);
      else _onnotification.call(protocol, message);
    } else if ('result' in message || 'error' in message) _onresponse.call(protocol, message);
    else sdkDispatch(message, extra); // reports the unknown message as the SDK does
  };
  return true;
}
