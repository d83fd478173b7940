import type { Clock } from '@selfheal/internal';
import { createRandomPool, systemClock } from '@selfheal/internal';
import { monotonicFactory } from 'ulid';

/** Options of {@link createEventIdGenerator}. */
export interface EventIdOptions {
  /**
   * Where the time part comes from.
   * @default systemClock
   */
  clock?: Pick<Clock, 'now'>;
  /**
   * Random source in [0, 1) for the random part; inject a seeded one for reproducible ids.
   * @default crypto-strength randomness ({@link createPooledRandom})
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
  const next = monotonicFactory(options.random ?? createPooledRandom());
  return () => next(clock.now());
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Guard: a string shaped like an id from {@link createEventIdGenerator}. */
export function isEventId(value: unknown): value is string {
  return typeof value === 'string' && ULID.test(value);
}

/**
 * Crypto-strength random numbers in [0, 1), 256 steps apart, drawn from a pool of
 * `poolBytes` random bytes refilled in one call when used up (`createRandomPool`). ulid asks
 * for 16 numbers per id and its own default makes one `crypto` call for each; the pool makes
 * one per `poolBytes / 16` ids. A byte / 256 is exactly uniform over ulid's 32 symbols.
 */
export function createPooledRandom(poolBytes = 4096): () => number {
  return createRandomPool({ poolBytes }).unit;
}
