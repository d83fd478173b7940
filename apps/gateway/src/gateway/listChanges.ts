import { EventEmitter } from 'eventemitter3';
import type { GatewaySession } from '../session/gatewaySession.js';
import { LIST_CHANGED_NOTIFICATION, type ListMethod } from '../upstream/catalog.js';

/**
 * Where a list change goes: every open client session (as its `list_changed` notification) and
 * every listener, the stateless face's listen streams. One server's change and a reload's take
 * the same path.
 */
export interface ListChanges {
  /** Tells every session and listener that what `method` lists changed. */
  announce(method: ListMethod): void;
  /** Calls `onChange` on each change until the returned function is called. */
  listen(onChange: (method: ListMethod) => void): () => void;
}

/** List changes sent to the sessions in `sessions` (read at each change). */
export function createListChanges(sessions: ReadonlySet<GatewaySession>): ListChanges {
  const lists = new EventEmitter<{ changed: (method: ListMethod) => void }>();
  return {
    announce(method) {
      const notification = { method: LIST_CHANGED_NOTIFICATION[method] };
      for (const session of sessions) session.server.notification(notification).catch(() => {});
      lists.emit('changed', method);
    },
    listen(onChange) {
      lists.on('changed', onChange);
      return () => lists.off('changed', onChange);
    },
  };
}
