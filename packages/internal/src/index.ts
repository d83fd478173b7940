// Shared building blocks of the Selfheal packages. Private: each published package's build
// inlines what it uses (scripts/inlineInternal.mjs), so nothing imports this package at run time.

// Time
export {
  type Clock,
  createSystemClock,
  type SystemClockOptions,
  systemClock,
  type TimerHandle,
} from './clock.js';
// Backoff: the exponential schedule under the recovery and retry backoffs
export { type ExponentialDelayOptions, exponentialDelay } from './exponentialDelay.js';
// Streams: lines of a byte stream, each decoded whole and joined once
export {
  createLineSplitter,
  type LineSplitter,
  type LineSplitterOptions,
} from './lineSplitter.js';
// Random ids from a pooled CSPRNG
export { createRandomPool, type RandomPool, type RandomPoolOptions } from './randomPool.js';
// Config: schema defaults and layered merge
export { mergeDeep, type SchemaNode, schemaDefaults } from './schemaDefaults.js';
// Errors
export { SelfhealError, type SelfhealErrorOptions } from './selfhealError.js';
