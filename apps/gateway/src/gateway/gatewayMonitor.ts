import { PROJECTED_EVENT_TYPES } from '@selfheal/events';
import {
  createMonitor,
  createMonitorStore,
  createNodeSpawner,
  type Monitor,
} from '@selfheal/monitor';
import type { SelfhealEvent } from '@selfheal/schemas';
import type { GatewayOptions } from '../gateway.js';
import { createEraAdapter, ERA_PROBE_MS } from '../upstream/eraAdapter.js';
import { reportInvalidMessages } from '../upstream/invalidMessages.js';
import { notificationsFirst } from '../upstream/notificationsFirst.js';
import {
  createStatelessHttpTransport,
  statelessTargetOf,
} from '../upstream/statelessHttpTransport.js';
import { type GatewayContext, isFleetShared, isRemote } from './context.js';

/**
 * What the gateway's shared connection declares to every server (RFC 0010): sampling and
 * elicitation, which it passes to the client whose call caused them; not roots, which are one
 * client's and have no place on a connection every client shares.
 */
export const SHARED_CLIENT_CAPABILITIES = { sampling: {}, elicitation: {} };

/** The events of a shared server that every replica's monitor follows, not only its own. */
const FLEET_LIFECYCLE_EVENTS: ReadonlySet<string> = new Set(['server_disabled', 'server_enabled']);

/** The gateway's monitor, and the end of what it follows of the fleet. */
export interface GatewayMonitor {
  readonly monitor: Monitor;
  /**
   * Right after `monitor.start()`: a shared server this replica's config runs, whose last
   * disable or enable in the fleet's stream is this replica's own earlier run's config disable
   * (`operator: "config"`), is enabled (`server_enabled`, operator `config`), for the fleet too:
   * a config's disable holds for the fleet, and taking it out of that config and restarting
   * undoes it. Another replica's config disable is that replica's to undo. Only once the stream
   * has been read as far as it stood at the join (`FleetOptions.caughtUp`): from part of it,
   * the last lifecycle seen may not be the last one.
   */
  enableConfigDisabled(): Promise<void>;
  /** Stops observing the other replicas' events (on stop). */
  close(): void;
}

/**
 * Creates the in-process monitor (RFC 0007) on the gateway's event path. Its session with each
 * server is the server's shared connection (RFC 0010), so the transports it opens are the
 * gateway's: the era probe (RFC 0013), the protocol-violation report (RFC 0017). Each monitor
 * event is published once, on the gateway's bus, and folded once: the monitor reads this
 * replica's own projection; in a fleet, the stream's events of remote servers that this run
 * did not publish (the other replicas', and this replica's earlier runs') are observed into it
 * too, so a replica that takes over probing goes on from the fleet's state, and a disable or
 * enable of one told to another replica is followed as if this replica was told.
 * Nothing connects before `monitor.start()`.
 */
