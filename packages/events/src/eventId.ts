import { monotonicFactory } from 'ulid';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';

/** Options of {@link createEventIdGenerator}. */
export interface EventIdOptions {
  /**
   * Where the time part comes from.
   * @default systemClock
   */
  clock?: Pick<Clock, 'now'>;
  /**
   * Random source in [0, 1) for the random part; inject a seeded one for reproducible ids.
   * @default crypto-strength randomness
   */
  random?: () => number;
}

/**
 * Returns a generator of event ids: 26-character ULIDs (48-bit millisecond time, 80 random
 * bits, Crockford base32). Ids from one generator are strictly increasing as strings, even for
 * many ids in one millisecond and even if the clock steps back (the last time is reused and
 * the random part incremented), so sorting ids sorts events by creation within a process.
 */
export function createEventIdGenerator(options: EventIdOptions = {}): () => string {
  const clock = options.clock ?? systemClock;
  const next = monotonicFactory(options.random);
  return () => next(clock.now());
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Guard: a string shaped like an id from {@link createEventIdGenerator}. */
export function isEventId(value: unknown): value is string {
  return typeof value === 'string' && ULID.test(value);
}
