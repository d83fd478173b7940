import type { Monitor } from '@selfheal/monitor';
import type { GatewayMetrics } from '../observability/gatewayMetrics.js';
import type { StatelessGateway } from '../stateless/statelessGateway.js';
import type { ConfigReload } from './configReload.js';
import type { GatewayContext } from './context.js';
import { checkCollisions } from './exposedNames.js';
import type { GatewayPolicies } from './gatewayPolicies.js';
import type { GatewayRun } from './gatewayRun.js';

/** What `start()` brings up and `stop()` takes down, besides the context. */
export interface GatewayParts {
  readonly ctx: GatewayContext;
  readonly run: GatewayRun;
  readonly monitor: Monitor;
  /** After the monitor starts: undoes a fleet's config disable this config no longer has. */
  readonly afterMonitorStart: () => Promise<void>;
  readonly reloads: ConfigReload;
  readonly stateless: StatelessGateway;
  readonly policies: GatewayPolicies;
  readonly metrics: GatewayMetrics;
  /**
   * The parts' own subscriptions (the degradation, the health following, the monitor's fleet
   * observer), ended on stop after the after-answer queue's last flush.
   */
  readonly unsubscribe: readonly (() => void)[];
}

/**
 * Starts a run (see `Gateway.start`): `gateway_started`, then the monitor (every stdio process,
 * every session, in parallel; started here, so sinks attached after `createGateway()` see
 * `server_registered`), then each upstream's first listing.
 */
export async function startGateway(parts: GatewayParts): Promise<void> {
  const { ctx, run } = parts;
  run.begin();
  await parts.monitor.start();
  await parts.afterMonitorStart();
  await Promise.all(ctx.upstreams.map((u) => u.start()));
  checkCollisions(ctx.upstreams, ctx.config);
  run.ready = true;
}

/**
 * Ends a run (see `Gateway.stop`): a reload under way finishes first; `gateway_stopped` goes out
 * while every sink still takes events; then sessions, upstreams, the monitor and its
 * processes stop, the queued `call_completed` events are published, and every subscription ends.
 */
export async function stopGateway(parts: GatewayParts, reason: string): Promise<void> {
  const { ctx, run } = parts;
  run.ready = false;
  await parts.reloads.close();
  run.end(reason);
  await Promise.all([...ctx.sessions].map((s) => s.close()));
  ctx.sessions.clear();
  await parts.stateless.close();
  await Promise.all(ctx.upstreams.map((u) => u.stop()));
  await parts.monitor.stop();
  parts.policies.dispose();
  ctx.path.afterAnswer.flush();
  for (const end of parts.unsubscribe) end();
  ctx.trust.close();
  ctx.path.close();
  parts.metrics.close();
}
