import { mergeDeep } from '@selfheal/internal';
import type { TrustScoreOptions, TrustSignal } from '@selfheal/resilience';
import { configDefaults, type SelfhealConfig, type TrustConfig } from '@selfheal/schemas';

/** The `trust` section of one server, every default applied (RFC 0017). */
export interface TrustSettings {
  /** Score, route by trust, quarantine. @default true */
  enabled: boolean;
  /** The score formula's options (`neutral`, `prior_weight`, `half_life_seconds`, `weights`). */
  score: TrustScoreOptions;
  /** Width of a score step: one `trust_changed` per step entered. @default 0.05 */
  step: number;
  /** A call slower than this times the server's baseline is a `slow_call`. @default 3 */
  latencyFactor: number;
  /** How much more trusted a later server of a chain must be to go first. @default 0.1 */
  routingMargin: number;
  /** Quarantined below this score; 0 never. @default 0.2 */
  quarantineBelow: number;
  /** A quarantined server's tools: hidden from lists or refused when called. @default 'refuse' */
  quarantine: 'hide' | 'refuse';
  /** Good checks in a row that end a quarantine. @default 5 */
  probationChecks: number;
  /**
   * What the client gets for a tool result that breaks the tool's outputSchema: a tool error
   * naming the server, the tool and the first schema error, or the result as it is.
   * @default 'error'
   */
  onViolation: 'error' | 'pass';
  /** Pin tool definitions. @default true */
  pinTools: boolean;
  /** Hold what nobody approved yet. @default both false */
  requireApproval: { newServers: boolean; newTools: boolean };
}

/** Every key of the `trust` section, as the config schema gives its defaults. */
type ResolvedTrustConfig = Required<Omit<TrustConfig, 'weights' | 'require_approval'>> & {
  weights: Record<TrustSignal, number>;
  require_approval: { new_servers: boolean; new_tools: boolean };
};

/** The config schema's `trust` defaults (the documented and applied cannot drift). */
function trustDefaults(): ResolvedTrustConfig {
  return configDefaults('Trust') as ResolvedTrustConfig;
}

/**
 * The trust settings of `server`: its own `trust` section over the global one, key by key
 * (`weights` and `require_approval` merged field by field), over the schema's defaults.
 */
export function resolveTrustSettings(document: SelfhealConfig, server: string): TrustSettings {
  const t = mergeDeep(
    trustDefaults(),
    document.trust,
    document.mcpServers[server]?.trust,
  ) as ResolvedTrustConfig;
  return {
    enabled: t.enabled,
    score: {
      neutral: t.neutral,
      priorWeight: t.prior_weight,
      halfLifeMs: t.half_life_seconds * 1000,
      weights: t.weights,
    },
    step: t.step,
    latencyFactor: t.latency_factor,
    routingMargin: t.routing_margin,
    quarantineBelow: t.quarantine_below,
    quarantine: t.quarantine,
    probationChecks: t.probation_checks,
    onViolation: t.on_violation,
    pinTools: t.pin_tools,
    requireApproval: {
      newServers: t.require_approval.new_servers,
      newTools: t.require_approval.new_tools,
    },
  };
}

/** Each server's {@link TrustSettings}, resolved on first use and kept until a reload. */
export interface TrustSettingsCache {
  /** The settings of `server` in the current document. */
  get(server: string): TrustSettings;
  /** Takes a reloaded config: every server's settings are resolved again on their next use. */
  reconfigure(document: SelfhealConfig): void;
}

/** A {@link TrustSettingsCache} over `document`. */
export function createTrustSettingsCache(document: SelfhealConfig): TrustSettingsCache {
  let current = document;
  const cache = new Map<string, TrustSettings>();
  return {
    get(server) {
      let s = cache.get(server);
      if (!s) {
        s = resolveTrustSettings(current, server);
        cache.set(server, s);
      }
      return s;
    },
    reconfigure(next) {
      current = next;
      cache.clear();
    },
  };
}
