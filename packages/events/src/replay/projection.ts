import type { SelfhealEvent } from '@selfheal/schemas';
import type { KnownEventType } from '../model/eventTypes.js';
import { initialServerHealth, projectServer, type ServerHealth } from './serverHealth.js';

/** The health of every server seen, by name: the fold of a log with {@link project}. */
export interface HealthState {
  readonly servers: Readonly<Record<string, ServerHealth>>;
}

/** The state before any event. */
export const initialHealthState: HealthState = Object.freeze({ servers: Object.freeze({}) });

/**
 * Event types the projection applies to the server they name ({@link projectServer}); every
 * other type leaves a server's state untouched (`config_reloaded`, `gateway_started` and
 * `gateway_stopped` change which servers there are, see {@link project} and the projector).
 * Not the list of types the schema knows (`KNOWN_EVENT_TYPES`): most of those change no state.
 */
export const PROJECTED_EVENT_TYPES: ReadonlySet<string> = new Set<KnownEventType>([
  'health_check_completed',
  'server_degraded',
  'server_down',
  'server_recovered',
  'recovery_started',
  'recovery_successful',
  'recovery_failed',
  'recovery_exhausted',
  'recovery_attempts_reset',
  'server_registered',
  'server_started',
  'server_disabled',
  'server_enabled',
  'server_reset',
]);

/**
 * `project(state, event) -> state`: pure and evolve-only. Applies the facts of one event to the
 * server it names (see {@link projectServer}); a server is created on its first event, and
 * leaves when a `config_reloaded` names it as removed. An event of another type, or one without
 * `server_name`, returns `state` itself (the same object), so unknown and foreign events pass
 * through. Never mutates its arguments.
 */
export function project(state: HealthState, event: SelfhealEvent): HealthState {
  if (event.event_type === 'config_reloaded') {
    // The servers it removed from the config (RFC 0019) leave the state: the roll-up no longer
    // counts them.
    const removed = namesIn(event, 'removed').filter((n) => Object.hasOwn(state.servers, n));
    if (removed.length > 0) {
      const servers = { ...state.servers };
      for (const n of removed) delete servers[n];
      return { servers };
    }
  }
  const name = event.server_name;
  if (typeof name !== 'string' || name === '' || !PROJECTED_EVENT_TYPES.has(event.event_type)) {
    return state;
  }
  const before = Object.hasOwn(state.servers, name) ? state.servers[name] : undefined;
  const after = projectServer(before ?? initialServerHealth(name, event.timestamp), event);
  if (after === before) return state;
  return { servers: { ...state.servers, [name]: after } };
}

/** Folds `events` in order, starting from `state`. */
export function projectAll(
  events: Iterable<SelfhealEvent>,
  state: HealthState = initialHealthState,
): HealthState {
  let s = state;
  for (const event of events) s = project(s, event);
  return s;
}

/**
 * The same fold as {@link project} for long replays: a server's state is still computed by
 * the pure {@link projectServer}, but servers live in a Map updated in place, so each event
 * costs O(1) instead of copying the record of all servers.
 *
 * It also knows replicas (RFC 0018): a fleet's stream holds the events of several gateways,
 * each with its own config. A `config_reloaded` is one replica's news, so it takes a server out
 * of the state only when no other replica still serves it. A replica serves the `servers` of
 * its `gateway_started` and its reloads' `added`, until its reload removes one or it stops
 * (`gateway_stopped`); a replica killed without a stop serves its servers until its next
 * start. For the log of one gateway (every event of one replica, or of none) this is exactly
 * {@link project}.
 */
export interface HealthProjector {
  apply(event: SelfhealEvent): void;
  /** A snapshot of the state so far; for one gateway's events, `projectAll` of them. */
  state(): HealthState;
  /** One server's state so far (no copy of the others); `undefined` before its first event. */
  get(serverName: string): ServerHealth | undefined;
  /**
   * Which replicas serve each server (`''` for a gateway that names none): what a projector
   * started from this one's state needs besides it, so that another replica's reload does not
   * take out a server this one still serves (the dashboard's page seeds its own from it).
   */
  serving(): ServingReplicas;
}

/** Replicas serving each server, by server name; see {@link HealthProjector}. */
export type ServingReplicas = Readonly<Record<string, readonly string[]>>;

/**
 * Creates a {@link HealthProjector}, optionally starting from `state` and, for a fleet, from
 * the `serving` replicas of the projector that state came from.
 */
export function createHealthProjector(
  state: HealthState = initialHealthState,
  serving: ServingReplicas = {},
): HealthProjector {
  const servers = new Map<string, ServerHealth>(Object.entries(state.servers));
  const replicas = createServingReplicas(serving);
  return {
    apply(event) {
      for (const removed of replicas.apply(event)) servers.delete(removed);
      const name = event.server_name;
      if (typeof name !== 'string' || name === '' || !PROJECTED_EVENT_TYPES.has(event.event_type)) {
        return;
      }
      const before = servers.get(name);
      servers.set(name, projectServer(before ?? initialServerHealth(name, event.timestamp), event));
    },
    state: () => ({ servers: Object.fromEntries(servers) }),
    get: (serverName) => servers.get(serverName),
    serving: () => replicas.state(),
  };
}

/** The names in an event's array field `key` (`servers`, `added`). */
function namesIn(event: SelfhealEvent, key: string): string[] {
  const value = (event as Record<string, unknown>)[key];
  return Array.isArray(value) ? value.filter((n): n is string => typeof n === 'string') : [];
}

/**
 * Which replicas serve each server (`''` for a gateway that names none): see
 * {@link HealthProjector}. `apply` returns the servers an event takes out of the state.
 */
function createServingReplicas(from: ServingReplicas) {
  const byServer = new Map<string, Set<string>>(
    Object.entries(from).map(([server, names]) => [server, new Set(names)]),
  );
  const serve = (server: string, replica: string) => {
    const replicas = byServer.get(server) ?? new Set<string>();
    byServer.set(server, replicas);
    replicas.add(replica);
  };
  const leaveAll = (replica: string) => {
    for (const replicas of byServer.values()) replicas.delete(replica);
  };
  return {
    state: (): ServingReplicas =>
      Object.fromEntries([...byServer].map(([server, names]) => [server, [...names]])),
    apply(event: SelfhealEvent): string[] {
      const replica = typeof event.replica === 'string' ? event.replica : '';
      switch (event.event_type) {
        case 'gateway_started':
          // A run of this replica that was killed served what it served; this run serves these.
          leaveAll(replica);
          for (const server of namesIn(event, 'servers')) serve(server, replica);
          return [];
        case 'gateway_stopped':
          leaveAll(replica);
          return [];
        case 'config_reloaded': {
          for (const server of namesIn(event, 'added')) serve(server, replica);
          const gone: string[] = [];
          for (const server of namesIn(event, 'removed')) {
            const replicas = byServer.get(server);
            replicas?.delete(replica);
            if (!replicas || replicas.size === 0) {
              byServer.delete(server);
              gone.push(server);
            }
          }
          return gone;
        }
        default:
          return [];
      }
    },
  };
}
