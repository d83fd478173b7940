import { type Bulkhead, createBulkhead } from './bulkhead.js';
import {
  type CircuitBreaker,
  type CircuitBreakerOptions,
  createCircuitBreaker,
} from './circuitBreaker.js';
import { type Classifier, classifyError } from './classify.js';
import type { CallContext, CallInit, Operation } from './context.js';
import { createHedgePolicy } from './hedge.js';
import type { LatencyTracker } from './latencyTracker.js';
import { type Policy, wrap } from './policy.js';
import { createRetryPolicy, type RetryOptions } from './retry.js';
import { createRetryBudget, type RetryBudget } from './retryBudget.js';
import { type RuntimeOptions, resolveRuntime } from './runtime.js';
import { createTimeoutPolicy } from './timeout.js';

type Own<T> = Omit<T, keyof RuntimeOptions>;

/** Options of {@link createPolicy}: one upstream's whole stack. `false` leaves a layer out. */
export interface PolicyOptions extends RuntimeOptions {
  /** Deadline of a whole call, retries and queueing included, ms. @default 30000 */
  timeoutMs?: number | false;
  /** Deadline of one attempt, ms. @default 10000 */
  attemptTimeoutMs?: number | false;
  /** @default 3 attempts, full jitter from 100 ms to 5 s, budget max(3, 20% of active calls) */
  retry?:
    | (Own<Omit<RetryOptions, 'budget' | 'canRetry'>> & {
        budgetRatio?: number;
        budgetMin?: number;
      })
    | false;
  /** @default the {@link createCircuitBreaker} defaults, one breaker per upstream */
  circuitBreaker?:
    | (Own<Omit<CircuitBreakerOptions, 'circuit' | 'tool'>> & { perTool?: boolean })
    | false;
  /** @default 64 running, 256 queued */
  bulkhead?: { maxConcurrent?: number; maxQueue?: number } | false;
  /** Hedging of read-only calls. @default false */
  hedge?: { percentile?: number; minSamples?: number } | false;
  /** Shared by retry and breaker. @default classifyError */
  classify?: Classifier;
  /** Circuit events to restore breakers from (e.g. the log read at start-up). */
  history?: Iterable<{ event_type: string; circuit?: unknown }>;
  /**
   * Parts taken from another policy of the same upstream instead of built here (a tool's
   * policy shares its server's budget, and its breaker and bulkhead unless it has its own).
   * @default nothing shared
   */
  share?: PolicyShare;
}

/** What a policy may share with another policy of the same upstream. */
export interface PolicyShare {
  /** The retry budget (retries and hedges of both count against one limit). */
  budget?: RetryBudget;
  /** The breakers: calls are counted by, and refused by, `breaker(tool)` of the other policy. */
  breaker?: (tool?: string) => CircuitBreaker | undefined;
  /** One bulkhead, so both policies' calls take slots from the same pool. */
  bulkhead?: Bulkhead;
}

/** The policy of one upstream, with handles on its parts. */
export interface UpstreamPolicy extends Policy {
  readonly serverName: string;
  /** The upstream's retry budget (hedges draw on it too). */
  readonly budget: RetryBudget;
  /** Observed latencies, when hedging is on. */
  readonly latencies: LatencyTracker | undefined;
  /** The bulkhead, unless disabled. */
  readonly bulkhead: Bulkhead | undefined;
  /** The breaker that guards calls of `tool` (the upstream's, unless per tool); created on demand. */
  breaker(tool?: string): CircuitBreaker | undefined;
  /** Every breaker created so far. */
  breakers(): CircuitBreaker[];
  /** Whether calls of `tool` would be refused by an open, half-open or isolated breaker. */
  isEjected(tool?: string): boolean;
  /** Stops the breakers' timers. */
  dispose(): void;
}

/**
 * One upstream's policy stack, outermost first: call timeout → bulkhead → retry (with the
 * upstream's budget) → hedge (read-only calls) → circuit breaker (per upstream or per tool)
 * → attempt timeout → the call. So the deadline bounds queueing and backoff, one bulkhead slot
 * covers all attempts of a call, every attempt (hedges too) passes the breaker and is counted,
 * and an open breaker stops the retries at once. All layers share the clock and the sink.
 *
 * @example
 * const policy = createPolicy({ serverName: 'search', sink: (e) => log.append(e) });
 * const result = await policy.execute(({ signal }) => client.callTool(args, { signal }), {
 *   meta: { method: 'tools/call', tool: 'search', toolAnnotations: { readOnlyHint: true } },
 * });
 */
