import type { Transport } from '@modelcontextprotocol/server';

/**
 * Makes a connected client dispatch each response only after the notifications that arrived
 * before it. The SDK runs a notification's handler a microtask after it arrives but settles a
 * response at once, and forgets the request's progress handler when it does: a server's last
 * progress notification, sent right before its result, was dropped (the conformance suite's
 * "progress 0, 50, 100 then the result" reached clients as 0 and 50). Deferring the response by
 * one microtask keeps the server's order. Uses the transport's public `onmessage` only; call it
 * right after `connect`.
 */
export function notificationsFirst(transport: Transport): void {
  const dispatch = transport.onmessage;
  if (dispatch === undefined) return;
  transport.onmessage = (message, extra) => {
    if ('method' in message || !('id' in message)) dispatch(message, extra);
    else queueMicrotask(() => dispatch(message, extra));
  };
}
