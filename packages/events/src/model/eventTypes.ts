import type { SelfhealEvent } from '@selfheal/schemas';
import {
  DEPRECATED_EVENT_TYPES,
  type EventFieldsByType,
  KNOWN_EVENT_TYPES,
  type KnownEventType,
} from './knownEventTypes.generated.js';

// The lists are generated from the event schema (schemas/scripts/generateTypes.mjs); nothing
// here loads the schema, so the projection can be bundled for a browser (the dashboard).
export { DEPRECATED_EVENT_TYPES, type EventFieldsByType, KNOWN_EVENT_TYPES, type KnownEventType };

const known = new Set<string>(KNOWN_EVENT_TYPES);

/**
 * Narrows a string to a {@link KnownEventType}: a type the schema describes field by field and
 * Selfheal writes. Whether an event changes a projection's state is each projection's own list
 * (`PROJECTED_EVENT_TYPES`, `TRUST_EVENT_TYPES`).
 */
export function isKnownEventType(type: string): type is KnownEventType {
  return known.has(type);
}

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
