import type { SelfhealEvent } from '@selfheal/schemas';
import { loadSchema } from '@selfheal/schemas';
import type { EventFieldsByType, KnownEventType } from './knownEventTypes.js';

// The list lives apart from the schema loader, so that the projection can be bundled for a
// browser (the dashboard) without the schema files and ajv.
export {
  type EventFieldsByType,
  isKnownEventType,
  KNOWN_EVENT_TYPES,
  type KnownEventType,
} from './knownEventTypes.js';

let schemaTypes: ReadonlySet<string> | undefined;

/**
 * Every `event_type` the event schema describes field by field: those above plus the types
 * other packages add (circuit, retry, fallback, ...). Read from the schema once, so it never
 * drifts from it.
 */
export function schemaEventTypes(): ReadonlySet<string> {
  schemaTypes ??= new Set(
    Object.keys(((loadSchema('event').$defs ?? {}) as { typeIs?: object }).typeIs ?? {}),
  );
  return schemaTypes;
}

/** A whole event of type `T`: the envelope plus that type's fields. */
export type EventOf<T extends KnownEventType> = SelfhealEvent & EventFieldsByType[T];

/** An event as read back from a log: the log has given it its `seq`. */
export type StoredEvent = SelfhealEvent & { seq: number };

export type { SelfhealEvent };
