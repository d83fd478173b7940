import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialCircuitState } from './circuitState.js';
import { halfOpenDelay, MAX_TIMER_MS, nextOpening } from './openSchedule.js';

const schedule = { openMs: 1000, maxOpenMs: 8000, jitter: 0, decayMs: 10_000 };

describe('nextOpening', () => {
  it('counts one more ejection than the closed state still remembers, and opens until now + open time', () => {
    // Closed since 0 with 3 ejections: 25 s later two have decayed, so this is the second.
    const state = { mode: 'closed' as const, ejections: 3, since: 0 };
    expect(nextOpening(state, 25_000, schedule, () => 0.5)).toEqual({
      ejections: 2,
      openMs: 2000,
      openUntil: 27_000,
    });
  });

  it('keeps every ejection of a half-open state (no decay while not closed)', () => {
    const state = { mode: 'half_open' as const, ejections: 3, since: 0, probes: 1 };
    expect(nextOpening(state, 1e9, schedule, () => 0)).toMatchObject({
      ejections: 4,
      openMs: 8000,
    });
  });

  it('shortens the open time by the jitter times the random draw', () => {
    const opening = nextOpening(initialCircuitState, 0, { ...schedule, jitter: 0.5 }, () => 1);
    expect(opening).toEqual({ ejections: 1, openMs: 500, openUntil: 500 });
  });
});

describe('halfOpenDelay', () => {
  it('is the time left until open-until, never negative, capped at what a timer holds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (until, now) => {
          const delay = halfOpenDelay(
            { mode: 'open', ejections: 1, since: 0, openUntil: until },
            now,
          );
          expect(delay).toBe(Math.min(MAX_TIMER_MS, Math.max(0, until - now)));
        },
      ),
    );
  });

  it('is undefined when nothing is due: not open, or open with no open-until', () => {
    expect(halfOpenDelay(initialCircuitState, 0)).toBeUndefined();
    expect(halfOpenDelay({ mode: 'isolated', ejections: 1, since: 0 }, 0)).toBeUndefined();
    expect(halfOpenDelay({ mode: 'open', ejections: 1, since: 0 }, 0)).toBeUndefined();
  });
});