export function createPolicy(options: PolicyOptions = {}): UpstreamPolicy {
  const runtime = resolveRuntime(options);
  const shared: RuntimeOptions = { ...runtime };
  const classify = options.classify ?? classifyError;
  const retryOptions = options.retry === false ? undefined : (options.retry ?? {});
  const share = options.share ?? {};
  const budget =
    share.budget ??
    createRetryBudget({
      ...(retryOptions?.budgetRatio !== undefined ? { ratio: retryOptions.budgetRatio } : {}),
      ...(retryOptions?.budgetMin !== undefined ? { min: retryOptions.budgetMin } : {}),
    });
  const breakerOptions =
    options.circuitBreaker === false ? undefined : (options.circuitBreaker ?? {});
  const perTool = breakerOptions?.perTool === true;
  const breakerMap = new Map<string, CircuitBreaker>();
  // Read once: the history may be a one-shot iterable, and every breaker folds it.
  const history = options.history ? [...options.history] : undefined;

  const ownBreakerFor = (tool: string | undefined): CircuitBreaker | undefined => {
    if (!breakerOptions) return undefined;
    const key =
      perTool && tool !== undefined ? `${runtime.serverName}/${tool}` : runtime.serverName;
    let breaker = breakerMap.get(key);
    if (!breaker) {
      const { perTool: _perTool, ...rest } = breakerOptions;
      breaker = createCircuitBreaker({
        ...shared,
        ...rest,
        classify,
        circuit: key,
        ...(perTool && tool !== undefined ? { tool } : {}),
        ...(history ? { history } : {}),
      });
      breakerMap.set(key, breaker);
    }
    return breaker;
  };
  const sharedBreaker = share.breaker;
  const breakerFor = sharedBreaker && breakerOptions ? sharedBreaker : ownBreakerFor;

  const layers: Policy[] = [];
  if (options.timeoutMs !== false) {
    layers.push(
      createTimeoutPolicy({ ...shared, timeoutMs: options.timeoutMs ?? 30000, scope: 'call' }),
    );
  }
  const bulkhead =
    options.bulkhead === false
      ? undefined
      : (share.bulkhead ?? createBulkhead({ ...shared, ...options.bulkhead }));
  if (bulkhead) layers.push(bulkhead);
  if (retryOptions) {
    const { budgetRatio: _ratio, budgetMin: _min, ...rest } = retryOptions;
    layers.push(
      createRetryPolicy({
        ...shared,
        classify,
        ...rest,
        budget,
        // No backoff for a retry the breaker would refuse.
        canRetry: (context) => {
          const mode = breakerFor(context.meta.tool)?.state().mode;
          return mode !== 'open' && mode !== 'isolated';
        },
      }),
    );
  }
  const hedge = options.hedge
    ? createHedgePolicy({ ...shared, ...options.hedge, budget })
    : undefined;
  if (hedge) layers.push(hedge);
  if (breakerOptions) {
    layers.push({
      execute<T>(operation: Operation<T>, context?: CallInit | CallContext): Promise<T> {
        return breakerFor(context?.meta?.tool)!.execute(operation, context);
      },
    });
  }
  if (options.attemptTimeoutMs !== false) {
    layers.push(
      createTimeoutPolicy({
        ...shared,
        timeoutMs: options.attemptTimeoutMs ?? 10000,
        scope: 'attempt',
      }),
    );
  }
  const stack = wrap(...layers);
  // Restore the breakers the history knows (and their open → half-open timers) at once.
  if (breakerOptions && !perTool && !sharedBreaker) breakerFor(undefined);
  if (breakerOptions && perTool && history && !sharedBreaker) {
    const prefix = `${runtime.serverName}/`;
    for (const event of history) {
      if (typeof event.circuit === 'string' && event.circuit.startsWith(prefix)) {
        breakerFor(event.circuit.slice(prefix.length));
      }
    }
  }

  /** Refuses at once what the breaker would refuse, before any timer, slot or budget is taken. */
  function execute<T>(operation: Operation<T>, init?: CallInit | CallContext): Promise<T> {
    if (breakerOptions && !init?.bypassCircuit) {
      const breaker = breakerFor(init?.meta?.tool)!;
      const mode = breaker.state().mode;
      if (mode === 'open' || mode === 'isolated') return breaker.execute(operation, init);
    }
    return stack.execute(operation, init);
  }

  return {
    serverName: runtime.serverName,
    execute,
    budget,
    latencies: hedge?.latencies,
    bulkhead,
    breaker: breakerFor,
    breakers: () => [...breakerMap.values()],
    isEjected: (tool) => breakerFor(tool)?.isEjected() ?? false,
    dispose() {
      for (const breaker of breakerMap.values()) breaker.dispose();
    },
  };
}
