import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSystemClock, systemClock } from './clock.js';
import { createFakeClock, FAKE_CLOCK_START } from './testing/fakeClock.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('systemClock', () => {
  it('unrefs its timers, so a pending one never keeps the process alive; unref: false keeps them', () => {
    const unrefd = systemClock.setTimeout(() => {}, 60_000) as NodeJS.Timeout;
    const held = createSystemClock({ unref: false }).setTimeout(() => {}, 60_000) as NodeJS.Timeout;
    expect(unrefd.hasRef()).toBe(false);
    expect(held.hasRef()).toBe(true);
    systemClock.clearTimeout(unrefd);
    systemClock.clearTimeout(held);
  });

  it('looks the globals up at each call, so fake timers installed after import drive it', () => {
    vi.useFakeTimers({ now: 5000 });
    const fired: number[] = [];
    systemClock.setTimeout(() => fired.push(systemClock.now()), 100);
    vi.advanceTimersByTime(99);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([5100]);
  });
});

describe('createFakeClock', () => {
  it('fires due timers in time order, ties in the order set, and moves time to each', async () => {
    const clock = createFakeClock();
    expect(clock.now()).toBe(FAKE_CLOCK_START);
    const fired: [string, number][] = [];
    clock.setTimeout(() => fired.push(['b', clock.now() - FAKE_CLOCK_START]), 200);
    clock.setTimeout(() => fired.push(['a', clock.now() - FAKE_CLOCK_START]), 100);
    clock.setTimeout(() => fired.push(['c', clock.now() - FAKE_CLOCK_START]), 200);
    clock.setTimeout(() => fired.push(['late', clock.now() - FAKE_CLOCK_START]), 301);
    await clock.advance(299);
    expect(fired).toEqual([
      ['a', 100],
      ['b', 200],
      ['c', 200],
    ]);
    expect(clock.now()).toBe(FAKE_CLOCK_START + 299);
    expect(clock.pending()).toBe(1);
    await clock.advance(2);
    expect(fired.at(-1)).toEqual(['late', 301]);
  });

  it('fires timers that timers set within the same advance, and none that were cleared', async () => {
    const clock = createFakeClock(0);
    const fired: number[] = [];
    const cleared = clock.setTimeout(() => fired.push(-1), 10);
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 30);
    }, 20);
    clock.clearTimeout(cleared);
    await clock.advance(50);
    expect(fired).toEqual([20, 50]);
    expect(clock.pending()).toBe(0);
  });

  it('counts a negative delay as 0, and lets promise callbacks run between timers', async () => {
    const clock = createFakeClock(0);
    const seen: string[] = [];
    clock.setTimeout(() => {
      seen.push('timer');
      void Promise.resolve().then(() => seen.push('then'));
    }, -5);
    clock.setTimeout(() => seen.push('second'), 0);
    await clock.advance(0);
    expect(seen).toEqual(['timer', 'then', 'second']);
  });
});
