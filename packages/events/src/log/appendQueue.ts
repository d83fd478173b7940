import { EventsError, EventsErrorCode } from '../errors.js';
import type { StoredEvent } from '../model/eventTypes.js';

/** One accepted append waiting for its write: its line, and its caller's promise. */
export interface PendingAppend {
  line: string;
  stored: StoredEvent;
  resolve: (event: StoredEvent) => void;
  reject: (error: unknown) => void;
}

/**
 * The group commit of an event log: every append of one turn joins one batch (one write, and
 * one fsync under `per_event`), and batches are written one at a time, in call order. A batch
 * that fails rejects each of its appends with LOG_WRITE_FAILED; later batches still go.
 */
export interface AppendQueue {
  /** Queues an append; its batch is written a microtask later at the earliest. */
  push(append: PendingAppend): void;
  /** Resolves when nothing is being written, including what was queued meanwhile. */
  idle(): Promise<void>;
  /**
   * Runs `task` in the writer's place: after the batch being written, and with none written
   * until it ends (a rotation must not see a write while it renames the file).
   */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
}

/** Creates the {@link AppendQueue} of the log at `path`, writing each batch with `write`. */
export function createAppendQueue(
  path: string,
  write: (batch: PendingAppend[]) => Promise<void>,
): AppendQueue {
  let queue: PendingAppend[] = [];
  let draining: Promise<void> | undefined;

  const drain = async () => {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        await write(batch);
        for (const p of batch) p.resolve(p.stored);
      } catch (cause) {
        const error = new EventsError(
          EventsErrorCode.LogWriteFailed,
          `cannot write event log ${path}: ${String(cause)}`,
          { cause, data: { path } },
        );
        for (const p of batch) p.reject(error);
      }
    }
  };

  const kick = () => {
    // Started a microtask later, so that every append of the current turn joins one batch
    // (one write, one fsync under per_event).
    draining ??= Promise.resolve()
      .then(drain)
      .finally(() => {
        draining = undefined;
        if (queue.length > 0) kick();
      });
    return draining;
  };

  const idle = async () => {
    while (draining) await draining;
  };

  return {
    push(append) {
      queue.push(append);
      void kick();
    },
    idle,
    async exclusive<T>(task: () => Promise<T>): Promise<T> {
      // Wait for the writer, then take its place in the same turn (no await in between, so
      // not through idle()), so no batch is written while the task runs.
      while (draining) await draining;
      let result!: T;
      draining = (async () => {
        result = await task();
      })().finally(() => {
        draining = undefined;
        if (queue.length > 0) kick();
      });
      await draining;
      return result;
    },
  };
}
