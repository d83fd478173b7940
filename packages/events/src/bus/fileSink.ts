import type { EventLog } from '../log/eventLog.js';
import type { StoredEvent } from '../model/eventTypes.js';
import type { EventSink } from './eventBus.js';

/** Options of {@link createFileSink}. */
export interface FileSinkOptions {
  /** Names the sink in `sink_failed` events. @default 'file' */
  name?: string;
  /**
   * How long events gather before one write, ms (the sink's `batchWindowMs`): at most one
   * write per window, whatever the event rate. Events reach the file up to this much later;
   * `drain()` and `close()` of the bus write at once.
   * @default 0 (what was published in one turn, or while the previous write ran)
   */
  batchWindowMs?: number;
  /**
   * Called after each append is acknowledged under the log's durability, with the stored event
   * (its `seq` assigned). Used to measure event-log lag. A throw is reported by the bus like a
   * failed write. @default none
   */
  onAppended?: (stored: StoredEvent) => void;
}

/**
 * The JSONL file as a bus sink: each event is appended to `log` (which assigns its `seq`), and
 * the bus waits for the appends to be acknowledged before handing over more. It takes what the
 * bus has buffered as one batch, appended in one turn, so the log writes it with one system
 * call (its group commit). Closing the sink flushes the log; the log's owner closes it.
 * @param options the sink's name, or {@link FileSinkOptions}.
 */
export function createFileSink(log: EventLog, options: string | FileSinkOptions = {}): EventSink {
  const {
    name = 'file',
    batchWindowMs = 0,
    onAppended,
  } = typeof options === 'string' ? { name: options } : options;
  return {
    name,
    batchWindowMs,
    async write(event) {
      const stored = await log.append(event);
      onAppended?.(stored);
    },
    async writeBatch(events) {
      const results = await Promise.allSettled(events.map((event) => log.append(event)));
      if (onAppended) {
        for (const result of results) if (result.status === 'fulfilled') onAppended(result.value);
      }
      const failedEvents = events.filter((_, i) => results[i]!.status === 'rejected');
      if (failedEvents.length === 0) return;
      const first = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      throw Object.assign(
        first.reason instanceof Error ? first.reason : new Error(String(first.reason)),
        { failedEvents },
      );
    },
    close: () => log.flush(),
  };
}