export function createGatewayMonitor(
  ctx: GatewayContext,
  options: Pick<GatewayOptions, 'spawner' | 'checkSlotMs' | 'fleet'>,
): GatewayMonitor {
  const { clock, path, trust, upstreamByName, specByName } = ctx;
  const fleet = options.fleet;
  // This run's own events are on its bus, folded there already; its earlier runs' are not: a
  // replica restarted after its operator disabled a shared server reads that in the stream.
  // Told apart by time: a replica's runs follow one another (one process per replica name).
  const since = clock.now();
  const foldedHere = (event: SelfhealEvent) =>
    event.replica === fleet?.replica && Date.parse(event.timestamp) >= since;
  const store = createMonitorStore({
    publish: path.publishNow,
    projector: path.local,
    events: path.events,
    clock,
  });
  const monitor = createMonitor({
    servers: ctx.config.servers,
    store,
    spawner: options.spawner ?? createNodeSpawner(),
    clock,
    keepSessions: true,
    ...(fleet?.probesRemote && {
      probeGate: (server) => !isFleetShared(server) || fleet.probesRemote!(),
    }),
    // The monitor's session with each server is the server's shared connection (RFC 0010):
    // every client's requests go over it unless a client needs a session of its own.
    session: {
      clientInfo: ctx.serverInfo,
      capabilities: SHARED_CLIENT_CAPABILITIES,
      configure: (client, server) => upstreamByName.get(server.name)?.shared.install(client),
      createTransport: (server) => {
        const spec = specByName.get(server.name)!;
        const legacy = () => ctx.factory(spec).transport;
        // A Streamable HTTP server is asked which revision it speaks (RFC 0013).
        return spec.transport === 'streamable-http'
          ? createEraAdapter(createStatelessHttpTransport(statelessTargetOf(spec)), {
              probeMs: ERA_PROBE_MS,
              onEra: (stateless) => upstreamByName.get(server.name)?.noteStateless(stateless),
              fallback: legacy,
            })
          : legacy();
      },
      // A stdio server is asked which revision it speaks before anything else (RFC 0013).
      // Messages that are not JSON-RPC are protocol violations (RFC 0017); a client's own
      // sessions are watched where they connect (connectUpstream).
      wrapTransport: (transport, server) =>
        reportInvalidMessages(
          server.transport === 'stdio'
            ? createEraAdapter(transport, {
                probeMs: ERA_PROBE_MS,
                onEra: (stateless) => upstreamByName.get(server.name)?.noteStateless(stateless),
              })
            : transport,
          (error) => trust.invalidMessage(server.name, error),
        ),
      connected: (_client, transport, server) => {
        notificationsFirst(transport);
        // After it: a notification a call's own stream carries goes to that call first.
        upstreamByName.get(server.name)?.shared.watch(transport);
      },
    },
    ...(options.checkSlotMs === undefined ? {} : { checkSlotMs: options.checkSlotMs }),
  });
  /** Each shared server's last disable or enable in the stream, whoever's and whenever. */
  const lastLifecycle = new Map<string, SelfhealEvent>();
  const observing = path.fromStream.subscribe((event) => {
    const name = event.server_name;
    // Only what changes a server's health (its calls' events do not) of a shared server.
    if (name === undefined || !PROJECTED_EVENT_TYPES.has(event.event_type)) return;
    if (!isRemote(ctx, name)) return;
    const lifecycle = FLEET_LIFECYCLE_EVENTS.has(event.event_type);
    if (lifecycle) lastLifecycle.set(name, event);
    // What this run folded already is skipped; except its own disable or enable, back from the
    // stream where it stands after another replica's that this replica folded later than its
    // own: folded again, last, so its view ends as the fleet's (concurrent operators).
    if (foldedHere(event) && (!lifecycle || inStreamOrder(name))) return;
    store.observe(event);
    // A shared server's disable or enable holds for the fleet, whoever's operator did it
    // (RFC 0018): this replica stops, or starts, watching it as if told itself.
    if (lifecycle)
      void monitor.servers
        .get(name)
        ?.followLifecycle()
        .catch((error: unknown) =>
          ctx.emitter.emit(
            'warning',
            `server "${name}": following the ${event.event_type} of replica ${event.replica}: ${(error as Error).message}`,
          ),
        );
  });
  /**
   * Whether this replica's view of `name` is disabled exactly when the fleet's is: the fleet's
   * (`projector`) folds the stream in its order; this replica's (`local`) folds its own events
   * at once and the others' as they arrive.
   */
  const inStreamOrder = (name: string) =>
    (path.projector.get(name)?.lifecycle === 'disabled') ===
    (path.local.get(name)?.lifecycle === 'disabled');
  return {
    monitor,
    async enableConfigDisabled() {
      if (!fleet || !(fleet.caughtUp?.() ?? true)) return;
      const undone = [...lastLifecycle]
        .filter(
          ([name, event]) =>
            event.event_type === 'server_disabled' &&
            event.operator === 'config' &&
            event.replica === fleet.replica &&
            ctx.config.servers.some((s) => s.name === name && !s.disabled),
        )
        .map(([name]) =>
          monitor.servers
            .get(name)
            ?.enable('config')
            .catch((error: unknown) =>
              ctx.emitter.emit(
                'warning',
                `server "${name}": enabling it again for the fleet (no longer disabled in this config): ${(error as Error).message}`,
              ),
            ),
        );
      await Promise.all(undone);
    },
    close: () => observing.unsubscribe(),
  };
}
