/** Counts of the outcomes in an {@link OutcomeWindow}. */
export interface WindowCounts {
  calls: number;
  failures: number;
  slow: number;
}

/**
 * The last `size` call outcomes, forgetting those older than `maxAgeMs` (0: never by age).
 * Counts are kept incrementally, O(1) per record; age is checked on every read and write, so
 * after an idle gap the window holds only what is recent (no stale buckets).
 */
export interface OutcomeWindow {
  /** Records one outcome at clock time `now` (non-decreasing across calls). */
  record(now: number, failure: boolean, slow: boolean): void;
  /** The counts of outcomes still in the window at `now`. */
  counts(now: number): WindowCounts;
  /** Forgets everything. */
  clear(): void;
}

const FAILURE = 1;
const SLOW = 2;

/** A count window of `size` outcomes, each kept at most `maxAgeMs` (0 = no age limit). */
export function createOutcomeWindow(size: number, maxAgeMs = 0): OutcomeWindow {
  const capacity = Math.max(1, Math.floor(size));
  const flags = new Uint8Array(capacity);
  const times = new Float64Array(capacity);
  let head = 0; // index of the oldest entry
  let length = 0;
  const totals: WindowCounts = { calls: 0, failures: 0, slow: 0 };

  const dropOldest = () => {
    const flag = flags[head]!;
    totals.calls--;
    if (flag & FAILURE) totals.failures--;
    if (flag & SLOW) totals.slow--;
    head = (head + 1) % capacity;
    length--;
  };
  const expire = (now: number) => {
    if (maxAgeMs <= 0) return;
    while (length > 0 && times[head]! <= now - maxAgeMs) dropOldest();
  };

  return {
    record(now, failure, slow) {
      expire(now);
      if (length === capacity) dropOldest();
      const index = (head + length) % capacity;
      flags[index] = (failure ? FAILURE : 0) | (slow ? SLOW : 0);
      times[index] = now;
      length++;
      totals.calls++;
      if (failure) totals.failures++;
      if (slow) totals.slow++;
    },
    counts(now) {
      expire(now);
      return { ...totals };
    },
    clear() {
      head = 0;
      length = 0;
      totals.calls = 0;
      totals.failures = 0;
      totals.slow = 0;
    },
  };
}
