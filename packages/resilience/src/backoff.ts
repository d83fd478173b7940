import { exponentialDelay } from '@selfheal/internal';
import { LIBRARY_DEFAULTS } from './libraryDefaults.js';

/** How backoff delays are randomised. */
export type JitterKind = 'full' | 'decorrelated' | 'none';

/** Options of {@link createBackoff}. */
export interface BackoffOptions {
  /** Base delay of the first retry, ms. @default 100 */
  initialDelayMs?: number;
  /** No delay exceeds this, ms. @default 5000 */
  maxDelayMs?: number;
  /** @default 'full' */
  jitter?: JitterKind;
  /** A number in [0, 1). @default Math.random */
  random?: () => number;
}

/**
 * The delay before retry number `retry` (1 = the first retry), given the previous delay
 * (0 before the first). Pure apart from `random`; always in [0, maxDelayMs].
 */
export type Backoff = (retry: number, previousDelayMs: number) => number;

/**
 * Exponential backoff with jitter (AWS architecture blog, "Exponential Backoff and Jitter"):
 * - `full`: uniform in [0, min(cap, initial × 2^(retry-1))];
 * - `decorrelated`: uniform in [initial, previous × 3] (previous = initial at first), capped;
 * - `none`: min(cap, initial × 2^(retry-1)).
 */
export function createBackoff(options: BackoffOptions = {}): Backoff {
  const {
    initialDelayMs = LIBRARY_DEFAULTS.retry.initial_delay_ms,
    maxDelayMs = LIBRARY_DEFAULTS.retry.max_delay_ms,
    jitter = LIBRARY_DEFAULTS.retry.jitter,
    random = Math.random,
  } = options;
  const cap = Math.max(0, maxDelayMs);
  const base = Math.max(0, initialDelayMs);
  const schedule = { initialMs: base, multiplier: 2, maxMs: cap };
  // Capped before multiplying by random(): 2^1100 is Infinity, and 0 × Infinity is NaN.
  const exponential = (retry: number) => exponentialDelay(retry, schedule);
  switch (jitter) {
    case 'none':
      return (retry) => exponential(retry);
    case 'full':
      return (retry) => random() * exponential(retry);
    case 'decorrelated':
      return (_retry, previous) => {
        const low = Math.min(cap, base);
        // The first retry has no previous delay: start from the base, as the AWS recipe does.
        const high = Math.min(cap, Math.max(low, (previous > 0 ? previous : base) * 3));
        return low + random() * (high - low);
      };
  }
}
