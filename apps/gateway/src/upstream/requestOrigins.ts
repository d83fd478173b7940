import type { RequestId, Transport } from '@modelcontextprotocol/client';

/**
 * A transport that knows which client request a server request belongs to: over Streamable
 * HTTP a server sends the requests a call causes (sampling, elicitation, roots) on that call's
 * own SSE stream, so the stream names the call exactly. The client request is named by the
 * `relatedRequestId` it was sent with (the SDK passes a request's `relatedRequestId` option to
 * its transport's `send`).
 */
export interface RequestOrigins {
  /** The `relatedRequestId` of the request whose stream carried server request `id`, if known. */
  originOf(id: RequestId): RequestId | undefined;
  /**
   * Called inside `onmessage`: the `relatedRequestId` of the request whose stream carried the
   * message being delivered (a notification has no id to ask {@link originOf} by later).
   */
  deliveringOrigin(): RequestId | undefined;
}

/** What `transport` knows of server request `id`'s origin: undefined where it cannot tell. */
export function originOf(transport: Transport | undefined, id: RequestId): RequestId | undefined {
  return (transport as Partial<RequestOrigins> | undefined)?.originOf?.(id);
}

/** {@link RequestOrigins.deliveringOrigin} of `transport`, where it can tell. */
export function deliveringOrigin(transport: Transport | undefined): RequestId | undefined {
  return (transport as Partial<RequestOrigins> | undefined)?.deliveringOrigin?.();
}
