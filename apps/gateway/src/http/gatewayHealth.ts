import type { HealthCheckResponse } from '@selfheal/schemas';
import type { Gateway } from '../gateway.js';
import { GATEWAY_VERSION } from '../version.js';

/**
 * The gateway's own W3 `/health` body: `ok` while every upstream is up, `degraded` while some are
 * not (the gateway still serves the others; it is never `down` because of an upstream). Per-server
 * states are in `metadata.servers`.
 */
export function gatewayHealth(gateway: Gateway): HealthCheckResponse {
  const now = gateway.clock.now();
  const servers: Record<string, { status: string; since: string; error?: string }> = {};
  const notUp: string[] = [];
  for (const upstream of gateway.upstreams) {
    const { state } = upstream;
    servers[upstream.spec.name] = {
      status: state.status,
      since: new Date(state.since).toISOString(),
      ...(state.status === 'down' ? { error: state.error } : {}),
    };
    if (state.status !== 'up') notUp.push(`${upstream.spec.name} (${state.status})`);
  }
  const upstreams = notUp.length === 0 ? 'ok' : 'degraded';
  return {
    status: upstreams,
    timestamp: new Date(now).toISOString(),
    uptime_seconds: Math.max(0, Math.floor((now - gateway.startedAt) / 1000)),
    version: GATEWAY_VERSION,
    checks: { mcp: 'ok', upstreams },
    ...(notUp.length > 0
      ? {
          error: `${notUp.length} of ${gateway.upstreams.length} servers not up: ${notUp.join(', ')}`,
        }
      : {}),
    metadata: { servers },
  };
}
