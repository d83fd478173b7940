import { type Bulkhead, createBulkhead } from './bulkhead.js';
import type { CircuitBreaker } from './circuitBreaker.js';
import type { Classifier } from './classify.js';
import { type CallContext, type CallInit, invoke, type Operation, toContext } from './context.js';
import type { PolicyOptions, PolicyShare } from './createPolicy.js';
import { createHedgePolicy, type HedgePolicy } from './hedge.js';
import { LIBRARY_DEFAULTS } from './libraryDefaults.js';
import { type Policy, wrap } from './policy.js';
import { type BreakerSection, refuses } from './policyBreakers.js';
import { createRetryPolicy } from './retry.js';
import { createRetryBudget, type RetryBudget } from './retryBudget.js';
import type { RuntimeOptions } from './runtime.js';
import { createTimeoutPolicy } from './timeout.js';

// Building the stack of one upstream's policy, a layer a function, apart from its breakers and
// the early refusal: each layer's options (defaults, `false`) are read here, once.

/** The `retry` section of {@link PolicyOptions}, when retries are on. */
export type RetrySection = Exclude<PolicyOptions['retry'], false | undefined>;

/** What every layer is built from. */
export interface LayerInputs {
  /** The runtime every layer shares (clock, emitter, random, server name). */
  readonly shared: RuntimeOptions;
  readonly classify: Classifier;
  readonly retry: RetrySection | undefined;
  readonly budget: RetryBudget;
  /** The `circuitBreaker` section; undefined when breakers are off (no breaker layer). */
  readonly breakerSection: BreakerSection | undefined;
  /** The breakers a call of a tool passes (none when breakers are off). */
  readonly guards: (tool?: string) => readonly CircuitBreaker[];
}

/** The stack, and the layers the policy hands out. */
export interface PolicyLayers {
  readonly stack: Policy;
  readonly bulkhead: Bulkhead | undefined;
  readonly hedge: HedgePolicy | undefined;
}

/** The upstream's retry budget: the shared one, else one of the retry section's ratio and min. */
export function policyBudget(retry: RetrySection | undefined, share: PolicyShare): RetryBudget {
  return (
    share.budget ??
    createRetryBudget({
      ...(retry?.budgetRatio !== undefined ? { ratio: retry.budgetRatio } : {}),
      ...(retry?.budgetMin !== undefined ? { min: retry.budgetMin } : {}),
    })
  );
}

/**
 * The layers, outermost first: call timeout → bulkhead → retry → hedge → breakers → attempt
 * timeout (see `createPolicy` for why this order), each left out when its option is `false`.
 */
export function buildLayers(
  options: PolicyOptions,
  inputs: LayerInputs,
  share: PolicyShare,
): PolicyLayers {
  const { shared } = inputs;
  const layers: Policy[] = [];
  if (options.timeoutMs !== false) {
    layers.push(timeoutLayer(shared, options.timeoutMs ?? LIBRARY_DEFAULTS.timeout_ms, 'call'));
  }
  const bulkhead =
    options.bulkhead === false
      ? undefined
      : (share.bulkhead ?? createBulkhead({ ...shared, ...options.bulkhead }));
  if (bulkhead) layers.push(bulkhead);
  if (inputs.retry) layers.push(retryLayer(inputs.retry, inputs));
  const hedge = options.hedge
    ? createHedgePolicy({ ...shared, ...options.hedge, budget: inputs.budget })
    : undefined;
  if (hedge) layers.push(hedge);
  if (inputs.breakerSection) layers.push(breakerLayer(inputs.guards));
  if (options.attemptTimeoutMs !== false) {
    layers.push(
      timeoutLayer(
        shared,
        options.attemptTimeoutMs ?? LIBRARY_DEFAULTS.attempt_timeout_ms,
        'attempt',
      ),
    );
  }
  return { stack: wrap(...layers), bulkhead, hedge };
}

function timeoutLayer(shared: RuntimeOptions, timeoutMs: number, scope: 'call' | 'attempt') {
  return createTimeoutPolicy({ ...shared, timeoutMs, scope });
}

/** Retries on the upstream's budget, with no backoff for a retry a breaker would refuse. */
function retryLayer(retry: RetrySection, inputs: LayerInputs): Policy {
  const { budgetRatio: _ratio, budgetMin: _min, ...rest } = retry;
  const { guards } = inputs;
  return createRetryPolicy({
    ...inputs.shared,
    classify: inputs.classify,
    ...rest,
    budget: inputs.budget,
    canRetry: (context) => !guards(context.meta.tool).some(refuses),
  });
}

/** Passes each attempt through every breaker that guards its tool, outermost first. */
function breakerLayer(guards: (tool?: string) => readonly CircuitBreaker[]): Policy {
  return {
    execute<T>(operation: Operation<T>, context?: CallInit | CallContext): Promise<T> {
      const chain = guards(context?.meta?.tool);
      const through = (index: number, next: CallInit | CallContext | undefined): Promise<T> =>
        index === chain.length
          ? invoke(operation, toContext(next))
          : chain[index]!.execute((inner) => through(index + 1, inner), next);
      return through(0, context);
    },
  };
}
