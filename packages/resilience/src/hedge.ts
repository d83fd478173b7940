import { LinkedScope } from './cancelScope.js';
import { abortError } from './clock.js';
import {
  type CallContext,
  type CallInit,
  deriveContext,
  invoke,
  isReadOnlyCall,
  type Operation,
  toContext,
} from './context.js';
import { createLatencyTracker, type LatencyTracker } from './latencyTracker.js';
import { LIBRARY_DEFAULTS } from './libraryDefaults.js';
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
 * wins and the other is aborted. The call fails only when both fail (with the error that came
 * first). Calls that are not read-only, or before `minSamples` latencies, are passed through.
 */
export function createHedgePolicy(options: HedgeOptions = {}): HedgePolicy {
  const { clock, emitter, serverName } = resolveRuntime(options);
  const percentile = options.percentile ?? LIBRARY_DEFAULTS.hedge.percentile;
  const minSamples = Math.max(1, options.minSamples ?? LIBRARY_DEFAULTS.hedge.min_samples);
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
    if (outer.scope.aborted) return Promise.reject(abortError(outer.scope));
    if (latencies.count < minSamples || !isHedgeable(outer)) return timed(operation, outer);
    const delay = latencies.percentile(percentile) ?? 0;
    const primary = new LinkedScope();
    const secondary = new LinkedScope();
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let pending = 1;
      let firstError: { error: unknown } | undefined;
      let releaseToken: (() => void) | undefined;
      const finish = () => {
        settled = true;
        clock.clearTimeout(timer);
        unsubscribe();
        releaseToken?.();
      };
      const start = (other: LinkedScope, context: CallContext) => {
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
        start(
          primary,
          deriveContext(outer, {
            scope: secondary,
            attempt: { number: outer.attempt.number, hedged: true },
          }),
        );
      }, delay);
      const unsubscribe = outer.scope.onAbort(() => {
        if (settled) return;
        finish();
        const error = abortError(outer.scope);
        primary.abort(error);
        secondary.abort(error);
        reject(error);
      });
      start(secondary, deriveContext(outer, { scope: primary }));
    });
  }

  return { execute, latencies };
}
