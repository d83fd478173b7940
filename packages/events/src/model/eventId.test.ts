import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEventIdGenerator, createPooledRandom, isEventId } from './eventId.js';

describe('createEventIdGenerator', () => {
  it('is strictly increasing whatever the clock does, even stepping back', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5_000, max: 5_000 }), { minLength: 1, maxLength: 200 }),
        (steps) => {
          let now = Date.UTC(2026, 0, 1);
          const next = createEventIdGenerator({ clock: { now: () => now } });
          const ids: string[] = [];
          for (const step of steps) {
            now += step;
            ids.push(next());
          }
          expect(ids.every(isEventId)).toBe(true);
          for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
        },
      ),
    );
  });

  it('encodes the clock time so ids from different milliseconds sort by time', () => {
    let now = Date.UTC(2026, 0, 1);
    const next = createEventIdGenerator({ clock: { now: () => now }, random: () => 0.99 });
    const a = next();
    now += 1;
    const b = createEventIdGenerator({ clock: { now: () => now }, random: () => 0 })();
    expect(b > a).toBe(true);
    expect(a.slice(0, 10)).not.toBe(b.slice(0, 10));
  });

  it('the pooled default random is in [0, 1), uses every ulid symbol, and refills', () => {
    const random = createPooledRandom(64);
    const symbols = new Set<number>();
    for (let i = 0; i < 64 * 100; i++) {
      const r = random();
      expect(r >= 0 && r < 1).toBe(true);
      symbols.add(Math.floor(r * 32));
    }
    expect(symbols.size).toBe(32);
    // Random parts of ids from different milliseconds differ (the pool is not one fixed draw).
    let now = Date.UTC(2026, 0, 1);
    const next = createEventIdGenerator({ clock: { now: () => now++ } });
    const randomParts = new Set(Array.from({ length: 1000 }, () => next().slice(10)));
    expect(randomParts.size).toBe(1000);
  });
});
