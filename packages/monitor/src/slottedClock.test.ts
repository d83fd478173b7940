import { createFakeClock } from '@selfheal/internal/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSlottedClock } from './slottedClock.js';

describe('createSlottedClock', () => {
  it('timers due in one slot share one underlying timer and fire together, in order', async () => {
    const base = createFakeClock(1_000_000);
    const clock = createSlottedClock(base, { slotMs: 100 });
    const fired: [string, number][] = [];
    clock.setTimeout(() => fired.push(['a', base.now()]), 960);
    clock.setTimeout(() => fired.push(['b', base.now()]), 1000);
    clock.setTimeout(() => fired.push(['c', base.now()]), 1049);
    clock.setTimeout(() => fired.push(['d', base.now()]), 1051);
    expect(base.pending()).toBe(2);
    await base.advance(999);
    expect(fired).toEqual([]);
    await base.advance(1);
    expect(fired).toEqual([
      ['a', 1_001_000],
      ['b', 1_001_000],
      ['c', 1_001_000],
    ]);
    await base.advance(100);
    expect(fired.at(-1)).toEqual(['d', 1_001_100]);
    expect(base.pending()).toBe(0);
  });

  it('short delays fire exactly; slotMs 0 turns slotting off', async () => {
    const base = createFakeClock(1_000_003);
    const fired: number[] = [];
    createSlottedClock(base, { slotMs: 100 }).setTimeout(() => fired.push(base.now()), 499);
    createSlottedClock(base, { slotMs: 0 }).setTimeout(() => fired.push(base.now()), 1234);
    await base.advance(2000);
    expect(fired).toEqual([1_000_502, 1_001_237]);
  });

  it('clearing the last timer of a slot clears the underlying one; others of the slot still fire', async () => {
    const base = createFakeClock(0);
    const clock = createSlottedClock(base, { slotMs: 100 });
    const fired: string[] = [];
    const a = clock.setTimeout(() => fired.push('a'), 1000);
    const b = clock.setTimeout(() => fired.push('b'), 1010);
    clock.clearTimeout(a);
    expect(base.pending()).toBe(1);
    clock.clearTimeout(b);
    expect(base.pending()).toBe(0);
    clock.setTimeout(() => fired.push('c'), 1000);
    const d = clock.setTimeout(() => fired.push('d'), 1000);
    clock.clearTimeout(d);
    clock.clearTimeout(d);
    await base.advance(1000);
    expect(fired).toEqual(['c']);
  });

  it('a timer fires within slotMs / 2 of its due time (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 500, max: 100_000 }),
        async (start, ms) => {
          const base = createFakeClock(start);
          let at = -1;
          createSlottedClock(base, { slotMs: 100 }).setTimeout(() => {
            at = base.now();
          }, ms);
          await base.advance(ms + 50);
          expect(Math.abs(at - (start + ms))).toBeLessThanOrEqual(50);
          expect(at % 100).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
