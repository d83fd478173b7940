import { describe, expect, it } from 'vitest';
import { manualClock } from '../../test/helpers/manualClock.js';
import { createWakeTimer } from './wakeTimer.js';

describe('createWakeTimer', () => {
  it('fires at the earliest time asked for; a later one never postpones it', () => {
    const clock = manualClock(0);
    const fired: number[] = [];
    const timer = createWakeTimer(clock, () => fired.push(clock.now()));
    timer.schedule(5_000);
    timer.schedule(9_000);
    timer.schedule(3_000);
    expect(timer.dueAt).toBe(3_000);
    clock.advance(2_999);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual([3_000]);
    expect(timer.dueAt).toBeUndefined();
    clock.advance(10_000);
    expect(fired).toEqual([3_000]);
  });

  it('fireNow cancels the timer set and fires once; after stop nothing is set again', () => {
    const clock = manualClock(0);
    let fired = 0;
    const timer = createWakeTimer(clock, () => fired++);
    timer.schedule(1_000);
    timer.fireNow();
    expect(fired).toBe(1);
    clock.advance(1_000);
    expect(fired).toBe(1);
    timer.schedule(2_000);
    timer.stop();
    timer.schedule(3_000);
    clock.advance(5_000);
    expect(fired).toBe(1);
    expect(timer.stopped).toBe(true);
  });
});
