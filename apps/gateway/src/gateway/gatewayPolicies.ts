import type { Clock } from '@selfheal/internal';
import type { Emitter, UpstreamPolicy } from '@selfheal/resilience';
import type { LoadedConfig } from '../config/loadConfig.js';
import { createRepeatFilter } from '../observability/repeatFilter.js';
import { busEmitter, createServerPolicy, followRecovery } from '../session/serverPolicies.js';
import type { UpstreamServer } from '../upstream/upstreamServer.js';
import type { EventPath } from './eventPath.js';

/**
 * Each server's resilience policy (breaker, retry budget, ...), kept as servers come and go,
 * and the emitter the policies and routers publish through.
 */
export interface GatewayPolicies {
  /** By server name; routers read it per call, so a reload's policies apply at once. */
  readonly policies: ReadonlyMap<string, UpstreamPolicy>;
  /** Publishes the policies' and routers' events, one `fallback_used` per route a minute. */
  readonly emitter: Emitter;
  /** Creates the policy of `upstream` from `from`, reset when the server answers again. */
  add(from: LoadedConfig, upstream: UpstreamServer): void;
  /** Disposes of the policy of `name` and forgets it. */
  drop(name: string): void;
  /** Disposes of every policy and stops following the upstreams (on stop). */
  dispose(): void;
}

/** No policies yet; their events go to `path` at once (not after an answer). */
export function createGatewayPolicies(path: EventPath, clock: Clock): GatewayPolicies {
  // One fallback_used per route, tool and reason a minute: call_summary counts every one of
  // them (RFC 0009), and a failover under load would otherwise write a line per call.
  const fallbacks = createRepeatFilter({
    clock,
    kindOf: (e) =>
      e.event_type === 'fallback_used'
        ? JSON.stringify([e.from, e.to, e.tool, e.reason])
        : undefined,
  });
  const emitter = busEmitter((event) => {
    if (!fallbacks.repeats(event as Record<string, unknown>)) path.publishNow(event);
  }, path.events);
  const policies = new Map<string, UpstreamPolicy>();
  const unfollow = new Map<string, () => void>();
  return {
    policies,
    emitter,
    add(from, upstream) {
      policies.set(upstream.spec.name, createServerPolicy(from, upstream.spec, { clock, emitter }));
      unfollow.set(upstream.spec.name, followRecovery(policies, [upstream]));
    },
    drop(name) {
      unfollow.get(name)?.();
      unfollow.delete(name);
      policies.get(name)?.dispose();
      policies.delete(name);
    },
    dispose() {
      for (const policy of policies.values()) policy.dispose();
      for (const off of unfollow.values()) off();
    },
  };
}
