import type { RequestId, Transport } from '@modelcontextprotocol/client';

/**
 * Which stream carried a message: the `relatedRequestId` the request of that stream was sent
 * with; `null` for the stream of a request sent without one (the gateway's own: a list, a
 * check), which is no client call's; undefined where the transport cannot tell (the standalone
 * GET stream, a JSON answer, stdio).
 */
export type StreamOrigin = RequestId | null | undefined;

/**
 * A transport that knows which client request a server request belongs to: over Streamable
 * HTTP a server sends the requests a call causes (sampling, elicitation, roots) on that call's
 * own SSE stream, so the stream names the call exactly. The client request is named by the
 * `relatedRequestId` it was sent with (the SDK passes a request's `relatedRequestId` option to
 * its transport's `send`).
 */
export interface RequestOrigins {
  /** The stream that carried server request `id`, while it is unanswered. */
  originOf(id: RequestId): StreamOrigin;
  /**
   * Called inside `onmessage`: the stream that carried the message being delivered (a
   * notification has no id to ask {@link originOf} by later).
   */
  deliveringOrigin(): StreamOrigin;
}

/** What `transport` knows of server request `id`'s stream: undefined where it cannot tell. */
export function originOf(transport: Transport | undefined, id: RequestId): StreamOrigin {
  return (transport as Partial<RequestOrigins> | undefined)?.originOf?.(id);
}

/** {@link RequestOrigins.deliveringOrigin} of `transport`, where it can tell. */
export function deliveringOrigin(transport: Transport | undefined): StreamOrigin {
  return (transport as Partial<RequestOrigins> | undefined)?.deliveringOrigin?.();
}
