import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRecoverySchedule } from './recoverySchedule.js';

describe('createRecoverySchedule', () => {
  it('waits exactly 1, 2, 4, 8, 16 s for attempts 1..5 by default', () => {
    const backoff = createRecoverySchedule();
    expect([1, 2, 3, 4, 5].map(backoff)).toEqual([1000, 2000, 4000, 8000, 16000]);
  });

  it('caps at maxMs (300 s by default)', () => {
    const backoff = createRecoverySchedule();
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
          const backoff = createRecoverySchedule({ initialMs, multiplier, maxMs });
          const a = backoff(attempt);
          expect(a).toBeGreaterThanOrEqual(initialMs);
          expect(a).toBeLessThanOrEqual(maxMs);
          expect(backoff(attempt + 1)).toBeGreaterThanOrEqual(a);
        },
      ),
    );
  });
});
