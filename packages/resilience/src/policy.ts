import { type CallContext, type CallInit, type Operation, toContext } from './context.js';

/** Anything that runs an operation under some protection. Policies nest with {@link wrap}. */
export interface Policy {
  /** Runs `operation` under this policy. `init` may be a caller's init or an outer context. */
  execute<T>(operation: Operation<T>, init?: CallInit | CallContext): Promise<T>;
}

/**
 * Composes policies, outermost first: `wrap(timeout, retry, breaker).execute(fn)` runs
 * `timeout(retry(breaker(fn)))`. Each policy sees the context the one outside it passes in.
 */
export function wrap(...policies: Policy[]): Policy {
  return {
    execute<T>(operation: Operation<T>, init?: CallInit | CallContext): Promise<T> {
      const run = (index: number, context: CallContext): Promise<T> => {
        const policy = policies[index];
        if (!policy) return operation(context);
        return policy.execute((inner) => run(index + 1, inner), context);
      };
      return run(0, toContext(init));
    },
  };
}
