import type { SelfhealEvent } from '@selfheal/schemas';
import { KNOWN_EVENT_TYPES } from './knownEventTypes.js';
import { initialServerHealth, projectServer, type ServerHealth } from './serverHealth.js';

/** The health of every server seen, by name: the fold of a log with {@link project}. */
export interface HealthState {
  readonly servers: Readonly<Record<string, ServerHealth>>;
}

/** The state before any event. */
export const initialHealthState: HealthState = Object.freeze({ servers: Object.freeze({}) });

/** Event types the projection applies; every other type leaves the state untouched. */
export const PROJECTED_EVENT_TYPES: ReadonlySet<string> = new Set(
  KNOWN_EVENT_TYPES.filter(
    (type) => type !== 'sink_failed' && type !== 'gateway_started' && type !== 'gateway_stopped',
  ),
);

/**
 * The servers a `config_reloaded` event removed from the config (RFC 0019): they leave the
 * state, so the roll-up no longer counts them. Empty for any other event.
 */
function removedBy(event: SelfhealEvent): string[] {
  if (event.event_type !== 'config_reloaded') return [];
  const removed = (event as { removed?: unknown }).removed;
  return Array.isArray(removed) ? removed.filter((n): n is string => typeof n === 'string') : [];
}

/**
 * `project(state, event) -> state`: pure and evolve-only. Applies the facts of one event to the
 * server it names (see {@link projectServer}); a server is created on its first event, and
 * leaves when a `config_reloaded` names it as removed. An event of another type, or one without
 * `server_name`, returns `state` itself (the same object), so unknown and foreign events pass
 * through. Never mutates its arguments.
 */
export function project(state: HealthState, event: SelfhealEvent): HealthState {
  const removed = removedBy(event).filter((n) => Object.hasOwn(state.servers, n));
  if (removed.length > 0) {
    const servers = { ...state.servers };
    for (const n of removed) delete servers[n];
    return { servers };
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
 */
export interface HealthProjector {
  apply(event: SelfhealEvent): void;
  /** A snapshot of the state so far, equal to `projectAll` of the events applied. */
  state(): HealthState;
  /** One server's state so far (no copy of the others); `undefined` before its first event. */
  get(serverName: string): ServerHealth | undefined;
}

/** Creates a {@link HealthProjector}, optionally starting from `state`. */
export function createHealthProjector(state: HealthState = initialHealthState): HealthProjector {
  const servers = new Map<string, ServerHealth>(Object.entries(state.servers));
  return {
    apply(event) {
      for (const removed of removedBy(event)) servers.delete(removed);
      const name = event.server_name;
      if (typeof name !== 'string' || name === '' || !PROJECTED_EVENT_TYPES.has(event.event_type)) {
        return;
      }
      const before = servers.get(name);
      servers.set(name, projectServer(before ?? initialServerHealth(name, event.timestamp), event));
    },
    state: () => ({ servers: Object.fromEntries(servers) }),
    get: (serverName) => servers.get(serverName),
  };
}
