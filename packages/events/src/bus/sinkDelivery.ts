import type { Clock } from '@selfheal/internal';
import type { SelfhealEvent } from '@selfheal/schemas';
import type { EventSink } from './eventBus.js';

/**
 * How events reach one sink: a bounded queue, written one event at a time in order (`write`),
 * or handed over in batches (`writeBatch`) after the sink's `batchWindowMs`. A synchronous
 * `write` sink is served in the publishing turn; a batch sink a microtask later at the
 * earliest, so that everything published meanwhile is one batch.
 */
export interface SinkDelivery {
  /** Events waiting. */
  readonly buffered: number;
  /** Nothing waiting and no write in flight. */
  readonly idle: boolean;
  /** Queues `event` for the sink; false (and not queued) when the buffer is full. */
  offer(event: SelfhealEvent): boolean;
  /** Resolves when idle; a batch gathering its window is handed over at once. */
  drained(): Promise<void>;
  /** Drops what waits and ends a batch window (the sink is detached). */
  clear(): void;
}

/** Creates the {@link SinkDelivery} of `sink`; `fail` is told of each event the sink failed. */
export function createSinkDelivery(
  sink: EventSink,
  bufferSize: number,
  clock: Clock,
  fail: (event: SelfhealEvent, error: unknown) => void,
): SinkDelivery {
  const queue: SelfhealEvent[] = [];
  let head = 0;
  const waiters: (() => void)[] = [];
  const windowMs = sink.batchWindowMs ?? 0;
  let hurry: (() => void) | undefined;
  // Set by drained() before a batch starts gathering: hand it over at once.
  let rush = false;
  // Set and cleared synchronously, so a synchronous sink is served in the publishing turn.
  let running = false;
  const settle = () => {
    running = false;
    rush = false;
    queue.length = 0;
    head = 0;
    for (const done of waiters.splice(0)) done();
  };

  const run = async () => {
    running = true;
    try {
      while (head < queue.length) {
        const event = queue[head]!;
        queue[head++] = undefined as unknown as SelfhealEvent;
        try {
          const pending = sink.write(event);
          // Only a promise is awaited.
          if (pending !== undefined) await pending;
        } catch (error) {
          fail(event, error);
        }
        if (head > 1024 && head * 2 > queue.length) {
          queue.splice(0, head);
          head = 0;
        }
      }
    } finally {
      settle();
    }
  };

  const gather = () => {
    if (rush) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = clock.setTimeout(() => {
        hurry = undefined;
        resolve();
      }, windowMs);
      hurry = () => {
        hurry = undefined;
        clock.clearTimeout(timer);
        resolve();
      };
    });
  };

  const runBatches = async () => {
    try {
      while (head < queue.length) {
        if (windowMs > 0) await gather();
        const batch = queue.slice(head);
        queue.length = 0;
        head = 0;
        // Cleared during the window (the sink detached): a batch has at least one event.
        if (batch.length === 0) break;
        try {
          const pending = sink.writeBatch!(batch);
          if (pending !== undefined) await pending;
        } catch (error) {
          const failed = (error as { failedEvents?: unknown } | undefined)?.failedEvents;
          for (const event of Array.isArray(failed) ? failed : batch) fail(event, error);
        }
      }
    } finally {
      settle();
    }
  };

  const kick = () => {
    if (running) return;
    if (sink.writeBatch) {
      // A batch sink starts a microtask later (or after its window), so that everything
      // published meanwhile is one batch.
      running = true;
      queueMicrotask(() => void runBatches());
    } else void run();
  };

  const delivery: SinkDelivery = {
    get buffered() {
      return queue.length - head;
    },
    get idle() {
      return !running && head >= queue.length;
    },
    offer(event) {
      if (queue.length - head >= bufferSize) return false;
      queue.push(event);
      kick();
      return true;
    },
    drained() {
      if (delivery.idle) return Promise.resolve();
      if (hurry) hurry();
      else rush = true;
      return new Promise((resolve) => waiters.push(resolve));
    },
    clear() {
      hurry?.();
      queue.length = 0;
      head = 0;
    },
  };
  return delivery;
}
