import { type Bulkhead, createBulkhead } from './bulkhead.js';
import {
  type CircuitBreaker,
  type CircuitBreakerOptions,
  createCircuitBreaker,
} from './circuitBreaker.js';
import { type Classifier, classifyError } from './classify.js';
import { type CallContext, type CallInit, invoke, type Operation, toContext } from './context.js';
import { createHedgePolicy } from './hedge.js';
import type { LatencyTracker } from './latencyTracker.js';
import { LIBRARY_DEFAULTS } from './libraryDefaults.js';
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
  const isolate = breakerOptions?.isolateTools !== false;
  const perTool = breakerOptions?.perTool === true;
  const breakerMap = new Map<string, CircuitBreaker>();
  // Read once: the history may be a one-shot iterable, and every breaker folds it.
  const history = options.history ? [...options.history] : undefined;

  const make = (tool: string | undefined): CircuitBreaker => {
    const key = tool === undefined ? runtime.serverName : `${runtime.serverName}/${tool}`;
    let breaker = breakerMap.get(key);
    if (!breaker) {
      const { perTool: _perTool, isolateTools: _isolate, ...rest } = breakerOptions!;
      breaker = createCircuitBreaker({
        ...shared,
        ...rest,
        classify,
        circuit: key,
        judges: !isolate ? 'all' : tool === undefined ? 'server' : 'tool',
        ...(tool !== undefined ? { tool } : {}),
        ...(history ? { history } : {}),
      });
      breakerMap.set(key, breaker);
    }
    return breaker;
  };
  const serverBreaker = (): CircuitBreaker | undefined =>
    share.serverBreaker ? share.serverBreaker() : make(undefined);
  const ownGuards = (tool: string | undefined): readonly CircuitBreaker[] => {
    if (!breakerOptions) return [];
    if (tool === undefined || (!isolate && !perTool)) {
      const server = serverBreaker();
      return server ? [server] : [];
    }
    if (!isolate) return [make(tool)];
    const server = serverBreaker();
    return server ? [server, make(tool)] : [make(tool)];
  };
  const guards = share.guards && breakerOptions ? share.guards : ownGuards;
  const breakerFor = (tool: string | undefined): CircuitBreaker | undefined => guards(tool).at(-1);
  const ejectedBy = (tool: string | undefined) => guards(tool).find((b) => b.isEjected());
  const refuses = (breaker: CircuitBreaker) => {
    const mode = breaker.state().mode;
    return mode === 'open' || mode === 'isolated';
  };

  const layers: Policy[] = [];
  if (options.timeoutMs !== false) {
    layers.push(
      createTimeoutPolicy({
        ...shared,
        timeoutMs: options.timeoutMs ?? LIBRARY_DEFAULTS.timeout_ms,
        scope: 'call',
      }),
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
        canRetry: (context) => !guards(context.meta.tool).some(refuses),
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
        const chain = guards(context?.meta?.tool);
        const through = (index: number, next: CallInit | CallContext | undefined): Promise<T> =>
          index === chain.length
            ? invoke(operation, toContext(next))
            : chain[index]!.execute((inner) => through(index + 1, inner), next);
        return through(0, context);
      },
    });
  }
  if (options.attemptTimeoutMs !== false) {
    layers.push(
      createTimeoutPolicy({
        ...shared,
        timeoutMs: options.attemptTimeoutMs ?? LIBRARY_DEFAULTS.attempt_timeout_ms,
        scope: 'attempt',
      }),
    );
  }
  const stack = wrap(...layers);
  // Restore the breakers the history knows (and their open → half-open timers) at once.
  if (breakerOptions && !share.guards) {
    if (isolate || !perTool) serverBreaker();
    if ((isolate || perTool) && history) {
      const prefix = `${runtime.serverName}/`;
      for (const event of history) {
        if (typeof event.circuit === 'string' && event.circuit.startsWith(prefix)) {
          make(event.circuit.slice(prefix.length));
        }
      }
    }
  }

  /** Refuses at once what the breaker would refuse, before any timer, slot or budget is taken. */
  function execute<T>(operation: Operation<T>, init?: CallInit | CallContext): Promise<T> {
    if (breakerOptions && !init?.bypassCircuit) {
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
    breaker: breakerFor,
    guards,
    breakers: () => [...breakerMap.values()],
    isEjected: (tool) => ejectedBy(tool) !== undefined,
    ejectedBy,
    serverRecovered() {
      for (const [key, breaker] of breakerMap) {
        // The upstream's own breaker judges the transport, which answers again: it closes.
        // A breaker that also counts tools' failures may have opened on a tool: a probe decides.
        if (key === runtime.serverName && isolate) breaker.reset();
        else breaker.halfOpenNow();
      }
    },
    dispose() {
      for (const breaker of breakerMap.values()) breaker.dispose();
    },
  };
}
