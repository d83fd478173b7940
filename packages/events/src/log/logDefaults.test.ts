import { loadSchema } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { EVENT_EMISSION_DEFAULTS } from './logDefaults.js';

describe('event_emission library defaults', () => {
  it('equal the config schema defaults, key for key', () => {
    const defs = loadSchema('config').$defs as Record<
      string,
      { properties: Record<string, { default?: unknown }> }
    >;
    const schema = Object.fromEntries(
      Object.entries(defs.EventEmission!.properties)
        .filter(([key]) => key !== 'enabled')
        .map(([key, property]) => [key, property.default]),
    );
    expect(EVENT_EMISSION_DEFAULTS).toEqual(schema);
  });
});
