import { SelfhealError } from '@selfheal/internal';
import { JsonRpcCode } from '@selfheal/resilience';

/** Codes of the errors the gateway throws or answers with; stable, for scripts and tests. */
export enum GatewayErrorCode {
  /** The config file is missing, unreadable or invalid (message names file and JSON pointer). */
  ConfigInvalid = 'CONFIG_INVALID',
  /** Two servers expose the same tool or prompt name and `gateway.on_collision` is `error`. */
  NameCollision = 'NAME_COLLISION',
  /** A configured auth token source (env variable or file) gives no token. */
  AuthUnusable = 'AUTH_UNUSABLE',
  /** An upstream server cannot be reached right now. */
  UpstreamUnavailable = 'UPSTREAM_UNAVAILABLE',
  /** A name, URI or reference matches no configured server. */
  NoRoute = 'NO_ROUTE',
  /** The HTTP listener could not bind. */
  ListenFailed = 'LISTEN_FAILED',
  /**
   * The operator's control socket could not be opened: another gateway or monitor answers on
   * it, or the path is unusable (message names the path and `--control`).
   */
  ControlUnavailable = 'CONTROL_UNAVAILABLE',
  /**
   * A client needs a session of its own with a server (RFC 0010) and the server already has
   * `gateway.client_sessions.max_per_server` of them open.
   */
  ClientSessionsExhausted = 'CLIENT_SESSIONS_EXHAUSTED',
  /**
   * A tool's definition changed since it was approved, or it waits for a first approval
   * (RFC 0017): not listed, calls refused until `selfheal approve SERVER TOOL`.
   */
  ToolQuarantined = 'TOOL_QUARANTINED',
  /** A server's trust score fell below `trust.quarantine_below` (RFC 0017). */
  ServerQuarantined = 'SERVER_QUARANTINED',
  /**
   * A tool result breaks the tool's `outputSchema` (or lacks the `structuredContent` it
   * declares) and `trust.on_violation` is `error`: the client gets this tool error instead
   * (RFC 0017).
   */
  OutputSchemaViolation = 'OUTPUT_SCHEMA_VIOLATION',
  /** An upstream sent something that is not a JSON-RPC message (RFC 0017: a protocol violation). */
  InvalidMessage = 'INVALID_MESSAGE',
}

/** The one error class of `@selfheal/gateway`; `code` is stable, `message` is for people. */
export class GatewayError extends SelfhealError<GatewayErrorCode> {}

/**
 * JSON-RPC error codes the gateway puts on the wire itself (upstream errors are forwarded with
 * their own codes). -32000..-32099 is the implementation-defined server range.
 */
export const WireErrorCode = {
  // The JSON-RPC codes and the SDK's -32000 (connection closed) and -32001 (request timed
  // out): the numbers the resilience classifier reads are the ones the gateway writes.
  ...JsonRpcCode,
  /** The upstream server that owns the name or URI is down. */
  UpstreamUnavailable: -32010,
  /** A server has as many client sessions of their own open as its bound allows. */
  ClientSessionsExhausted: -32011,
} as const;

/**
 * A gateway error as a tool result the client's model can read (`isError`, the message as
 * text), its code and data in `_meta["selfheal/error"]`: how the gateway answers a tools/call it
 * refuses or whose result it withholds.
 */
export function toolErrorResult(error: GatewayError): Record<string, unknown> {
  return {
    content: [{ type: 'text', text: error.message }],
    isError: true,
    _meta: { 'selfheal/error': { code: error.code, ...(error.data as object) } },
  };
}
