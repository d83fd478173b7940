import type { EventSink } from './eventBus.js';
import type { EventLog } from './eventLog.js';
import type { StoredEvent } from './eventTypes.js';

/** Options of {@link createFileSink}. */
export interface FileSinkOptions {
  /**
   * Called after each append is acknowledged under the log's durability, with the stored event
   * (its `seq` assigned). Used to measure event-log lag. A throw is reported by the bus like a
   * failed write. @default none
   */
  onAppended?: (stored: StoredEvent) => void;
}

/**
 * The JSONL file as a bus sink: each event is appended to `log` (which assigns its `seq`), and
 * the bus waits for the append to be acknowledged before writing the next one. Closing the
 * sink flushes the log; the log's owner closes it.
 * @param name names the sink in `sink_failed` events. @default 'file'
 */
export function createFileSink(
  log: EventLog,
  name = 'file',
  options: FileSinkOptions = {},
): EventSink {
  const { onAppended } = options;
  return {
    name,
    async write(event) {
      const stored = await log.append(event);
      onAppended?.(stored);
    },
    close: () => log.flush(),
  };
}
