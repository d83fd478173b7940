import { describe, expect, it } from 'vitest';
import { shallowEqual } from './memo.js';

describe('shallowEqual', () => {
  it('compares own keys by identity, one level deep', () => {
    const same = { n: 1 };
    expect(shallowEqual({ a: 1, b: same }, { a: 1, b: same })).toBe(true);
    expect(shallowEqual({ a: 1, b: { n: 1 } }, { a: 1, b: { n: 1 } })).toBe(false);
    expect(shallowEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(shallowEqual({ a: undefined }, { b: undefined })).toBe(false);
    expect(shallowEqual({ a: Number.NaN }, { a: Number.NaN })).toBe(true);
  });
});
