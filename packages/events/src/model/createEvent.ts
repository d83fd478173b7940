import type { Clock } from '@selfheal/internal';
import { systemClock } from '@selfheal/internal';
import { type SelfhealEvent, validate } from '@selfheal/schemas';
import { EventsError, EventsErrorCode } from '../errors.js';
import { EVENT_EMISSION_DEFAULTS } from '../log/logDefaults.js';
import { createEventIdGenerator } from './eventId.js';
import type { EventFieldsByType, EventOf, KnownEventType } from './eventTypes.js';

/** Options of {@link createEventFactory}. */
export interface EventFactoryOptions {
  /**
   * Gives `timestamp` and the time part of `event_id`.
   * @default systemClock
   */
  clock?: Pick<Clock, 'now'>;
  /**
   * The `repo` field: the emitting component.
   * @default 'selfheal'
   */
  repo?: string;
  /**
   * The `replica` field: which gateway replica emitted the event, when several share a NATS
   * JetStream stream (RFC 0018). @default none (the field is left out)
   */
  replica?: string;
  /**
   * Makes `event_id`s (and `trace_id`s when none is given).
   * @default createEventIdGenerator({ clock })
   */
  newId?: () => string;
  /**
   * Check every event against the event schema before returning it (ajv, about 2 µs).
   * Constructors are typed, so this only catches values the types cannot (a negative
   * response time, an empty server name).
   * @default true
   */
  validate?: boolean;
}

/** Fields a caller gives for type `T`: the type's own fields, plus optional envelope fields. */
export type EventInput<T extends KnownEventType> = Omit<EventFieldsByType[T], 'event_type'> & {
  /** Groups a causal chain; a fresh id when omitted. */
  trace_id?: string;
  [extra: string]: unknown;
};

type Helper<T extends KnownEventType> = (fields: EventInput<T>) => EventOf<T>;

/** Builds events with `timestamp`, `event_id`, `trace_id` and `repo` filled in. */
export interface EventFactory {
  /** Any known event type by name. */
  create<T extends KnownEventType>(type: T, fields: EventInput<T>): EventOf<T>;
  /**
   * An event of a type this package does not know (a foreign or newer type). Only the
   * envelope is checked.
   */
  createOther(type: string, fields?: Record<string, unknown>): SelfhealEvent;
  healthCheckCompleted: Helper<'health_check_completed'>;
  serverDegraded: Helper<'server_degraded'>;
  serverDown: Helper<'server_down'>;
  serverRecovered: Helper<'server_recovered'>;
  recoveryStarted: Helper<'recovery_started'>;
  recoverySuccessful: Helper<'recovery_successful'>;
  recoveryFailed: Helper<'recovery_failed'>;
  recoveryExhausted: Helper<'recovery_exhausted'>;
  recoveryAttemptsReset: Helper<'recovery_attempts_reset'>;
  serverRegistered: Helper<'server_registered'>;
  serverStarted: Helper<'server_started'>;
  serverDisabled: Helper<'server_disabled'>;
  serverEnabled: Helper<'server_enabled'>;
  serverReset: Helper<'server_reset'>;
  sinkFailed: Helper<'sink_failed'>;
  gatewayStarted: Helper<'gateway_started'>;
  gatewayStopped: Helper<'gateway_stopped'>;
}

/**
 * Creates an {@link EventFactory}. Events carry no `seq`: the log that stores them assigns it.
 * @throws EventsError INVALID_EVENT (with the schema issues in `data`) when `validate` is on
 *   and the fields break the schema.
 */
export function createEventFactory(options: EventFactoryOptions = {}): EventFactory {
  const clock = options.clock ?? systemClock;
  const repo = options.repo ?? EVENT_EMISSION_DEFAULTS.repo;
  const newId = options.newId ?? createEventIdGenerator({ clock });
  const check = options.validate ?? true;
  const replica = options.replica;

  function build(type: string, fields: Record<string, unknown>): SelfhealEvent {
    const { trace_id, ...rest } = fields;
    const event_id = newId();
    const event: SelfhealEvent = {
      event_type: type,
      timestamp: new Date(clock.now()).toISOString(),
      trace_id: typeof trace_id === 'string' ? trace_id : event_id,
      repo,
      event_id,
      ...(replica === undefined ? {} : { replica }),
      ...rest,
    };
    if (check) {
      const result = validate('event', event);
      if (!result.valid) {
        throw new EventsError(
          EventsErrorCode.InvalidEvent,
          `${type} event breaks the event schema: ${result.issues.map((i) => i.message).join('; ')}`,
          { data: result.issues },
        );
      }
    }
    return event;
  }

  const create = <T extends KnownEventType>(type: T, fields: EventInput<T>) =>
    build(type, fields as Record<string, unknown>) as EventOf<T>;
  const helper =
    <T extends KnownEventType>(type: T): Helper<T> =>
    (fields) =>
      create(type, fields);

  return {
    create,
    createOther: (type, fields = {}) => build(type, fields),
    healthCheckCompleted: helper('health_check_completed'),
    serverDegraded: helper('server_degraded'),
    serverDown: helper('server_down'),
    serverRecovered: helper('server_recovered'),
    recoveryStarted: helper('recovery_started'),
    recoverySuccessful: helper('recovery_successful'),
    recoveryFailed: helper('recovery_failed'),
    recoveryExhausted: helper('recovery_exhausted'),
    recoveryAttemptsReset: helper('recovery_attempts_reset'),
    serverRegistered: helper('server_registered'),
    serverStarted: helper('server_started'),
    serverDisabled: helper('server_disabled'),
    serverEnabled: helper('server_enabled'),
    serverReset: helper('server_reset'),
    sinkFailed: helper('sink_failed'),
    gatewayStarted: helper('gateway_started'),
    gatewayStopped: helper('gateway_stopped'),
  };
}
