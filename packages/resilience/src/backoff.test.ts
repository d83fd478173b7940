import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBackoff } from './backoff.js';
import { randomOf } from './testing/harness.js';

describe('createBackoff', () => {
  it('keeps every delay in [0, cap] for any jitter, attempt and previous delay', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('full', 'decorrelated', 'none' as const),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: 2000 }),
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (jitter, initialDelayMs, maxDelayMs, retry, previous, r) => {
          const delay = createBackoff({ initialDelayMs, maxDelayMs, jitter, random: () => r })(
            retry,
            previous,
          );
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(maxDelayMs);
        },
      ),
    );
  });

  it('doubles without jitter until the cap', () => {
    const backoff = createBackoff({ initialDelayMs: 100, maxDelayMs: 1000, jitter: 'none' });
    expect([1, 2, 3, 4, 5, 60].map((n) => backoff(n, 0))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('draws full jitter uniformly below the exponential step', () => {
    const backoff = createBackoff({
      initialDelayMs: 100,
      maxDelayMs: 10_000,
      jitter: 'full',
      random: randomOf(0.5, 0, 0.25),
    });
    expect(backoff(3, 0)).toBe(200);
    expect(backoff(3, 0)).toBe(0);
    expect(backoff(1, 0)).toBe(25);
  });

  it('draws decorrelated jitter between the base and three times the previous delay', () => {
    const backoff = createBackoff({
      initialDelayMs: 100,
      maxDelayMs: 1000,
      jitter: 'decorrelated',
      random: randomOf(0, 1 - 1e-12, 0.5),
    });
    expect(backoff(1, 0)).toBe(100);
    expect(backoff(2, 200)).toBeCloseTo(600, 6);
    expect(backoff(3, 600)).toBe(550); // between 100 and min(1000, 1800)
  });
});
