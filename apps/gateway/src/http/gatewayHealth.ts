import {
  type ComponentResult,
  createHealthEndpoint,
  type HealthEndpoint,
} from '@selfheal/health-endpoint';
import type { Gateway } from '../gateway.js';
import { GATEWAY_VERSION } from '../version.js';

/**
 * The gateway's own W3 `/health` (via `@selfheal/health-endpoint`): component `mcp` (the
 * gateway serves) and `upstreams`, `ok` while every upstream is up and `degraded` while some are
 * not, naming them. An upstream never makes the gateway `down`: it still serves the others.
 * `uptime_seconds` counts from the process start.
 */
export function createGatewayHealth(gateway: Gateway): HealthEndpoint {
  return createHealthEndpoint({
    version: GATEWAY_VERSION,
    clock: { now: () => gateway.clock.now() },
    checks: {
      mcp: () => 'ok',
      upstreams: () => upstreamsCheck(gateway),
    },
  });
}

/** `ok` when every upstream is up, else `degraded` with each one that is not and why. */
export function upstreamsCheck(gateway: Gateway): ComponentResult {
  const notUp = gateway.upstreams
    .filter((u) => u.state.status !== 'up')
    .map((u) => {
      const { state } = u;
      const since = new Date(state.since).toISOString();
      return state.status === 'down'
        ? `${u.spec.name} down since ${since} (${state.error})`
        : `${u.spec.name} ${state.status} since ${since}`;
    });
  if (notUp.length === 0) return { status: 'ok' };
  return {
    status: 'degraded',
    error: `${notUp.length} of ${gateway.upstreams.length} servers not up: ${notUp.join(', ')}`,
  };
}
