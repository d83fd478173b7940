import { describe, expect, it } from 'vitest';
import { compileForeignSchema } from './foreignSchema.js';

const forecast = {
  type: 'object',
  properties: { temperature: { type: 'number' }, city: { type: 'string', format: 'email' } },
  required: ['temperature'],
};

describe('compileForeignSchema', () => {
  it('accepts a conforming value and names the first error of one that is not', () => {
    const check = compileForeignSchema(forecast);
    expect(check({ temperature: 21 })).toEqual([]);
    const issues = check({ temperature: 'warm', city: 7 });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toBe('/temperature: expected a value of type number, found "warm"');
    expect(check({})[0]!.message).toBe('/temperature: expected a value (required), found nothing');
  });

  it('checks formats, as the MCP SDK client does', () => {
    const check = compileForeignSchema(forecast);
    expect(check({ temperature: 1, city: 'not an address' })[0]!.message).toBe(
      '/city: expected a string in email format, found "not an address"',
    );
  });

  it('compiles what a strict ajv refuses: unknown keywords, another draft, a repeated $id', () => {
    const a = {
      $id: 'https://example.com/forecast.json',
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      'x-ui': 1,
    };
    const b = { $id: 'https://example.com/forecast.json', type: 'string' };
    expect(compileForeignSchema(a)({})).toEqual([]);
    // Not registered under its $id: the second schema of the same $id is its own.
    expect(compileForeignSchema(b)({})[0]!.message).toBe(
      '(document): expected a value of type string, found {}',
    );
    expect(compileForeignSchema(true)(42)).toEqual([]);
  });

  it('throws for a schema it cannot compile', () => {
    expect(() => compileForeignSchema({ $ref: '#/$defs/missing' })).toThrow(/missing/);
  });
});
