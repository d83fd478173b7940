import { type Clock, systemClock } from '@selfheal/internal';
import type { StoredEvent } from '../model/eventTypes.js';
import { createBatchSender, type ForwarderState } from './batchSender.js';
import { createCursorWriter, readCursor } from './forwarderCursor.js';
import type { NatsLink } from './natsLink.js';
import { createSpoolCatchUp } from './spoolCatchUp.js';

/** Options of {@link createNatsForwarder}. */
export interface NatsForwarderOptions {
  /** The connection (or its promise: the forwarder spools until it resolves). */
  link: NatsLink | Promise<NatsLink>;
  /** This replica's name: events go to `<link.subject>.<replica>`. */
  replica: string;
  /** The active file of the JSONL log whose events are forwarded: the spool. */
  logPath: string;
  /**
   * Holds the `seq` of the last event of the log the stream has acknowledged and that event's
   * stream sequence (`<seq> <stream seq>`), so a restart sends what is missing and nothing
   * more. @default `${logPath}.nats-cursor`
   */
  cursorPath?: string;
  /**
   * Where to start when there is no cursor file yet: the last `seq` already in the log
   * (those events predate forwarding and are not sent). @default -1 (send the whole log)
   */
  startAfterSeq?: number;
  /** How long a publish waits for the stream's acknowledgement, ms. @default 5000 */
  publishTimeoutMs?: number;
  /** Waits this long before trying again after a failed publish, ms. @default 1000 */
  retryMs?: number;
  /** Publishes in flight at once (one batch). @default 512 */
  maxInFlight?: number;
  /** @default systemClock */
  clock?: Clock;
  /** Told of each failure that sent the forwarder back to the file. @default none */
  onError?: (error: unknown) => void;
}

/** Forwards the events of a JSONL log to a JetStream stream, at least once, in log order. */
export interface NatsForwarder {
  /** Takes an event the log has just stored (the file sink's `onAppended`). Never throws. */
  offer(stored: StoredEvent): void;
  /** The `seq` of the last event the stream has acknowledged, with every one before it. */
  readonly acked: number;
  /** `live`: sending events as they are stored; `spool`: catching up from the file. */
  readonly mode: 'live' | 'spool';
  /** Resolves when every event offered so far is acknowledged (waits through outages). */
  drained(): Promise<void>;
  /** Stops; events not yet acknowledged stay in the file for the next start. Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates a {@link NatsForwarder}. Each event is published with `Nats-Msg-Id` = its
 * `event_id`, so the stream stores a re-sent event once (within its duplicate window). While
 * the stream acknowledges, events go out as they are stored, a batch at a time. When a publish
 * fails (NATS unreachable, a timeout), the forwarder falls back to the log file: once NATS is
 * back, it reads the file from the event after its cursor, re-sends in order, and returns to
 * live sending when it has caught up. The cursor (the log `seq` and stream sequence of the
 * last acknowledged event) is written after each acknowledged batch. Before each pass from the
 * file, the forwarder reads this replica's subject from the cursor's stream sequence on and
 * skips what is there: a batch acknowledged before a kill but not yet in the cursor, or
 * publishes the client buffered through an outage and delivered late, are not stored twice,
 * however long after the duplicate window (which still covers a publish whose answer is lost).
 * Its parts: the batch sender (`batchSender.ts`, which moves the acknowledged position), the
 * catch-up from the file (`spoolCatchUp.ts`) and the cursor file (`forwarderCursor.ts`); the
 * live queue is here.
 */
export function createNatsForwarder(options: NatsForwarderOptions): NatsForwarder {
  const cursorPath = options.cursorPath ?? `${options.logPath}.nats-cursor`;
  const maxInFlight = options.maxInFlight ?? 512;
  const state: ForwarderState = {
    link: undefined,
    subject: '',
    acked: options.startAfterSeq ?? -1,
    ackedStreamSeq: undefined,
    inStream: new Set(),
    maxOffered: -1,
    mode: 'spool',
    closed: false,
  };
  const cursor = createCursorWriter(cursorPath);
  const sendBatch = createBatchSender(
    state,
    cursor,
    options.publishTimeoutMs ?? 5000,
    options.onError,
  );
  const catchUp = createSpoolCatchUp(state, {
    link: options.link,
    replica: options.replica,
    logPath: options.logPath,
    retryMs: options.retryMs ?? 1000,
    maxInFlight,
    clock: options.clock ?? systemClock,
    onError: options.onError,
    sendBatch,
    onEnded() {
      pump();
      notify();
    },
  });
  /** Events offered in `live` mode, not yet in a batch. */
  let queue: StoredEvent[] = [];
  let pumping = false;
  const waiters: (() => void)[] = [];

  const settledAll = () =>
    state.mode === 'live' && queue.length === 0 && !pumping && state.acked >= state.maxOffered;
  const notify = () => {
    if (!settledAll()) return;
    for (const done of waiters.splice(0)) done();
  };

  /** Sends the live queue a batch at a time; a failed batch sends the forwarder to the file. */
  function pump(): void {
    if (pumping || state.closed || state.mode !== 'live' || queue.length === 0) return;
    pumping = true;
    void (async () => {
      try {
        while (!state.closed && state.mode === 'live' && queue.length > 0) {
          const batch = queue.length <= maxInFlight ? queue : queue.slice(0, maxInFlight);
          queue = queue.length <= maxInFlight ? [] : queue.slice(maxInFlight);
          if (!(await sendBatch(batch))) {
            queue = [];
            state.mode = 'spool';
          }
        }
      } finally {
        pumping = false;
      }
      if (state.mode === 'spool') void catchUp.run();
      else notify();
    })();
  }

  void readCursor(cursorPath).then((found) => {
    if (found === undefined) cursor.write(state.acked, undefined);
    else {
      state.acked = found.seq;
      state.ackedStreamSeq = found.streamSeq;
    }
    void catchUp.run();
  });

  return {
    offer(stored) {
      if (state.closed) return;
      if (stored.replica !== undefined && stored.replica !== options.replica) return;
      if (stored.seq > state.maxOffered) state.maxOffered = stored.seq;
      if (state.mode !== 'live') return;
      queue.push(stored);
      pump();
    },
    get acked() {
      return state.acked;
    },
    get mode() {
      return state.mode;
    },
    drained() {
      if (settledAll()) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    async close() {
      if (state.closed) return;
      state.closed = true;
      catchUp.wake();
      await cursor.idle();
      for (const done of waiters.splice(0)) done();
    },
  };
}
