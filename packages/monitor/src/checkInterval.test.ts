import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextCheckDelay } from './checkInterval.js';

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
