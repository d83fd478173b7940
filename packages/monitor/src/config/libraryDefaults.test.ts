import { configDefaults } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { LIBRARY_DEFAULTS } from './libraryDefaults.js';

/** The values of `from` at the keys `shape` has, nested. */
function pick(shape: object, from: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(shape).map(([key, value]) => [
      key,
      typeof value === 'object'
        ? pick(value as object, from[key] as Record<string, unknown>)
        : from[key],
    ]),
  );
}

describe('monitor library defaults', () => {
  it('equal the config schema defaults of the keys they cover', () => {
    expect(LIBRARY_DEFAULTS).toEqual({
      health_check: pick(LIBRARY_DEFAULTS.health_check, configDefaults('HealthCheck')),
      recovery: pick(LIBRARY_DEFAULTS.recovery, configDefaults('Recovery')),
    });
  });
});
