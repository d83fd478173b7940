import type { Clock } from '@selfheal/internal';
import { systemClock } from '@selfheal/internal';
import { type SelfhealEvent, validate } from '@selfheal/schemas';
import { EventsError, EventsErrorCode } from '../errors.js';
import { EVENT_EMISSION_DEFAULTS } from '../log/logDefaults.js';
import { type EventConstructors, eventConstructors } from './eventConstructors.generated.js';
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

/**
 * What a package emits when its host puts the envelope on (RFC 0021, "One envelope factory"):
 * the event's type and its own fields, no `timestamp`, `event_id`, `repo` or `replica`.
 */
export interface EventBody {
  event_type: string;
}

/** An event as the factory builds it: `repo` and `event_id` are always there. */
export type BuiltEvent<B extends EventBody = EventBody> = SelfhealEvent &
  Required<Pick<SelfhealEvent, 'repo' | 'event_id'>> &
  B;

/**
 * Builds events with `timestamp`, `event_id`, `trace_id`, `repo` (and `replica`) filled in: the
 * one place an envelope is made. Each type the schema knows has a typed constructor named in
 * camelCase (`callCompleted`, `serverDown`, ...; generated from the schema).
 */
export interface EventFactory extends EventConstructors {
  /** Any known event type by name. */
  create<T extends KnownEventType>(type: T, fields: EventInput<T>): EventOf<T>;
  /**
   * An event of a type this package does not know (a foreign or newer type). Only the
   * envelope is checked.
   */
  createOther(type: string, fields?: Record<string, unknown>): SelfhealEvent;
  /**
   * Puts the envelope on a body a package emitted (its `event_type` and fields), in the trace
   * `traceId` (else the body's own `trace_id`, else a fresh one). The body is not changed.
   */
  envelop<B extends EventBody>(body: B, traceId?: string): BuiltEvent<B>;
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

  // Calls come many per millisecond under load: the ISO string of one is made once.
  let stampedAt = Number.NaN;
  let stamp = '';
  const timestamp = () => {
    const now = clock.now();
    if (now !== stampedAt) {
      stampedAt = now;
      stamp = new Date(now).toISOString();
    }
    return stamp;
  };

  /**
   * The envelope, then the fields in their order, copied once (this runs per call on the
   * gateway's hot path: `call_completed`). The fields' own `event_type` and `trace_id` (a body's
   * type, a caller's trace) land on the envelope's keys, so a line always starts with them.
   */
  function build(type: string, fields: Record<string, unknown>, traceId?: string): SelfhealEvent {
    const event_id = newId();
    const trace = traceId ?? fields.trace_id;
    const event: Record<string, unknown> = {
      event_type: type,
      timestamp: timestamp(),
      trace_id: event_id,
      repo,
      event_id,
    };
    if (replica !== undefined) event.replica = replica;
    Object.assign(event, fields);
    event.event_type = type;
    event.trace_id = typeof trace === 'string' ? trace : event_id;
    if (check) assertValid(type, event as SelfhealEvent);
    return event as SelfhealEvent;
  }

  const create = <T extends KnownEventType>(type: T, fields: EventInput<T>) =>
    build(type, fields as Record<string, unknown>) as EventOf<T>;

  return {
    ...eventConstructors(create),
    create,
    createOther: (type, fields = {}) => build(type, fields),
    envelop: <B extends EventBody>(body: B, traceId?: string) =>
      build(body.event_type, body as unknown as Record<string, unknown>, traceId) as BuiltEvent<B>,
  };
}

function assertValid(type: string, event: SelfhealEvent): void {
  const result = validate('event', event);
  if (!result.valid) {
    throw new EventsError(
      EventsErrorCode.InvalidEvent,
      `${type} event breaks the event schema: ${result.issues.map((i) => i.message).join('; ')}`,
      { data: result.issues },
    );
  }
}
