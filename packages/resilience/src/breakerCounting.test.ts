import { describe, expect, it } from 'vitest';
import { tripReason } from './breakerCounting.js';
import { resolveBreakerSettings } from './breakerSettings.js';

const settings = resolveBreakerSettings(
  {
    consecutiveFailures: 3,
    minimumCalls: 4,
    failureRateThreshold: 0.5,
    slowCallRateThreshold: 0.75,
  },
  'a',
);
const counts = (calls: number, failures: number, slow: number) => ({ calls, failures, slow });

describe('tripReason', () => {
  it('trips on failures in a row before any rate, whatever the window holds', () => {
    expect(tripReason(settings, 3, counts(3, 3, 3))).toBe('consecutive_failures');
    expect(tripReason(settings, 2, counts(3, 3, 3))).toBeUndefined();
  });

  it('judges rates only over at least the minimum calls', () => {
    expect(tripReason(settings, 0, counts(3, 2, 0))).toBeUndefined();
    expect(tripReason(settings, 0, counts(4, 2, 0))).toBe('failure_rate');
  });

  it('names the failure rate before the slow-call rate when both reach their thresholds', () => {
    expect(tripReason(settings, 0, counts(4, 2, 4))).toBe('failure_rate');
    expect(tripReason(settings, 0, counts(4, 1, 3))).toBe('slow_call_rate');
    expect(tripReason(settings, 0, counts(4, 1, 2))).toBeUndefined();
  });

  it('never trips on the rates of an empty window, even with no minimum', () => {
    const anyCalls = resolveBreakerSettings({ minimumCalls: 0, failureRateThreshold: 0 }, 'a');
    expect(tripReason(anyCalls, 0, counts(0, 0, 0))).toBeUndefined();
  });
});
