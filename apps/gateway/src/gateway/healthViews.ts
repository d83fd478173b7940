import { type HealthState, rollUpEcosystem, type TrustView, trustView } from '@selfheal/events';
import type { Clock } from '@selfheal/internal';
import type { EcosystemHealth } from '@selfheal/schemas';
import { createGatewayMetrics, type GatewayMetrics } from '../observability/gatewayMetrics.js';
import { registerUpstreamGauge } from '../observability/upstreamGauge.js';
import type { TrustGuard } from '../trust/trustGuard.js';
import { registerTrustGauges } from '../trust/trustView.js';
import type { GatewayContext } from './context.js';
import { exposedTools } from './exposedNames.js';

// What the gateway shows of its servers besides routing: the W3 roll-up and the metrics, each
// with the servers' trust beside their health (RFC 0017).

/** A server's trust now, as `/health/ecosystem` and the trust gauges show it. */
export function trustViewOf(trust: TrustGuard): (server: string) => TrustView {
  return (server) => trustView(trust.state(), server, trust.settings(server).score.neutral);
}

/** The W3 roll-up of `health`, each server's trust beside its health. */
export function ecosystemWithTrust(
  health: HealthState,
  clock: Clock,
  viewOf: (server: string) => TrustView,
): EcosystemHealth {
  const rollUp = rollUpEcosystem(health, clock.now());
  // A trust-only name is not a detail.
  return {
    ...rollUp,
    details: rollUp.details.map((d) => ({ ...d, trust: viewOf(d.server_name) })),
  };
}

/**
 * The gateway's Prometheus metrics: derived from every event on the bus, with the shown health,
 * the upstreams' and the trust gauges; label values are kept for known servers and tools.
 */
export function createMetricsOf(
  ctx: GatewayContext,
  viewOf: (server: string) => TrustView,
): GatewayMetrics {
  const { upstreams, upstreamByName, config } = ctx;
  return createGatewayMetrics({
    events$: ctx.path.bus.events$,
    health: () => ctx.path.projector.state(),
    clock: ctx.clock,
    isKnownServer: (name) => upstreamByName.has(name),
    isKnownTool: (name) => exposedTools(upstreams, config).has(name),
    extra: (registry) => {
      registerUpstreamGauge(registry, upstreams);
      registerTrustGauges(registry, () => [...upstreamByName.keys()], viewOf);
    },
  });
}
