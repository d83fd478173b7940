import { describe, expect, it } from 'vitest';
import { nextCheckDelay } from './checkInterval.js';

describe('nextCheckDelay', () => {
  const mid = () => 0.5; // no spread

  it('checks a failing server at the unhealthy interval when it is the shorter', () => {
    const options = { intervalMs: 30_000, unhealthyIntervalMs: 5000, jitter: 0.1 };
    expect(nextCheckDelay(options, false, mid)).toBe(30_000);
    expect(nextCheckDelay(options, true, mid)).toBe(5000);
  });

  it('regression: a failing server is never checked less often than a healthy one', () => {
    // 1 s health checks with the default 5 s unhealthy interval re-checked a failing server
    // every 5 s, so a restart that took 1.3 s was seen seconds late.
    const options = { intervalMs: 1000, unhealthyIntervalMs: 5000, jitter: 0 };
    expect(nextCheckDelay(options, true, mid)).toBe(1000);
  });

  it('spreads each delay by at most ± jitter, never below 1 ms', () => {
    const options = { intervalMs: 1000, unhealthyIntervalMs: 500, jitter: 0.2 };
    expect(nextCheckDelay(options, false, () => 0)).toBe(800);
    expect(nextCheckDelay(options, false, () => 0.999_999)).toBe(1200);
    expect(
      nextCheckDelay({ intervalMs: 1, unhealthyIntervalMs: 1, jitter: 1 }, true, () => 0),
    ).toBe(1);
  });
});
