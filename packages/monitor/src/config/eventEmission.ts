import type { Durability } from '@selfheal/events';
import { mergeDeep } from '@selfheal/internal';
import { configDefaults, type SelfhealConfig } from '@selfheal/schemas';

/** The config's `event_emission` section with every default filled in, times in ms. */
export interface EventEmissionSettings {
  enabled: boolean;
  /** The JSONL log, as written in the config (relative to the config file). */
  path: string;
  durability: Durability;
  flushIntervalMs: number;
  rotateMaxBytes: number;
  rotateMaxAgeMs: number;
  /** The `repo` field of emitted events. */
  repo: string;
}

/**
 * Resolves `event_emission`: the schema's `default` of each key under the config's own value,
 * so the documented defaults (`repo: "selfheal"`, `durability: "batched"`, ...) are the applied
 * ones and cannot drift from them.
 */
export function resolveEventEmission(config: SelfhealConfig): EventEmissionSettings {
  const e = mergeDeep(configDefaults('EventEmission'), config.event_emission);
  return {
    enabled: e.enabled as boolean,
    path: e.path as string,
    durability: e.durability as Durability,
    flushIntervalMs: e.flush_interval_ms as number,
    rotateMaxBytes: e.rotate_max_bytes as number,
    rotateMaxAgeMs: (e.rotate_max_age_seconds as number) * 1000,
    repo: e.repo as string,
  };
}
