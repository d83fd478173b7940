import type { ServerHealth } from '@selfheal/events';

/**
 * Whether routing may send calls to a server whose projected status is still `down` (RFC 0008,
 * "Breakers judge the upstream"): it answers again, by a good check since (the last check saw
 * it `ok` or `degraded`), or by a session that opened after it went down (`sessionOpenedAt`,
 * epoch ms, later than `status_since`: after a restart, `initialize` was answered). The health
 * status keeps its W3 thresholds (`server_recovered` after `success_threshold` good checks);
 * routing does not wait for them. Never for a server an operator or exhausted recovery holds
 * (`disabled`, `failed`, `requires_manual`).
 */
export function answersAgain(health: ServerHealth, sessionOpenedAt: number | undefined): boolean {
  if (health.lifecycle === 'disabled' || health.lifecycle === 'failed' || health.requires_manual)
    return false;
  if (health.last_check_status === 'ok' || health.last_check_status === 'degraded') return true;
  const downSince = health.status_since ? Date.parse(health.status_since) : Number.NaN;
  return sessionOpenedAt !== undefined && Number.isFinite(downSince) && sessionOpenedAt > downSince;
}
