import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CallContext } from './context.js';
import { createRetryPolicy } from './retry.js';
import { createRetryBudget } from './retryBudget.js';
import { advance, httpError, useFakeTime } from './testing/harness.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('createRetryBudget', () => {
  it('allows max(min, floor(ratio x active)) tokens and releases each once', () => {
    const budget = createRetryBudget({ ratio: 0.2, min: 3 });
    const calls = Array.from({ length: 20 }, () => budget.callStarted());
    expect(budget.limit()).toBe(4);
    const tokens = Array.from({ length: 6 }, () => budget.tryAcquire());
    expect(tokens.filter(Boolean)).toHaveLength(4);
    tokens[0]!();
    tokens[0]!();
    expect(budget.inFlight).toBe(3);
    for (const end of calls.slice(0, 10)) end();
    expect(budget.limit()).toBe(3);
    expect(budget.tryAcquire()).toBeUndefined();
  });

  it('starts a retry only within max(min, ratio x active) retries in flight, and never beyond max_attempts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: 50 }),
            outcomes: fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
            latency: fc.integer({ min: 1, max: 20 }),
          }),
          { minLength: 1, maxLength: 40, size: 'max' },
        ),
        fc.integer({ min: 1, max: 5 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 4 }),
        async (calls, maxAttempts, ratio, min) => {
          useFakeTime();
          const budget = createRetryBudget({ ratio, min });
          const retry = createRetryPolicy({ maxAttempts, budget, backoff: () => 5 });
          let firstsInFlight = 0;
          let retriesInFlight = 0;
          const attemptsPerCall: number[] = calls.map(() => 0);
          const violations: string[] = [];
          const settled = calls.map(
            (call, index) =>
              new Promise<void>((done) => {
                setTimeout(() => {
                  retry
                    .execute(
                      async (context: CallContext) => {
                        const isRetry = context.attempt.number > 1;
                        attemptsPerCall[index]!++;
                        if (isRetry) retriesInFlight++;
                        else firstsInFlight++;
                        // The budget is a guard at the moment a retry starts: calls that end
                        // later shrink the limit under retries already running, so a first
                        // attempt starting then may see more retries than the new limit.
                        if (isRetry) {
                          const limit = Math.max(min, Math.floor(ratio * budget.active));
                          if (retriesInFlight > limit)
                            violations.push(`${retriesInFlight} retries > ${limit}`);
                          if (firstsInFlight + retriesInFlight > budget.active + limit)
                            violations.push('attempts > active + budget');
                        }
                        await new Promise((resolve) => setTimeout(resolve, call.latency));
                        if (isRetry) retriesInFlight--;
                        else firstsInFlight--;
                        const ok = call.outcomes[context.attempt.number - 1] ?? true;
                        if (!ok) throw httpError(503);
                        return 'ok';
                      },
                      { meta: { method: 'tools/list' } },
                    )
                    .catch(() => undefined)
                    .finally(done);
                }, call.at);
              }),
          );
          await advance(10_000);
          await Promise.all(settled);
          vi.useRealTimers();
          expect(violations).toEqual([]);
          for (const attempts of attemptsPerCall) expect(attempts).toBeLessThanOrEqual(maxAttempts);
          expect(budget.active).toBe(0);
          expect(budget.inFlight).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
    // Fake time: the limit only guards a loaded, shared machine against a spurious timeout.
  }, 30_000);
});
