import { readFile, writeFile } from 'node:fs/promises';
import { type Clock, systemClock } from '@selfheal/internal';
import type { SelfhealEvent } from '@selfheal/schemas';
import { readLog } from '../log/logReader.js';
import { listSegments } from '../log/logSegments.js';
import type { StoredEvent } from '../model/eventTypes.js';
import type { NatsLink } from './natsLink.js';
import { storedIdsAfter } from './streamReader.js';

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
 */
export function createNatsForwarder(options: NatsForwarderOptions): NatsForwarder {
  const clock = options.clock ?? systemClock;
  const cursorPath = options.cursorPath ?? `${options.logPath}.nats-cursor`;
  const timeout = options.publishTimeoutMs ?? 5000;
  const retryMs = options.retryMs ?? 1000;
  const maxInFlight = options.maxInFlight ?? 512;
  let link: NatsLink | undefined;
  let subject = '';
  let acked = options.startAfterSeq ?? -1;
  /** The stream sequence of the event at `acked`; undefined until one is acknowledged. */
  let ackedStreamSeq: number | undefined;
  /**
   * Events after the cursor the stream holds already (found at the start of a pass from the
   * file): skipped, so a re-send is not stored twice even past the duplicate window.
   */
  let inStream = new Set<string>();
  let maxOffered = -1;
  let mode: 'live' | 'spool' = 'spool';
  let closed = false;
  let queue: StoredEvent[] = [];
  let pumping = false;
  let wake: (() => void) | undefined;
  const waiters: (() => void)[] = [];
  const cursor = createCursorWriter(cursorPath);

  const settledAll = () => mode === 'live' && queue.length === 0 && !pumping && acked >= maxOffered;
  const notify = () => {
    if (!settledAll()) return;
    for (const done of waiters.splice(0)) done();
  };

  /** Publishes one event; resolves to its stream sequence, or undefined if already stored. */
  const publish = async (event: SelfhealEvent): Promise<number | undefined> => {
    const id = String(event.event_id);
    if (inStream.has(id)) return undefined;
    const ack = await link!.js.publish(subject, JSON.stringify(event), { msgID: id, timeout });
    return ack.seq;
  };

  /** Publishes `events` (in log order) at once; true when every one was acknowledged. */
  async function sendBatch(events: StoredEvent[]): Promise<boolean> {
    const results = await Promise.allSettled(events.map(publish));
    let i = 0;
    while (i < results.length && results[i]!.status === 'fulfilled') {
      const streamSeq = (results[i] as PromiseFulfilledResult<number | undefined>).value;
      if (streamSeq !== undefined) ackedStreamSeq = Math.max(ackedStreamSeq ?? 0, streamSeq);
      i++;
    }
    if (i > 0) {
      acked = Math.max(acked, events[i - 1]!.seq);
      cursor.write(acked, ackedStreamSeq);
    }
    if (i < results.length) {
      options.onError?.((results[i] as PromiseRejectedResult).reason);
      return false;
    }
    return true;
  }

  function pump(): void {
    if (pumping || closed || mode !== 'live' || queue.length === 0) return;
    pumping = true;
    void (async () => {
      try {
        while (!closed && mode === 'live' && queue.length > 0) {
          const batch = queue.length <= maxInFlight ? queue : queue.slice(0, maxInFlight);
          queue = queue.length <= maxInFlight ? [] : queue.slice(maxInFlight);
          if (!(await sendBatch(batch))) {
            queue = [];
            mode = 'spool';
          }
        }
      } finally {
        pumping = false;
      }
      if (mode === 'spool') void catchUp();
      else notify();
    })();
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = clock.setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        wake = undefined;
        clock.clearTimeout(timer);
        resolve();
      };
    });

  let catching = false;
  /** Reads the log from the cursor and re-sends, until caught up; then goes live. */
  async function catchUp(): Promise<void> {
    if (catching || closed) return;
    catching = true;
    try {
      link ??= await options.link;
      subject = `${link.subject}.${options.replica}`;
      while (!closed) {
        if (!link.up) {
          await sleep(retryMs);
          continue;
        }
        const target = maxOffered;
        if (!(await findInStream())) {
          await sleep(retryMs);
          continue;
        }
        const read = await sendFromFile();
        if (read === 'failed') {
          await sleep(retryMs);
          continue;
        }
        // Events offered while the file was read have a seq above `read` and are in the file
        // already: another pass sends them. Checking and switching in one turn leaves no gap.
        if (maxOffered <= Math.max(read, target) && acked >= maxOffered) {
          mode = 'live';
          inStream = new Set();
          break;
        }
      }
    } finally {
      catching = false;
    }
    pump();
    notify();
  }

  /**
   * Finds which of this replica's messages the stream stored after the cursor's: a batch
   * acknowledged just before a kill, before the cursor said so, or publishes the client buffered
   * through an outage and delivered late. Past the duplicate window the stream would store
   * those again. False when NATS did not answer.
   */
  async function findInStream(): Promise<boolean> {
    if (ackedStreamSeq === undefined) return true; // A cursor without it: the window decides.
    try {
      inStream = await storedIdsAfter(link!, subject, ackedStreamSeq);
      return true;
    } catch (error) {
      options.onError?.(error);
      return false;
    }
  }

  /** One pass over the log after the cursor; the last seq sent, or 'failed'. */
  async function sendFromFile(): Promise<number | 'failed'> {
    const segments = await listSegments(options.logPath).catch(() => []);
    const files = [
      ...segments.filter((s) => s.lastSeq > acked).map((s) => s.path),
      options.logPath,
    ];
    let batch: StoredEvent[] = [];
    let last = acked;
    for (const file of files) {
      const reader = readLog(file, { fields: 'all' });
      try {
        for (;;) {
          const next = await reader.next().catch(() => undefined);
          if (next === undefined) break; // A missing file (no event yet) holds nothing to send.
          if (next.done) break;
          for (const { event } of next.value) {
            const seq = (event as StoredEvent).seq;
            if (typeof seq !== 'number' || seq <= acked || seq <= last) continue;
            if (event.replica !== undefined && event.replica !== options.replica) continue;
            batch.push(event as StoredEvent);
            last = seq;
            if (batch.length >= maxInFlight) {
              if (!(await sendBatch(batch))) return 'failed';
              batch = [];
            }
          }
        }
      } finally {
        await reader.return(undefined as never);
      }
    }
    if (batch.length > 0 && !(await sendBatch(batch))) return 'failed';
    return last;
  }

  void readCursor(cursorPath).then((found) => {
    if (found === undefined) cursor.write(acked, undefined);
    else ({ seq: acked, streamSeq: ackedStreamSeq } = found);
    void catchUp();
  });

  return {
    offer(stored) {
      if (closed) return;
      if (stored.replica !== undefined && stored.replica !== options.replica) return;
      if (stored.seq > maxOffered) maxOffered = stored.seq;
      if (mode !== 'live') return;
      queue.push(stored);
      pump();
    },
    get acked() {
      return acked;
    },
    get mode() {
      return mode;
    },
    drained() {
      if (settledAll()) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    async close() {
      if (closed) return;
      closed = true;
      wake?.();
      await cursor.idle();
      for (const done of waiters.splice(0)) done();
    },
  };
}

/** The cursor file: `<log seq>` (as first written) or `<log seq> <stream seq>`. */
async function readCursor(
  path: string,
): Promise<{ seq: number; streamSeq: number | undefined } | undefined> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    const match = /^(-?\d+)(?: (\d+))?$/.exec(text);
    if (!match || Number(match[1]) < -1) return undefined;
    return {
      seq: Number(match[1]),
      streamSeq: match[2] === undefined ? undefined : Number(match[2]),
    };
  } catch {
    return undefined;
  }
}

/** Writes the latest value only, one write at a time. */
function createCursorWriter(path: string) {
  let pending: string | undefined;
  let running: Promise<void> | undefined;
  const run = async () => {
    while (pending !== undefined) {
      const value = pending;
      pending = undefined;
      await writeFile(path, value).catch(() => {});
    }
    running = undefined;
  };
  return {
    write(seq: number, streamSeq: number | undefined) {
      pending = streamSeq === undefined ? `${seq}\n` : `${seq} ${streamSeq}\n`;
      running ??= run();
    },
    idle: () => running ?? Promise.resolve(),
  };
}
