import { abortError } from './clock.js';
import {
  type CallContext,
  type CallInit,
  invoke,
  isReadOnlyCall,
  type Operation,
  toContext,
} from './context.js';
import { createLatencyTracker, type LatencyTracker } from './latencyTracker.js';
import type { Policy } from './policy.js';
import type { RetryBudget } from './retryBudget.js';
import { callFields, type RuntimeOptions, resolveRuntime } from './runtime.js';

/** Options of {@link createHedgePolicy}. */
export interface HedgeOptions extends RuntimeOptions {
  /** The hedge fires after this percentile of observed latency [percentile]. @default 0.95 */
  percentile?: number;
  /** Latencies observed before hedging starts [min_samples]. @default 20 */
  minSamples?: number;
  /** Hedges take a token of the upstream's retry budget, if given. */
  budget?: RetryBudget;
  /** Which calls may be hedged. @default isReadOnlyCall on the call's meta */
  isHedgeable?: (context: CallContext) => boolean;
  /** @default a tracker of the last 200 successful attempts */
  latencies?: LatencyTracker;
}

/** A hedge policy and the latencies it learns from. */
export interface HedgePolicy extends Policy {
  readonly latencies: LatencyTracker;
}

/**
 * Hedging for read-only calls: when an attempt has not answered after the observed
 * `percentile` latency, one extra attempt starts beside it (`hedge_fired`); the first success
 * wins and the other is aborted. The call fails only when both fail (with the first attempt's
 * error). Calls that are not read-only, or before `minSamples` latencies, are passed through.
 */
export function createHedgePolicy(options: HedgeOptions = {}): HedgePolicy {
  const { clock, emitter, serverName } = resolveRuntime(options);
  const percentile = options.percentile ?? 0.95;
  const minSamples = Math.max(1, options.minSamples ?? 20);
  const latencies = options.latencies ?? createLatencyTracker();
  const isHedgeable =
    options.isHedgeable ?? ((context: CallContext) => isReadOnlyCall(context.meta));

  const timed = <T>(operation: Operation<T>, context: CallContext): Promise<T> => {
    const start = clock.now();
    return invoke(operation, context).then((value) => {
      latencies.record(clock.now() - start);
      return value;
    });
  };

  function execute<T>(operation: Operation<T>, init?: CallInit | CallContext): Promise<T> {
    const outer = toContext(init);
    if (outer.signal.aborted) return Promise.reject(abortError(outer.signal));
    if (latencies.count < minSamples || !isHedgeable(outer)) return timed(operation, outer);
    const delay = latencies.percentile(percentile) ?? 0;
    const primary = new AbortController();
    const secondary = new AbortController();
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let pending = 1;
      let firstError: { error: unknown } | undefined;
      let releaseToken: (() => void) | undefined;
      const finish = () => {
        settled = true;
        clock.clearTimeout(timer);
        outer.signal.removeEventListener('abort', onAbort);
        releaseToken?.();
      };
      const onAbort = () => {
        if (settled) return;
        finish();
        const error = abortError(outer.signal);
        primary.abort(error);
        secondary.abort(error);
        reject(error);
      };
      const start = (other: AbortController, context: CallContext) => {
        timed(operation, context).then(
          (value) => {
            if (settled) return;
            finish();
            other.abort(new Error('the other attempt of a hedged call answered first'));
            resolve(value);
          },
          (error: unknown) => {
            if (settled) return;
            firstError ??= { error };
            if (--pending > 0) return;
            finish();
            reject(firstError.error);
          },
        );
      };
      const timer = clock.setTimeout(() => {
        if (settled) return;
        if (options.budget) {
          releaseToken = options.budget.tryAcquire();
          if (!releaseToken) return;
        }
        pending++;
        emitter.emit(
          {
            event_type: 'hedge_fired',
            server_name: serverName,
            delay_ms: delay,
            percentile,
            ...callFields(outer.meta),
          },
          outer.traceId,
        );
        start(primary, {
          ...outer,
          signal: secondary.signal,
          attempt: { number: outer.attempt.number, hedged: true },
        });
      }, delay);
      outer.signal.addEventListener('abort', onAbort, { once: true });
      start(secondary, { ...outer, signal: primary.signal });
    });
  }

  return { execute, latencies };
}
