import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exponentialDelay } from './exponentialDelay.js';

describe('exponentialDelay', () => {
  const schedule = { initialMs: 1000, multiplier: 2, maxMs: 300_000 };

  it('is initial × multiplier^(attempt − 1), capped', () => {
    expect([1, 2, 3, 4, 5, 9, 10].map((n) => exponentialDelay(n, schedule))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 256_000, 300_000,
    ]);
  });

  it('counts attempts below 1 as 1 and fractions as the attempt below', () => {
    expect(exponentialDelay(0, schedule)).toBe(1000);
    expect(exponentialDelay(-3, schedule)).toBe(1000);
    expect(exponentialDelay(2.9, schedule)).toBe(2000);
  });

  it('counts a NaN attempt as 1 and an infinite one as past the cap', () => {
    expect(exponentialDelay(Number.NaN, schedule)).toBe(1000);
    expect(exponentialDelay(Number.POSITIVE_INFINITY, schedule)).toBe(300_000);
    expect(exponentialDelay(Number.NEGATIVE_INFINITY, schedule)).toBe(1000);
    expect(exponentialDelay(Number.POSITIVE_INFINITY, { ...schedule, multiplier: 1 })).toBe(1000);
  });

  it('stays finite and within [0, max] for any attempt (fractions, negatives, NaN, ±Infinity included), a zero base included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.oneof(fc.constant(1), fc.double({ min: 1, max: 10, noNaN: true })),
        fc.integer({ min: 0, max: 1_000_000 }),
        // fc.double yields NaN, ±Infinity, -0 and fractions of any size.
        fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.double()),
        (initialMs, multiplier, maxMs, attempt) => {
          const options = { initialMs, multiplier, maxMs };
          const d = exponentialDelay(attempt, options);
          expect(Number.isFinite(d)).toBe(true);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(maxMs);
          if (initialMs === 0) expect(d).toBe(0);
          // A fraction is the attempt below it; anything not at least 1 (NaN too) is attempt 1.
          const counted = attempt >= 1 ? Math.floor(attempt) : 1;
          if (Number.isFinite(counted)) expect(d).toBe(exponentialDelay(counted, options));
        },
      ),
    );
  });
});
