import { createFakeClock } from '@selfheal/internal/testing';
import { describe, expect, it } from 'vitest';
import { createStartupGrace } from './startupGrace.js';

describe('createStartupGrace', () => {
  it('covers failed checks until the grace has passed, to the millisecond', () => {
    const clock = createFakeClock();
    const grace = createStartupGrace(clock, 1000);
    grace.begin(true);
    const start = clock.now();
    expect(grace.covers('down', start + 999)).toBe(true);
    expect(grace.covers('down', start + 1000)).toBe(false);
  });

  it('ends at the first check that is not down, and begins again on a restart', () => {
    const clock = createFakeClock();
    const grace = createStartupGrace(clock, 1000);
    grace.begin(true);
    const start = clock.now();
    // The check that ends the grace is itself still in it (its success counts anyway).
    expect(grace.covers('degraded', start + 10)).toBe(true);
    expect(grace.covers('down', start + 20)).toBe(false);
    grace.begin(true);
    expect(grace.covers('down', clock.now() + 20)).toBe(true);
  });

  it('covers nothing after a start without grace', () => {
    const clock = createFakeClock();
    const grace = createStartupGrace(clock, 1000);
    grace.begin(false);
    expect(grace.covers('down', clock.now())).toBe(false);
  });
});
