import {
  createEventFactory,
  createHealthProjector,
  EVENT_EMISSION_DEFAULTS,
  type EventFactory,
  type HealthProjector,
  type HealthState,
  initialServerHealth,
} from '@selfheal/events';
import type { Clock } from '@selfheal/internal';
import type { SelfhealEvent } from '@selfheal/schemas';
import { monitorClock } from '../clock.js';
import type { MonitorStore } from '../decider/monitorStore.js';

/** Options of {@link createMonitorStore}. */
export interface MonitorStoreOptions {
  /** Where each event goes once applied (the event bus's `publish`). */
  publish: (event: SelfhealEvent) => void;
  /** The `repo` of emitted events (the config schema's `event_emission.repo` default). @default 'selfheal' */
  repo?: string;
  /** @default monitorClock */
  clock?: Clock;
  /** Start from this state (e.g. a replayed log). @default the empty state */
  initial?: HealthState;
  /**
   * The fold to read, when the host already folds every event it publishes (the gateway folds
   * its bus, where foreign events arrive too): `publish` must apply each event to it before it
   * returns, and the store then applies nothing itself, so each event is folded once.
   * `initial` is ignored. @default a projector of the store's own
   */
  projector?: HealthProjector;
  /**
   * Builds the events. Pass one made with `validate: false`: the store only emits events the
   * monitor builds itself from typed drafts, and the tests check every one of them against
   * the event schema, so checking each again on the hot path buys nothing.
   * @default createEventFactory({ clock, repo, validate: false })
   */
  events?: EventFactory;
}

/** A {@link MonitorStore} that can also hand out the whole projected state. */
export interface ProjectedMonitorStore extends MonitorStore {
  /** The projected state of every server so far. */
  state(): HealthState;
  /**
   * Folds an event emitted elsewhere (another replica's monitor of a remote server, RFC 0018)
   * into the view, without publishing it: a replica that takes over probing goes on from the
   * fleet's state, not from its own stale one.
   */
  observe(event: SelfhealEvent): void;
}

/**
 * The monitor's store on the events package: `emit` puts the envelope on the decider's draft
 * with the host's event factory (`envelop`: ids, timestamp, repo, replica), applies it with
 * the projection (`project`, through a
 * projector) and publishes it; `view` reads the projection. The monitor's state is therefore
 * exactly the fold of what it emitted, and a replay of its log reproduces it.
 */
export function createMonitorStore(options: MonitorStoreOptions): ProjectedMonitorStore {
  const clock = options.clock ?? monitorClock;
  const events =
    options.events ??
    createEventFactory({
      clock,
      repo: options.repo ?? EVENT_EMISSION_DEFAULTS.repo,
      validate: false,
    });
  const shared = options.projector;
  const projector: HealthProjector = shared ?? createHealthProjector(options.initial);
  return {
    emit(draft, traceId) {
      const event = events.envelop(draft, traceId);
      if (shared === undefined) projector.apply(event);
      options.publish(event);
      return event;
    },
    view(serverName) {
      return (
        projector.get(serverName) ??
        initialServerHealth(serverName, new Date(clock.now()).toISOString())
      );
    },
    state: () => projector.state(),
    observe: (event) => projector.apply(event),
  };
}
