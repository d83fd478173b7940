import { describe, expect, it } from 'vitest';
import { parseRetryAfter, retryAfterOf } from './retryAfter.js';

const now = Date.UTC(2026, 10, 21, 10, 0, 0);

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Sat, 21 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Saturday, 21-Nov-26 10:00:30 GMT', now)).toBe(30_000);
  });

  it('never returns a negative wait for a date in the past', () => {
    expect(parseRetryAfter('Sat, 21 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });

  it('ignores what is neither', () => {
    for (const value of ['', '-5', '1.5', 'soon-ish 12', undefined, null]) {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    }
  });
});

describe('retryAfterOf', () => {
  it('finds Retry-After on the error, its headers or its response headers', () => {
    expect(retryAfterOf({ retryAfterMs: 750 }, now)).toBe(750);
    expect(retryAfterOf({ headers: { 'Retry-After': '2' } }, now)).toBe(2000);
    expect(retryAfterOf({ response: { headers: new Headers({ 'retry-after': '3' }) } }, now)).toBe(
      3000,
    );
    expect(retryAfterOf(new Error('no header'), now)).toBeUndefined();
    expect(retryAfterOf('a string', now)).toBeUndefined();
  });
});
