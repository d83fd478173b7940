import type { SelfhealEvent } from '@selfheal/schemas';
import type { StoredEvent } from '../model/eventTypes.js';
import type { CursorWriter } from './forwarderCursor.js';
import type { NatsLink } from './natsLink.js';

/** What the parts of a forwarder share: where it sends, and what the stream has acknowledged. */
export interface ForwarderState {
  /** The connection, once the forwarder's `link` option has resolved. */
  link: NatsLink | undefined;
  /** This replica's subject, `<link.subject>.<replica>`; set with `link`. */
  subject: string;
  /** The `seq` of the last event the stream has acknowledged, with every one before it. */
  acked: number;
  /** The stream sequence of the event at `acked`; undefined until one is acknowledged. */
  ackedStreamSeq: number | undefined;
  /**
   * Events after the cursor the stream holds already (found at the start of a pass from the
   * file): skipped, so a re-send is not stored twice even past the duplicate window.
   */
  inStream: Set<string>;
  /** The highest `seq` offered so far. */
  maxOffered: number;
  /** `live`: sending events as they are stored; `spool`: catching up from the file. */
  mode: 'live' | 'spool';
  closed: boolean;
}

/**
 * Publishes a batch of events (in log order) at once, each with `Nats-Msg-Id` = its
 * `event_id`, and moves `acked` and the cursor to the end of the acknowledged prefix. Resolves
 * true when every one was acknowledged; else tells `onError` the first failure and resolves
 * false (the events after it are sent again from the file).
 */
export type BatchSender = (events: StoredEvent[]) => Promise<boolean>;

/** Creates the {@link BatchSender} of `state`, each publish waiting `timeoutMs` at most. */
export function createBatchSender(
  state: ForwarderState,
  cursor: CursorWriter,
  timeoutMs: number,
  onError: ((error: unknown) => void) | undefined,
): BatchSender {
  /** Publishes one event; resolves to its stream sequence, or undefined if already stored. */
  const publish = async (event: SelfhealEvent): Promise<number | undefined> => {
    const id = String(event.event_id);
    if (state.inStream.has(id)) return undefined;
    const ack = await state.link!.js.publish(state.subject, JSON.stringify(event), {
      msgID: id,
      timeout: timeoutMs,
    });
    return ack.seq;
  };

  return async (events) => {
    const results = await Promise.allSettled(events.map(publish));
    let i = 0;
    while (i < results.length && results[i]!.status === 'fulfilled') {
      const streamSeq = (results[i] as PromiseFulfilledResult<number | undefined>).value;
      if (streamSeq !== undefined)
        state.ackedStreamSeq = Math.max(state.ackedStreamSeq ?? 0, streamSeq);
      i++;
    }
    if (i > 0) {
      state.acked = Math.max(state.acked, events[i - 1]!.seq);
      cursor.write(state.acked, state.ackedStreamSeq);
    }
    if (i < results.length) {
      onError?.((results[i] as PromiseRejectedResult).reason);
      return false;
    }
    return true;
  };
}
