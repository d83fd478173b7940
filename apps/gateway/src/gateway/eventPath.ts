import {
  createEventBus,
  createEventFactory,
  createHealthProjector,
  type EventBus,
  type EventFactory,
  type HealthProjector,
} from '@selfheal/events';
import type { Clock } from '@selfheal/internal';
import type { SelfhealEvent } from '@selfheal/schemas';
import { merge, type Observable, Subject } from 'rxjs';
import { filter } from 'rxjs/operators';
import type { FleetOptions, GatewayOptions } from '../gateway.js';
import { type AfterAnswer, createAfterAnswer } from '../session/afterAnswer.js';

/**
 * Where the gateway's events go and what folds them: the factory that builds them, the bus, the
 * queue of `call_completed` events published after their answers, and the health projections
 * (this replica's own and, in a fleet, the shared stream's). One place, so that every part
 * publishes in the order things happened and reads the same projections.
 */
export interface EventPath {
  readonly events: EventFactory;
  readonly bus: EventBus;
  /** The after-answer queue: a call's `call_completed` is deferred here (per call). */
  readonly afterAnswer: AfterAnswer;
  /**
   * Publishes any event other than a call's `call_completed`: first flushes the queue, so the
   * bus keeps the order in which things happened.
   */
  readonly publishNow: (event: SelfhealEvent) => void;
  /** This replica's own view, from its bus; routing to a stdio server reads it in a fleet. */
  readonly local: HealthProjector;
  /** The health the gateway shows: `local`, or in a fleet the fold of the shared stream. */
  readonly projector: HealthProjector;
  /** Every event of the fleet's stream, after `projector` applied it; silent on its own. */
  readonly fromStream: Observable<SelfhealEvent>;
  /** What `/health/stream` shows (see `Gateway.shown$`). */
  readonly shown$: Observable<SelfhealEvent>;
  /** Ends the projections' subscriptions (the last thing `stop()` does before metrics). */
  close(): void;
}

/**
 * Creates the event path of a gateway. The projections subscribe here, before anything else
 * subscribes or publishes, so they see every event (the bus applies each event before publish
 * returns, and the monitor reads `local`).
 */
export function createEventPath(
  options: Pick<GatewayOptions, 'events' | 'bus' | 'scheduleAfterAnswer'>,
  fleet: FleetOptions | undefined,
  repo: string,
  clock: Clock,
): EventPath {
  // Every event the gateway and its monitor build comes from typed fields the tests check
  // against the schema (RFC 0007): no schema pass per event, and so none per call either.
  const events =
    options.events ??
    createEventFactory({
      clock,
      repo,
      validate: false,
      ...(fleet === undefined ? {} : { replica: fleet.replica }),
    });
  const bus = options.bus ?? createEventBus({ events, clock });
  // A call's call_completed goes out after its answer; any other event first flushes the queue,
  // so the bus keeps the order in which things happened.
  const afterAnswer = createAfterAnswer(options.scheduleAfterAnswer);
  const publishNow = (event: SelfhealEvent) => {
    afterAnswer.flush();
    bus.publish(event);
  };
  const local = createHealthProjector();
  const localProjection = bus.events$.subscribe((event) => local.apply(event));
  const projector = fleet ? createHealthProjector() : local;
  const fromStream = new Subject<SelfhealEvent>();
  const projection = fleet?.events$.subscribe((event) => {
    projector.apply(event);
    fromStream.next(event);
  });
  // The other replicas' events join this replica's own on the live stream.
  const others$ = fromStream.pipe(filter((event) => event.replica !== fleet?.replica));
  const shown$: Observable<SelfhealEvent> = fleet ? merge(bus.events$, others$) : bus.events$;
  return {
    events,
    bus,
    afterAnswer,
    publishNow,
    local,
    projector,
    fromStream,
    shown$,
    close() {
      projection?.unsubscribe();
      localProjection.unsubscribe();
    },
  };
}
