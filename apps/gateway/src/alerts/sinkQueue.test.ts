import { describe, expect, it } from 'vitest';
import { rateLimitWait } from './sinkQueue.js';

describe('rateLimitWait', () => {
  const limit = { max: 2, perMs: 1_000 };

  it('lets an attempt go while fewer than max started within the window', () => {
    expect(rateLimitWait([], 5_000, limit)).toBeUndefined();
    expect(rateLimitWait([4_500], 5_000, limit)).toBeUndefined();
  });

  it('waits until the oldest start in the window leaves it', () => {
    expect(rateLimitWait([4_200, 4_600], 5_000, limit)).toBe(200);
  });

  it('drops the starts that left the window (one exactly perMs old included)', () => {
    const times = [3_000, 4_000, 4_600];
    expect(rateLimitWait(times, 5_000, limit)).toBeUndefined();
    expect(times).toEqual([4_600]);
  });
});
