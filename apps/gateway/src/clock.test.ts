import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBackoff } from './clock.js';

describe('createBackoff', () => {
  it('follows the W3 defaults: 1, 2, 4, 8, 16 s, capped at 300 s', () => {
    const backoff = createBackoff();
    expect([1, 2, 3, 4, 5, 10].map(backoff)).toEqual([1000, 2000, 4000, 8000, 16000, 300000]);
  });

  it('never exceeds the cap and never decreases', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 1, max: 5, noNaN: true }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 60 }),
        (initialMs, multiplier, maxMs, attempt) => {
          const backoff = createBackoff({ initialMs, multiplier, maxMs });
          expect(backoff(attempt)).toBeLessThanOrEqual(maxMs);
          expect(backoff(attempt + 1)).toBeGreaterThanOrEqual(backoff(attempt));
        },
      ),
    );
  });
});
