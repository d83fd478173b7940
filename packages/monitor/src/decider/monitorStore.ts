import type { SelfhealEvent } from '@selfheal/schemas';
import type { EventDraft } from './decide.js';
import type { ServerView } from './serverView.js';

/**
 * Where a server monitor writes its decisions and reads the state they lead to: `emit` turns a
 * draft into an event (envelope, ids), publishes it to the log and the other sinks, and
 * applies it to the projection before returning, so the next `view` already reflects it.
 */
export interface MonitorStore {
  /** Emits one event; `traceId` groups the events of one incident (a new trace when omitted). */
  emit(draft: EventDraft, traceId?: string): SelfhealEvent;
  /** The projected state of one server (its initial state before any of its events). */
  view(serverName: string): ServerView;
}
