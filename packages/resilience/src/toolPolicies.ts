import type { CircuitBreaker } from './circuitBreaker.js';
import type { CallContext, CallInit, Operation } from './context.js';
import type { UpstreamPolicy } from './createPolicy.js';

/**
 * One upstream's policy that hands each call to the policy of its tool (`meta.tool`, the
 * upstream's name for it) when `tools` has one, else to `base`. Handles answer for the whole
 * upstream: `breaker(tool)`, `guards(tool)`, `isEjected(tool)` and `ejectedBy(tool)` ask the
 * tool's policy, `breakers()` lists every breaker, `serverRecovered()` and `dispose()` reach
 * them all. The tool policies are expected to share `base`'s
 * budget (see `createPolicyFromConfig`).
 */
export function withToolPolicies(
  base: UpstreamPolicy,
  tools: ReadonlyMap<string, UpstreamPolicy>,
): UpstreamPolicy {
  const policyOf = (tool: string | undefined): UpstreamPolicy =>
    (tool === undefined ? undefined : tools.get(tool)) ?? base;
  return {
    serverName: base.serverName,
    budget: base.budget,
    latencies: base.latencies,
    bulkhead: base.bulkhead,
    execute<T>(operation: Operation<T>, init?: CallInit | CallContext): Promise<T> {
      return policyOf(init?.meta?.tool).execute(operation, init);
    },
    breaker: (tool?: string): CircuitBreaker | undefined => policyOf(tool).breaker(tool),
    guards: (tool?: string) => policyOf(tool).guards(tool),
    breakers: () => [base, ...tools.values()].flatMap((policy) => policy.breakers()),
    isEjected: (tool?: string) => policyOf(tool).isEjected(tool),
    ejectedBy: (tool?: string) => policyOf(tool).ejectedBy(tool),
    serverRecovered() {
      base.serverRecovered();
      for (const policy of tools.values()) policy.serverRecovered();
    },
    dispose() {
      base.dispose();
      for (const policy of tools.values()) policy.dispose();
    },
  };
}
