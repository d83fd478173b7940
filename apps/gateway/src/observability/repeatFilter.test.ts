import { describe, expect, it } from 'vitest';
import { createRepeatFilter } from './repeatFilter.js';

describe('createRepeatFilter', () => {
  const fallback = (to: string) => ({ event_type: 'fallback_used', from: 'a', to, reason: 'X' });
  const kindOf = (e: Record<string, unknown>) =>
    e.event_type === 'fallback_used' ? `${e.from}>${e.to}:${e.reason}` : undefined;

  it('keeps the first of each kind per window, and every event of no kind', () => {
    let now = 0;
    const filter = createRepeatFilter({ clock: { now: () => now }, windowMs: 1000, kindOf });
    expect(filter.repeats(fallback('b'))).toBe(false);
    expect(filter.repeats(fallback('b'))).toBe(true);
    expect(filter.repeats(fallback('c'))).toBe(false);
    expect(filter.repeats({ event_type: 'server_down' })).toBe(false);
    expect(filter.repeats({ event_type: 'server_down' })).toBe(false);
    now = 999;
    expect(filter.repeats(fallback('b'))).toBe(true);
    now = 1000;
    expect(filter.repeats(fallback('b'))).toBe(false);
  });
});
