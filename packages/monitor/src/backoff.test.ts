import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBackoff } from './backoff.js';
import { nextCheckDelay } from './checkInterval.js';

describe('createBackoff', () => {
  it('waits exactly 1, 2, 4, 8, 16 s for attempts 1..5 by default', () => {
    const backoff = createBackoff();
    expect([1, 2, 3, 4, 5].map(backoff)).toEqual([1000, 2000, 4000, 8000, 16000]);
  });

  it('caps at maxMs (300 s by default)', () => {
    const backoff = createBackoff();
    expect(backoff(9)).toBe(256_000);
    expect(backoff(10)).toBe(300_000);
    expect(backoff(1000)).toBe(300_000);
  });

  it('is monotonic and within [initial, max] for any options', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 60 }),
        (initialMs, multiplier, extra, attempt) => {
          const maxMs = initialMs + extra;
          const backoff = createBackoff({ initialMs, multiplier, maxMs });
          const a = backoff(attempt);
          expect(a).toBeGreaterThanOrEqual(initialMs);
          expect(a).toBeLessThanOrEqual(maxMs);
          expect(backoff(attempt + 1)).toBeGreaterThanOrEqual(a);
        },
      ),
    );
  });
});

describe('nextCheckDelay', () => {
  const options = { intervalMs: 30_000, unhealthyIntervalMs: 5_000, jitter: 0.1 };

  it('uses the unhealthy interval while failing', () => {
    expect(nextCheckDelay(options, false, () => 0.5)).toBe(30_000);
    expect(nextCheckDelay(options, true, () => 0.5)).toBe(5_000);
  });

  it('spreads by at most ± jitter', () => {
    expect(nextCheckDelay(options, false, () => 0)).toBe(27_000);
    expect(nextCheckDelay(options, false, () => 0.999_999)).toBeCloseTo(33_000, -1);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (r) => {
        const d = nextCheckDelay(options, true, () => r);
        expect(d).toBeGreaterThanOrEqual(4500);
        expect(d).toBeLessThanOrEqual(5500);
      }),
    );
  });
});
