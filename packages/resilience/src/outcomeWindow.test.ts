import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createOutcomeWindow } from './outcomeWindow.js';

type Outcome = { at: number; failure: boolean; slow: boolean };

/** The window by definition: the last `size` outcomes, minus those older than `maxAgeMs`. */
function recount(outcomes: Outcome[], size: number, maxAgeMs: number, now: number) {
  const kept = outcomes.slice(-size).filter((o) => maxAgeMs <= 0 || o.at > now - maxAgeMs);
  return {
    calls: kept.length,
    failures: kept.filter((o) => o.failure).length,
    slow: kept.filter((o) => o.slow).length,
  };
}

describe('createOutcomeWindow', () => {
  it('always equals a brute-force recount, including after long idle gaps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom(0, 1, 100, 60_000),
        fc.array(
          fc.record({
            // Mostly short gaps, sometimes an idle period far longer than the window.
            gap: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 10_000_000 })),
            failure: fc.boolean(),
            slow: fc.boolean(),
            readAfter: fc.option(fc.integer({ min: 0, max: 200_000 })),
          }),
          { maxLength: 200, size: 'max' },
        ),
        (size, maxAgeMs, steps) => {
          const window = createOutcomeWindow(size, maxAgeMs);
          const seen: Outcome[] = [];
          let now = 0;
          for (const step of steps) {
            now += step.gap;
            window.record(now, step.failure, step.slow);
            seen.push({ at: now, failure: step.failure, slow: step.slow });
            expect(window.counts(now)).toEqual(recount(seen, size, maxAgeMs, now));
            if (step.readAfter !== null) {
              now += step.readAfter;
              expect(window.counts(now)).toEqual(recount(seen, size, maxAgeMs, now));
            }
          }
        },
      ),
    );
  }, 30_000);

  it('forgets an outcome exactly max_age ms after it, not 1 ms before', () => {
    const window = createOutcomeWindow(10, 1000);
    window.record(0, true, false);
    expect(window.counts(999).failures).toBe(1);
    expect(window.counts(1000).failures).toBe(0);
  });

  it('clears', () => {
    const window = createOutcomeWindow(3);
    window.record(1, true, true);
    window.clear();
    expect(window.counts(2)).toEqual({ calls: 0, failures: 0, slow: 0 });
  });
});
