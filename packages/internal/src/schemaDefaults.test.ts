import { describe, expect, it } from 'vitest';
import { mergeDeep, schemaDefaults } from './schemaDefaults.js';

describe('schemaDefaults', () => {
  it('takes each default, descends into objects without one, and leaves the rest out', () => {
    const node = {
      type: 'object',
      properties: {
        interval_seconds: { type: 'integer', default: 30 },
        command: { type: 'string' },
        probes: { type: 'array', default: ['http'] },
        backoff: {
          type: 'object',
          properties: { initial_seconds: { default: 1 }, max_seconds: { default: 300 } },
        },
        env: { type: 'object', default: {}, properties: { A: { default: 'a' } } },
      },
    };
    expect(schemaDefaults(node)).toEqual({
      interval_seconds: 30,
      probes: ['http'],
      backoff: { initial_seconds: 1, max_seconds: 300 },
      env: {},
    });
    expect(Object.keys(schemaDefaults(node))).not.toContain('command');
  });

  it('gives {} for a missing node or one without properties', () => {
    expect(schemaDefaults(undefined)).toEqual({});
    expect(schemaDefaults({ type: 'string', default: 'x' })).toEqual({});
  });
});

describe('mergeDeep', () => {
  it('merges nested objects key by key, later layers winning; arrays are replaced', () => {
    const defaults = { a: 1, backoff: { initial: 1, max: 300 }, probes: ['http', 'ping'] };
    const global = { backoff: { max: 60 }, probes: ['ping'] };
    const server = { a: 2, backoff: { initial: 5 } };
    expect(mergeDeep(defaults, global, server)).toEqual({
      a: 2,
      backoff: { initial: 5, max: 60 },
      probes: ['ping'],
    });
  });

  it('skips undefined layers and undefined values, and modifies no layer', () => {
    const defaults = { a: 1, nested: { b: 2 } };
    const merged = mergeDeep(defaults, undefined, { a: undefined, nested: { b: 3 } });
    expect(merged).toEqual({ a: 1, nested: { b: 3 } });
    expect(defaults).toEqual({ a: 1, nested: { b: 2 } });
    merged.nested = null;
    expect(mergeDeep(defaults).nested).not.toBe(defaults.nested);
  });
});
