import type { Clock } from '@selfheal/internal';
import { readLog } from '../log/logReader.js';
import { listSegments } from '../log/logSegments.js';
import type { StoredEvent } from '../model/eventTypes.js';
import type { BatchSender, ForwarderState } from './batchSender.js';
import type { NatsLink } from './natsLink.js';
import { storedIdsAfter } from './streamReader.js';

/** What a catch-up works with besides the shared state. */
export interface SpoolCatchUpParts {
  /** The connection (or its promise: the catch-up waits for it). */
  link: NatsLink | Promise<NatsLink>;
  replica: string;
  logPath: string;
  retryMs: number;
  maxInFlight: number;
  clock: Clock;
  onError: ((error: unknown) => void) | undefined;
  sendBatch: BatchSender;
  /** After the catch-up ended (live again, or closed). */
  onEnded(): void;
}

/**
 * The forwarder's way back from an outage: while in `spool` mode, it waits for NATS, finds
 * what the stream holds after the cursor, re-sends the log from the cursor on, and switches
 * to `live` once it has caught up. Each failure waits `retryMs` and starts a new pass.
 */
export interface SpoolCatchUp {
  /** Runs a catch-up unless one runs or the forwarder is closed. */
  run(): Promise<void>;
  /** Ends a wait between passes at once (the forwarder closes). */
  wake(): void;
}

/** Creates the {@link SpoolCatchUp} of `state`. */
export function createSpoolCatchUp(state: ForwarderState, parts: SpoolCatchUpParts): SpoolCatchUp {
  const { clock, retryMs } = parts;
  let catching = false;
  let wake: (() => void) | undefined;

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

  /** Reads the log from the cursor and re-sends, until caught up; then goes live. */
  async function run(): Promise<void> {
    if (catching || state.closed) return;
    catching = true;
    try {
      state.link ??= await parts.link;
      const link = state.link;
      state.subject = `${link.subject}.${parts.replica}`;
      while (!state.closed) {
        if (!link.up) {
          await sleep(retryMs);
          continue;
        }
        const target = state.maxOffered;
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
        if (state.maxOffered <= Math.max(read, target) && state.acked >= state.maxOffered) {
          state.mode = 'live';
          state.inStream = new Set();
          break;
        }
      }
    } finally {
      catching = false;
    }
    parts.onEnded();
  }

  /**
   * Finds which of this replica's messages the stream stored after the cursor's: a batch
   * acknowledged just before a kill, before the cursor said so, or publishes the client buffered
   * through an outage and delivered late. Past the duplicate window the stream would store
   * those again. False when NATS did not answer.
   */
  async function findInStream(): Promise<boolean> {
    if (state.ackedStreamSeq === undefined) return true; // A cursor without it: the window decides.
    try {
      state.inStream = await storedIdsAfter(state.link!, state.subject, state.ackedStreamSeq);
      return true;
    } catch (error) {
      parts.onError?.(error);
      return false;
    }
  }

  /** One pass over the log after the cursor; the last seq sent, or 'failed'. */
  async function sendFromFile(): Promise<number | 'failed'> {
    let last = state.acked;
    for await (const batch of readSpool(
      parts.logPath,
      state.acked,
      parts.replica,
      parts.maxInFlight,
    )) {
      if (!(await parts.sendBatch(batch))) return 'failed';
      last = batch.at(-1)!.seq;
    }
    return last;
  }

  return {
    run,
    wake() {
      wake?.();
    },
  };
}

/**
 * The events of `replica` (or of no replica) after `afterSeq` in the log at `logPath`, its
 * rotated segments first, in log order, in batches of at most `batchSize`. A file that cannot
 * be read (the active file before its first event) holds nothing.
 */
async function* readSpool(
  logPath: string,
  afterSeq: number,
  replica: string,
  batchSize: number,
): AsyncGenerator<StoredEvent[]> {
  const segments = await listSegments(logPath).catch(() => []);
  const files = [...segments.filter((s) => s.lastSeq > afterSeq).map((s) => s.path), logPath];
  let batch: StoredEvent[] = [];
  let last = afterSeq;
  for (const file of files) {
    const reader = readLog(file, { fields: 'all' });
    try {
      for (;;) {
        const next = await reader.next().catch(() => undefined);
        if (next === undefined) break; // A missing file (no event yet) holds nothing to send.
        if (next.done) break;
        for (const { event } of next.value) {
          const seq = (event as StoredEvent).seq;
          if (typeof seq !== 'number' || seq <= last) continue;
          if (event.replica !== undefined && event.replica !== replica) continue;
          batch.push(event as StoredEvent);
          last = seq;
          if (batch.length >= batchSize) {
            yield batch;
            batch = [];
          }
        }
      }
    } finally {
      await reader.return(undefined as never);
    }
  }
  if (batch.length > 0) yield batch;
}
