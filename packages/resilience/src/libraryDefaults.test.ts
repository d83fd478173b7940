import { describe, expect, it } from 'vitest';
import { resilienceDefaults } from './config.js';
import { LIBRARY_DEFAULTS } from './libraryDefaults.js';

describe('library defaults', () => {
  it('equal the config schema defaults of every key they cover', () => {
    const schema = resilienceDefaults() as unknown as Record<string, unknown>;
    const covered = (defaults: object, from: Record<string, unknown>): Record<string, unknown> =>
      Object.fromEntries(
        Object.entries(defaults).map(([key, value]) => [
          key,
          typeof value === 'object'
            ? covered(value as object, from[key] as Record<string, unknown>)
            : from[key],
        ]),
      );
    expect(LIBRARY_DEFAULTS).toEqual(covered(LIBRARY_DEFAULTS, schema));
  });

  it('cover every numeric or string default of the schema (the switches are config-only)', () => {
    const { enabled: _e, circuit_breaker, hedge, ...rest } = resilienceDefaults();
    const {
      enabled: _c,
      per_tool: _p,
      isolate_tools: _i,
      metrics_only: _m,
      ...breaker
    } = circuit_breaker;
    const { enabled: _h, ...hedging } = hedge;
    expect(LIBRARY_DEFAULTS).toEqual({ ...rest, circuit_breaker: breaker, hedge: hedging });
  });
});
