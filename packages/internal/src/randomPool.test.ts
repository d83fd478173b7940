import { describe, expect, it } from 'vitest';
import { createRandomPool } from './randomPool.js';

/** A fill that writes 0, 1, 2, ... across calls, and counts its calls. */
function countingFill() {
  let next = 0;
  const fill = (buffer: Uint8Array) => {
    fill.calls++;
    for (let i = 0; i < buffer.length; i++) buffer[i] = next++ % 256;
  };
  fill.calls = 0;
  return fill;
}

describe('createRandomPool', () => {
  it('hands out consecutive pool bytes as lowercase hex, never the same byte twice', () => {
    const fill = countingFill();
    const { hex } = createRandomPool({ fill, poolBytes: 8 });
    expect(hex(2)).toBe('0001');
    expect(hex(3)).toBe('020304');
    expect(fill.calls).toBe(1);
  });

  it('refills when a request does not fit in what is left, at the pool edge exactly', () => {
    const fill = countingFill();
    const { hex } = createRandomPool({ fill, poolBytes: 8 });
    expect(hex(8)).toBe('0001020304050607');
    expect(fill.calls).toBe(1);
    expect(hex(1)).toBe('08');
    expect(fill.calls).toBe(2);
    expect(hex(6)).toBe('090a0b0c0d0e');
    expect(hex(2)).toBe('1011'); // 1 byte left: refilled, the leftover byte is skipped
    expect(fill.calls).toBe(3);
  });

  it('gives 2 hex digits per byte from the real CSPRNG, different each time', () => {
    const { hex } = createRandomPool();
    const ids = new Set(Array.from({ length: 1000 }, () => hex(16)));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('refuses sizes the pool cannot serve, naming the bound', () => {
    const { hex } = createRandomPool({ poolBytes: 8 });
    expect(() => hex(9)).toThrow(/1 to 8 bytes, found 9/);
    expect(() => hex(0)).toThrow(/found 0/);
  });

  it('unit() gives one pool byte / 256, from the same pool as hex', () => {
    const fill = countingFill();
    const pool = createRandomPool({ fill, poolBytes: 4 });
    expect(pool.hex(1)).toBe('00');
    expect([pool.unit(), pool.unit(), pool.unit()]).toEqual([1 / 256, 2 / 256, 3 / 256]);
    expect(pool.unit()).toBe(4 / 256); // refilled: the counting fill goes on at 4
    expect(fill.calls).toBe(2);
  });
});
