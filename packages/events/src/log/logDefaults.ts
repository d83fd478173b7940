/**
 * What the event log and the event factory apply when called without a value, keyed as the
 * config's `event_emission` section is. They equal the config schema's defaults:
 * `logDefaults.test.ts` compares the two.
 */
export const EVENT_EMISSION_DEFAULTS = {
  path: 'selfheal-events.jsonl',
  durability: 'batched',
  flush_interval_ms: 100,
  rotate_max_bytes: 0,
  rotate_max_age_seconds: 0,
  repo: 'selfheal',
} as const;
