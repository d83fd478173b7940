import { abortError } from './clock.js';
import { type CallContext, type CallInit, invoke, type Operation, toContext } from './context.js';
import { ResilienceErrorCode, rejectionError } from './errors.js';
import { LIBRARY_DEFAULTS } from './libraryDefaults.js';
import type { Policy } from './policy.js';
import { callFields, type RuntimeOptions, resolveRuntime } from './runtime.js';

/** Options of {@link createBulkhead}. */
export interface BulkheadOptions extends RuntimeOptions {
  /** Calls running at once. @default 64 */
  maxConcurrent?: number;
  /** Calls waiting for a slot; more are rejected at once. @default 256 */
  maxQueue?: number;
}

/** A bulkhead and what it holds now. */
export interface Bulkhead extends Policy {
  readonly running: number;
  readonly queued: number;
}

interface Waiter {
  start: () => void;
}

/**
 * Limits concurrent calls to one upstream: up to `maxConcurrent` run, up to `maxQueue` wait
 * in order, and the next is rejected at once with BULKHEAD_FULL (`bulkhead_rejected`).
 * A waiting call whose signal aborts (caller or deadline) leaves the queue at once.
 */
export function createBulkhead(options: BulkheadOptions = {}): Bulkhead {
  const { emitter, serverName } = resolveRuntime(options);
  const maxConcurrent = Math.max(
    1,
    options.maxConcurrent ?? LIBRARY_DEFAULTS.bulkhead.max_concurrent,
  );
  const maxQueue = Math.max(0, options.maxQueue ?? LIBRARY_DEFAULTS.bulkhead.max_queue);
  let running = 0;
  const queue: Waiter[] = [];

  const release = () => {
    const next = queue.shift();
    if (next) next.start();
    else running--;
  };

  const run = <T>(operation: Operation<T>, context: CallContext): Promise<T> => {
    const result = invoke(operation, context);
    result.then(release, release);
    return result;
  };

  function execute<T>(operation: Operation<T>, init?: CallInit | CallContext): Promise<T> {
    const context = toContext(init);
    if (context.scope.aborted) return Promise.reject(abortError(context.scope));
    if (running < maxConcurrent) {
      running++;
      return run(operation, context);
    }
    if (queue.length >= maxQueue) {
      emitter.emit(
        {
          event_type: 'bulkhead_rejected',
          server_name: serverName,
          max_concurrent: maxConcurrent,
          max_queue: maxQueue,
          ...callFields(context.meta),
        },
        context.traceId,
      );
      return Promise.reject(
        rejectionError(
          ResilienceErrorCode.BulkheadFull,
          `${serverName}: ${running} calls running and ${queue.length} waiting (max_concurrent ${maxConcurrent}, max_queue ${maxQueue}); try later or raise resilience.bulkhead`,
          { running, queued: queue.length, maxConcurrent, maxQueue },
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        // The slot passes straight from the finished call to this one: `running` stays put.
        start: () => {
          unsubscribe();
          run(operation, context).then(resolve, reject);
        },
      };
      queue.push(waiter);
      const unsubscribe = context.scope.onAbort(() => {
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
        reject(abortError(context.scope));
      });
    });
  }

  return {
    execute,
    get running() {
      return running;
    },
    get queued() {
      return queue.length;
    },
  };
}
