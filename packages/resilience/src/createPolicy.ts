import type { Bulkhead } from './bulkhead.js';
import type { CircuitBreaker, CircuitBreakerOptions } from './circuitBreaker.js';
import { type Classifier, classifyError } from './classify.js';
import type { CallContext, CallInit, Operation } from './context.js';
import type { LatencyTracker } from './latencyTracker.js';
import type { Policy } from './policy.js';
import { createPolicyBreakers, refuses } from './policyBreakers.js';
import { buildLayers, policyBudget } from './policyLayers.js';
import type { RetryOptions } from './retry.js';
import type { RetryBudget } from './retryBudget.js';
import { type RuntimeOptions, resolveRuntime } from './runtime.js';

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
  /**
   * @default the {@link createCircuitBreaker} defaults: a breaker of the upstream for
   * transport failures and one per tool for the tool's own (`isolateTools`)
   */
  circuitBreaker?:
    | (Own<Omit<CircuitBreakerOptions, 'circuit' | 'tool' | 'judges'>> & {
        /**
         * Tools fail on their own: a tool's timeouts, errors and slow calls count against a
         * breaker of that tool (`server/tool`), transport failures and calls that name no tool
         * against the upstream's. `false`: one breaker counts everything. @default true
         */
        isolateTools?: boolean;
        /** With `isolateTools: false`: one breaker per tool instead of one per upstream. @default false */
        perTool?: boolean;
      })
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
  /** All breakers: calls are counted by, and refused by, `guards(tool)` of the other policy. */
  guards?: (tool?: string) => readonly CircuitBreaker[];
  /** Only the upstream's breaker (transport failures); the tool breakers are this policy's own. */
  serverBreaker?: () => CircuitBreaker | undefined;
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
  /**
   * The innermost breaker that guards calls of `tool`: the tool's own when tools are isolated
   * or per tool, else the upstream's (also for no tool); created on demand.
   */
  breaker(tool?: string): CircuitBreaker | undefined;
  /** Every breaker a call of `tool` passes, outermost (the upstream's) first. */
  guards(tool?: string): readonly CircuitBreaker[];
  /** Every breaker created so far. */
  breakers(): CircuitBreaker[];
  /** Whether calls of `tool` would be refused by an open, half-open or isolated breaker. */
  isEjected(tool?: string): boolean;
  /** The first of `guards(tool)` that is open, half-open or isolated, if any. */
  ejectedBy(tool?: string): CircuitBreaker | undefined;
  /**
   * The upstream answers again (a new session after a restart, a good check after an outage):
   * its own breaker closes at once (it judges the transport, which works again), and open
   * tool breakers half-open now, so one probe each decides instead of the rest of their open
   * time. Idempotent.
   */
  serverRecovered(): void;
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
 * By default (`isolateTools`) a tool call passes two breakers: the upstream's, which counts
 * transport failures (connection refused or lost, process exited) and every failure of calls
 * that name no tool, then the tool's own (`server/tool`), which counts its timeouts, errors and
 * slow calls. So one hung tool cannot lock out the upstream's other tools.
 *
 * @example
 * const policy = createPolicy({ serverName: 'search', sink: (e) => log.append(e) });
 * const result = await policy.execute(({ signal }) => client.callTool(args, { signal }), {
 *   meta: { method: 'tools/call', tool: 'search', toolAnnotations: { readOnlyHint: true } },
 * });
 */
export function createPolicy(options: PolicyOptions = {}): UpstreamPolicy {
  const runtime = resolveRuntime(options);
  const classify = options.classify ?? classifyError;
  const retry = options.retry === false ? undefined : (options.retry ?? {});
  const share = options.share ?? {};
  const budget = policyBudget(retry, share);
  // Whether breakers are on, decided once: the breakers, the breaker layer and the early
  // refusal all read it.
  const breakerSection =
    options.circuitBreaker === false ? undefined : (options.circuitBreaker ?? {});
  // Read once: the history may be a one-shot iterable, and every breaker folds it.
  const history = options.history ? [...options.history] : undefined;
  const breakers = createPolicyBreakers(runtime, breakerSection, classify, history, share);
  const { guards } = breakers;
  const { stack, bulkhead, hedge } = buildLayers(
    options,
    { shared: { ...runtime }, classify, retry, budget, breakerSection, guards },
    share,
  );
  // Restore the breakers the history knows (and their open → half-open timers) at once.
  breakers.restore();

  /** Refuses at once what the breaker would refuse, before any timer, slot or budget is taken. */
  function execute<T>(operation: Operation<T>, init?: CallInit | CallContext): Promise<T> {
    if (breakerSection && !init?.bypassCircuit) {
      const refusing = guards(init?.meta?.tool).find(refuses);
      if (refusing) return refusing.execute(operation, init);
    }
    return stack.execute(operation, init);
  }

  return {
    serverName: runtime.serverName,
    execute,
    budget,
    latencies: hedge?.latencies,
    bulkhead,
    breaker: breakers.breaker,
    guards,
    breakers: breakers.all,
    isEjected: (tool) => breakers.ejectedBy(tool) !== undefined,
    ejectedBy: breakers.ejectedBy,
    serverRecovered: breakers.serverRecovered,
    dispose: breakers.dispose,
  };
}
