import type { EventSink } from './eventBus.js';
import type { EventLog } from './eventLog.js';

/**
 * The JSONL file as a bus sink: each event is appended to `log` (which assigns its `seq`), and
 * the bus waits for the append to be acknowledged before writing the next one. Closing the
 * sink flushes the log; the log's owner closes it.
 * @param name names the sink in `sink_failed` events. @default 'file'
 */
export function createFileSink(log: EventLog, name = 'file'): EventSink {
  return {
    name,
    async write(event) {
      await log.append(event);
    },
    close: () => log.flush(),
  };
}
