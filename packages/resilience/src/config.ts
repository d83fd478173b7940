import { mergeDeep } from '@selfheal/internal';
import { configDefaults, type ResilienceConfig, validate } from '@selfheal/schemas';
import { createPolicy, type PolicyOptions, type UpstreamPolicy } from './createPolicy.js';
import { ResilienceError, ResilienceErrorCode } from './errors.js';
import type { RuntimeOptions } from './runtime.js';
import { withToolPolicies } from './toolPolicies.js';

type DeepRequired<T> = { [K in keyof T]-?: T[K] extends object ? DeepRequired<T[K]> : T[K] };

/** A `resilience` config section with every default applied (per-tool sections resolved apart). */
export type ResolvedResilienceConfig = DeepRequired<Omit<ResilienceConfig, 'tools'>>;

/** The `resilience` section when nothing is configured: the schema's defaults, a new copy. */
export function resilienceDefaults(): ResolvedResilienceConfig {
  const { tools: _tools, ...rest } = configDefaults('Resilience') as ResolvedResilienceConfig & {
    tools?: unknown;
  };
  return rest;
}

/**
 * Merges `resilience` sections key by key, later ones winning (global, then per server, then
 * per tool) over the schema defaults, after checking each against the config schema. A
 * section's `tools` is not part of the result (see {@link createPolicyFromConfig}).
 * @throws ResilienceError INVALID_OPTIONS naming every bad key by its JSON pointer, e.g.
 * `/resilience/retry/max_attempts: expected ≥ 1, found 0`.
 */
export function resolveResilienceConfig(
  ...sections: (ResilienceConfig | undefined)[]
): ResolvedResilienceConfig {
  let resolved = resilienceDefaults();
  for (const full of sections) {
    if (full === undefined) continue;
    const { tools: _tools, ...section } = full;
    const result = validate('config', { mcpServers: {}, resilience: section });
    if (!result.valid) {
      throw new ResilienceError(
        ResilienceErrorCode.InvalidOptions,
        `invalid resilience config: ${result.issues.map((issue) => issue.message).join('; ')}`,
        { data: { issues: result.issues } },
      );
    }
    resolved = mergeDeep(resolved, section) as ResolvedResilienceConfig;
  }
  return resolved;
}

/**
 * Maps a resolved `resilience` section to {@link createPolicy} options (camelCase, same units);
 * `enabled: false` leaves every layer out.
 */
export function policyOptionsFromConfig(config: ResolvedResilienceConfig): PolicyOptions {
  const { retry, circuit_breaker: cb, bulkhead, hedge } = config;
  if (!config.enabled) {
    return {
      timeoutMs: false,
      attemptTimeoutMs: false,
      retry: false,
      circuitBreaker: false,
      bulkhead: false,
      hedge: false,
    };
  }
  return {
    timeoutMs: config.timeout_ms,
    attemptTimeoutMs: config.attempt_timeout_ms,
    retry: {
      maxAttempts: retry.max_attempts,
      backoff: {
        initialDelayMs: retry.initial_delay_ms,
        maxDelayMs: retry.max_delay_ms,
        jitter: retry.jitter,
      },
      budgetRatio: retry.budget_ratio,
      budgetMin: retry.budget_min,
    },
    circuitBreaker: cb.enabled
      ? {
          isolateTools: cb.isolate_tools,
          perTool: cb.per_tool,
          consecutiveFailures: cb.consecutive_failures,
          failureRateThreshold: cb.failure_rate_threshold,
          slowCallRateThreshold: cb.slow_call_rate_threshold,
          slowCallMs: cb.slow_call_ms,
          windowSize: cb.window_size,
          windowMs: cb.window_ms,
          minimumCalls: cb.minimum_calls,
          openMs: cb.open_ms,
          maxOpenMs: cb.max_open_ms,
          openJitter: cb.open_jitter,
          ejectionDecayMs: cb.ejection_decay_ms,
          halfOpenProbes: cb.half_open_probes,
          metricsOnly: cb.metrics_only,
        }
      : false,
    bulkhead: { maxConcurrent: bulkhead.max_concurrent, maxQueue: bulkhead.max_queue },
    hedge: hedge.enabled ? { percentile: hedge.percentile, minSamples: hedge.min_samples } : false,
  };
}

/**
 * The policy of one upstream from its config: `sections` are merged as in
 * {@link resolveResilienceConfig} (pass the global section, then the server's).
 *
 * Per-tool sections (`tools: { "<upstream tool name>": {...} }` in any section) give that tool
 * a policy of its own, merged global → server → tool key by key; calls whose `meta.tool` names
 * it use that policy. It always shares the server's retry budget; it shares the server's
 * breakers and bulkhead too unless its own section has a `circuit_breaker` (its tool breaker
 * `server/tool` takes those options; the server's breaker, which judges the transport, is still
 * shared) or a `bulkhead` (slots of its own) key.
 */
export function createPolicyFromConfig(
  runtime: RuntimeOptions & Pick<PolicyOptions, 'classify' | 'history'>,
  ...sections: (ResilienceConfig | undefined)[]
): UpstreamPolicy {
  const base = createPolicy({
    ...runtime,
    ...policyOptionsFromConfig(resolveResilienceConfig(...sections)),
  });
  const names = new Set(sections.flatMap((section) => Object.keys(section?.tools ?? {})));
  if (names.size === 0) return base;
  const tools = new Map<string, UpstreamPolicy>();
  for (const name of names) {
    const own = sections.map((section) => section?.tools?.[name]);
    const options = policyOptionsFromConfig(resolveResilienceConfig(...sections, ...own));
    const ownBreaker = own.some((section) => section?.circuit_breaker !== undefined);
    const ownBulkhead = own.some((section) => section?.bulkhead !== undefined);
    // An own breaker section: the tool's breaker is its own (keyed server/tool), and the
    // upstream's breaker, which judges the transport they share, stays the server's.
    const isolate = options.circuitBreaker && options.circuitBreaker.isolateTools !== false;
    tools.set(
      name,
      createPolicy({
        ...runtime,
        ...options,
        ...(ownBreaker && options.circuitBreaker && !isolate
          ? { circuitBreaker: { ...options.circuitBreaker, perTool: true } }
          : {}),
        share: {
          budget: base.budget,
          ...(!ownBreaker
            ? { guards: base.guards }
            : isolate
              ? { serverBreaker: () => base.guards()[0] }
              : {}),
          ...(ownBulkhead || !base.bulkhead ? {} : { bulkhead: base.bulkhead }),
        },
      }),
    );
  }
  return withToolPolicies(base, tools);
}
