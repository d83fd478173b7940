import type { HealthStatus } from '@selfheal/schemas';

/** The three W3 statuses, best first. */
export const HEALTH_STATUSES: readonly HealthStatus[] = ['ok', 'degraded', 'down'];

/** Guard: one of `ok`, `degraded`, `down`. */
export function isHealthStatus(value: unknown): value is HealthStatus {
  return value === 'ok' || value === 'degraded' || value === 'down';
}

/**
 * The W3 rule for the overall status from component statuses: all ok (or none) -> `ok`;
 * any down -> `down`; otherwise `degraded`.
 */
export function overallStatus(statuses: Iterable<HealthStatus>): HealthStatus {
  let result: HealthStatus = 'ok';
  for (const status of statuses) {
    if (status === 'down') return 'down';
    if (status === 'degraded') result = 'degraded';
  }
  return result;
}

/** The HTTP status a `/health` answer carries: 200 for ok and degraded, 503 for down. */
export function httpStatusFor(status: HealthStatus): 200 | 503 {
  return status === 'down' ? 503 : 200;
}
