import { type SelfhealEvent, validate } from '@selfheal/schemas';

/** Events as published, each checked against the event schema as it arrives. */
export interface CheckedLog {
  /** Every event published, in order. */
  readonly events: SelfhealEvent[];
  /** Pass as the store's `publish`. */
  publish(event: SelfhealEvent): void;
  /** One line per event that broke the schema: its type and the issues. */
  readonly invalid: string[];
}

/**
 * For tests: the monitor's factory builds events without a schema check (the hot path), so
 * tests check every event it emits here instead; assert `invalid` is empty at the end.
 */
export function createCheckedLog(): CheckedLog {
  const events: SelfhealEvent[] = [];
  const invalid: string[] = [];
  return {
    events,
    invalid,
    publish(event) {
      events.push(event);
      const result = validate('event', event);
      if (!result.valid) {
        invalid.push(`${event.event_type}: ${result.issues.map((i) => i.message).join('; ')}`);
      }
    },
  };
}
