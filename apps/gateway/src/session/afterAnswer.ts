import type { Transport } from '@modelcontextprotocol/server';

/**
 * Work that must happen for a call but not before its answer: its `call_completed` event and
 * everything the bus does with it (projection, metrics, spans, the call log). At one client the
 * gateway's CPU per call sits on the call's path (RFC 0006, "Measured"); work queued here runs
 * after the answer has been written, while the client reads it.
 */
export interface AfterAnswer {
  /** Queues `task`; queued tasks run in order, all of one event-loop turn in one `schedule`. */
  defer(task: () => void): void;
  /**
   * Runs every queued task now, in order. Called before publishing an event that must come
   * after them (a breaker opening after the calls that opened it), and on stop. Idempotent.
   */
  flush(): void;
}

/**
 * Creates an {@link AfterAnswer} queue. A task that throws is skipped; the tasks after it still
 * run (the bus reports its own sinks' failures; nothing here may crash the gateway).
 * @param schedule runs the queue later. @default setImmediate: after the I/O callbacks of the
 *   current turn, so after the answer's socket write, and before the next turn reads the
 *   client's socket
 */
export function createAfterAnswer(
  schedule: (run: () => void) => void = (run) => void setImmediate(run),
): AfterAnswer {
  let queue: (() => void)[] = [];
  const flush = () => {
    while (queue.length > 0) {
      const tasks = queue;
      queue = [];
      for (const task of tasks) {
        try {
          task();
        } catch {
          // Skipped: see the function comment.
        }
      }
    }
  };
  return {
    defer(task) {
      queue.push(task);
      if (queue.length === 1) schedule(flush);
    },
    flush,
  };
}

/**
 * Makes `transport` call `onAnswer` right after each response (result or error) it sends, even
 * one that failed to send: the session's transports call {@link AfterAnswer.flush} there, so a
 * call's `call_completed` is on the bus after its answer was written and before the client can
 * have read it, whichever phase of the event loop wrote it (a timeout answers from a timer,
 * before the turn's `setImmediate`). Wraps `send` on the instance; returns the transport.
 */
export function onAnswerSent<T extends Transport>(transport: T, onAnswer: () => void): T {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    const sent = send(message, options);
    if (!('id' in message && ('result' in message || 'error' in message))) return sent;
    return sent.finally(onAnswer);
  };
  return transport;
}
