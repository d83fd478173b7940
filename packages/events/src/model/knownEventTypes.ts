import {
  DEPRECATED_EVENT_TYPES,
  type EventFieldsByType,
  KNOWN_EVENT_TYPES,
  type KnownEventType,
} from './knownEventTypes.generated.js';

// The lists are generated from the event schema (schemas/scripts/generateTypes.mjs) and live
// apart from the schema loader, so that the projection can be bundled for a browser (the
// dashboard) without the schema files and ajv.
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
