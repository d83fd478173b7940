import type { EcosystemHealth, ServerHealthDetail } from '@selfheal/schemas';
import type { HealthState } from './projection.js';
import type { ServerHealth } from './serverHealth.js';

/**
 * The W3 roll-up over every server, the body of `GET /health/ecosystem` (valid against the
 * `ecosystem-health` schema): any server down -> `degraded`; more than half of the servers
 * degraded -> `degraded`; else `ok`. Servers whose status is still `unknown` count in `total`
 * only (and in the extra `unknown` count). `now` is epoch milliseconds for `timestamp`.
 */
export function rollUpEcosystem(state: HealthState, now: number): EcosystemHealth {
  const servers = Object.values(state.servers).sort((a, b) =>
    a.server_name < b.server_name ? -1 : a.server_name > b.server_name ? 1 : 0,
  );
  let healthy = 0;
  let degraded = 0;
  let down = 0;
  let unknown = 0;
  for (const server of servers) {
    if (server.status === 'ok') healthy++;
    else if (server.status === 'degraded') degraded++;
    else if (server.status === 'down') down++;
    else unknown++;
  }
  const total = servers.length;
  const status = down > 0 || degraded * 2 > total ? 'degraded' : 'ok';
  return {
    status,
    timestamp: new Date(now).toISOString(),
    servers: { total, healthy, degraded, down, unknown },
    details: servers.map(toDetail),
  };
}

function toDetail(server: ServerHealth): ServerHealthDetail {
  const detail: ServerHealthDetail = {
    server_name: server.server_name,
    status: server.status,
    lifecycle: server.lifecycle,
    consecutive_failures: server.consecutive_failures,
    recovery_attempts: server.recovery_attempts,
    requires_manual: server.requires_manual,
  };
  if (server.last_check !== undefined) detail.last_check = server.last_check;
  if (server.response_time_ms !== undefined) detail.response_time_ms = server.response_time_ms;
  if (server.error !== undefined) detail.error = server.error;
  return detail;
}
