import type { SelfhealEvent } from '@selfheal/schemas';
import {
  DEPRECATED_EVENT_TYPES,
  type EventFieldsByType,
  KNOWN_EVENT_TYPES,
  type KnownEventType,
} from './knownEventTypes.js';

export {
  DEPRECATED_EVENT_TYPES,
  type EventFieldsByType,
  isKnownEventType,
  KNOWN_EVENT_TYPES,
  type KnownEventType,
} from './knownEventTypes.js';

const schemaTypes: ReadonlySet<string> = new Set([...KNOWN_EVENT_TYPES, ...DEPRECATED_EVENT_TYPES]);

/**
 * Every `event_type` the event schema describes field by field: the {@link KNOWN_EVENT_TYPES}
 * Selfheal writes and the {@link DEPRECATED_EVENT_TYPES} old logs still hold. Generated from
 * the schema, so it never drifts from it.
 */
export function schemaEventTypes(): ReadonlySet<string> {
  return schemaTypes;
}

/** A whole event of type `T`: the envelope plus that type's fields. */
export type EventOf<T extends KnownEventType> = SelfhealEvent & EventFieldsByType[T];

/** An event as read back from a log: the log has given it its `seq`. */
export type StoredEvent = SelfhealEvent & { seq: number };

export type { SelfhealEvent };
