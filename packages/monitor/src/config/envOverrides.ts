import { MonitorError, MonitorErrorCode } from '../errors.js';

/** The environment variables that override the global `health_check` section. */
export const HEALTH_ENV_OVERRIDES = {
  SELFHEAL_HEALTH_INTERVAL: { key: 'interval_seconds', kind: 'seconds' },
  SELFHEAL_HEALTH_TIMEOUT: { key: 'timeout_seconds', kind: 'seconds' },
  SELFHEAL_FAILURE_THRESHOLD: { key: 'failure_threshold', kind: 'count' },
  SELFHEAL_SUCCESS_THRESHOLD: { key: 'success_threshold', kind: 'count' },
} as const;

/**
 * Reads the `SELFHEAL_*` health overrides from `env` into a partial `health_check` section.
 * Unset or empty variables are ignored. Seconds must be numbers > 0, thresholds integers ≥ 1.
 * @throws MonitorError ENV_INVALID naming the variable, what it expects and what it holds.
 */
export function healthEnvOverrides(
  env: Record<string, string | undefined>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, { key, kind }] of Object.entries(HEALTH_ENV_OVERRIDES)) {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    const ok =
      kind === 'seconds'
        ? Number.isFinite(value) && value > 0
        : Number.isInteger(value) && value >= 1;
    if (!ok) {
      const expected = kind === 'seconds' ? 'a number of seconds > 0' : 'an integer >= 1';
      throw new MonitorError(
        MonitorErrorCode.EnvInvalid,
        `environment variable ${name} (overrides health_check.${key}): expected ${expected}, found ${JSON.stringify(raw)}`,
        { data: { variable: name, value: raw } },
      );
    }
    out[key] = value;
  }
  return out;
}
