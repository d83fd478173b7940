import { PROJECTED_EVENT_TYPES } from '@selfheal/events';
import type { Monitor } from '@selfheal/monitor';
import type { SelfhealEvent } from '@selfheal/schemas';
import type { UpstreamSpec } from '../config/loadConfig.js';
import type { ListMethod } from '../upstream/catalog.js';
import { unownedStream } from '../upstream/sharedCalls.js';
import { createUpstreamServer, type UpstreamServer } from '../upstream/upstreamServer.js';
import { type GatewayContext, isFleetShared, isRemote } from './context.js';

/**
 * Creates the upstream of `spec` over the monitor's session with it, wires it to the gateway
 * (its state changes and warnings to the gateway's listeners, its listings to the tool pins,
 * its list changes to every client) and enters it in `ctx.upstreamByName`. The caller places
 * it in `ctx.upstreams` (config order) and starts it.
 */
export function createUpstream(
  ctx: GatewayContext,
  monitor: Monitor,
  announce: (method: ListMethod) => void,
  spec: UpstreamSpec,
): UpstreamServer {
  const { path, emitter, trust } = ctx;
  const upstream = createUpstreamServer({
    spec,
    clock: ctx.clock,
    source: monitor.servers.get(spec.name)!,
    // In a fleet, a stdio server is this replica's own process; a remote one is the fleet's.
    health: () => (isFleetShared(spec) ? path.projector : path.local).get(spec.name),
    timeoutMs: ctx.config.gateway.requestTimeoutMs,
    maxClientSessions: ctx.config.gateway.clientSessions.maxPerServer,
  });
  upstream.on('status', (state, previous) => emitter.emit('upstream', spec.name, state, previous));
  // Each listing over the shared connection is checked against the pins (RFC 0017).
  upstream.on('catalog', (catalog) => {
    trust.filterTools(spec.name, catalog.tools);
  });
  // A list change on the shared connection is every session's news.
  upstream.on('listChanged', announce);
  warnUnattributedOnce(ctx, upstream);
  ctx.upstreamByName.set(spec.name, upstream);
  return upstream;
}

/**
 * Tells the gateway's listeners, once per method, that a server sent a request or notification
 * on its shared connection that could not be tied to one client (RFC 0010), and what to set; or
 * one on a stream no call in flight owns.
 */
function warnUnattributedOnce(ctx: GatewayContext, upstream: UpstreamServer): void {
  const name = upstream.spec.name;
  const warned = new Set<string>();
  const warnOnce = (key: string, text: () => string) => {
    if (warned.has(key)) return;
    warned.add(key);
    ctx.emitter.emit('warning', text());
  };
  upstream.shared.on('unattributed', (message, inFlight) =>
    warnOnce(
      message.method,
      () =>
        `server "${name}" sent ${message.method} on its shared connection with ${inFlight} client requests in flight, so it could not be tied to one client (${fate(message)}); set "session": "per_client" on this server if its clients need it (told once per method)`,
    ),
  );
  upstream.shared.on('strayed', (message, stream) =>
    warnOnce(
      `${stream} ${message.method}`,
      () =>
        `server "${name}" sent ${message.method} on the stream of ${unownedStream(stream)}, so no client gets it (${fate(message)}; told once per method)`,
    ),
  );
}

/** What became of a message no client could be given: a request is refused, a notification dropped. */
function fate(message: { method: string }): string {
  return message.method.startsWith('notifications/') ? 'dropped' : 'refused';
}

/**
 * Makes routing state follow the monitor: each health event of a server re-reads its projection
 * (the projection applies only those types: a call_completed per call changes nothing there);
 * in a fleet, the other replicas' events of remote servers too. Returns the end of it.
 */
export function followHealth(ctx: GatewayContext): () => void {
  const follow = (event: SelfhealEvent) => {
    if (event.server_name !== undefined && PROJECTED_EVENT_TYPES.has(event.event_type))
      ctx.upstreamByName.get(event.server_name)?.sync();
  };
  const following = ctx.path.bus.events$.subscribe(follow);
  const followingFleet = ctx.path.fromStream.subscribe((event) => {
    if (isRemote(ctx, event.server_name)) follow(event);
  });
  return () => {
    following.unsubscribe();
    followingFleet.unsubscribe();
  };
}
