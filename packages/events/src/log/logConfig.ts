import { resolve } from 'node:path';
import type { EventEmissionConfig } from '@selfheal/schemas';
import type { EventLogOptions } from './eventLog.js';
import { EVENT_EMISSION_DEFAULTS } from './logDefaults.js';

/** The `event_emission` defaults of the config schema. */
export const DEFAULT_LOG_PATH = EVENT_EMISSION_DEFAULTS.path;

/**
 * Turns the config's `event_emission` section (snake_case, seconds) into
 * {@link EventLogOptions} (camelCase, milliseconds). `path` is resolved against `baseDir`, the
 * directory of the config file. Returns `undefined` when emission is disabled
 * (`enabled: false`). Assumes the section passed the config schema.
 */
export function eventLogOptionsFromConfig(
  config: EventEmissionConfig | undefined,
  baseDir: string,
): EventLogOptions | undefined {
  const c = config ?? {};
  if (c.enabled === false) return undefined;
  return {
    path: resolve(baseDir, c.path ?? DEFAULT_LOG_PATH),
    durability: c.durability ?? EVENT_EMISSION_DEFAULTS.durability,
    flushIntervalMs: c.flush_interval_ms ?? EVENT_EMISSION_DEFAULTS.flush_interval_ms,
    rotateMaxBytes: c.rotate_max_bytes ?? EVENT_EMISSION_DEFAULTS.rotate_max_bytes,
    rotateMaxAgeMs:
      (c.rotate_max_age_seconds ?? EVENT_EMISSION_DEFAULTS.rotate_max_age_seconds) * 1000,
  };
}
