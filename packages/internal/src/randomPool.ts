import { randomFillSync } from 'node:crypto';

/** Options of {@link createRandomPool}. */
export interface RandomPoolOptions {
  /** Fills a buffer with cryptographically strong random bytes. @default crypto.randomFillSync */
  fill?: (buffer: Uint8Array) => void;
  /** Bytes drawn from `fill` at a time. @default 4096 */
  poolBytes?: number;
}

/** Random values drawn from one pool of CSPRNG bytes; see {@link createRandomPool}. */
export interface RandomPool {
  /** `bytes` random bytes as lowercase hex (trace and span ids); 1 ≤ `bytes` ≤ `poolBytes`. */
  hex(bytes: number): string;
  /**
   * A number in [0, 1), 256 steps apart (one byte / 256): exactly uniform over 2, 4, ... 256
   * symbols, such as ulid's 32.
   * */
  unit(): number;
}

/**
 * CSPRNG bytes refilled `poolBytes` at a time, as Node's `randomUUID` does: a `crypto` call
 * per id costs a call into OpenSSL (and a `getpid` syscall) each time, and ulid asks for 16
 * numbers per event id. No byte is handed out twice.
 * @throws RangeError when `hex` is asked for fewer than 1 or more than `poolBytes` bytes.
 */
export function createRandomPool(options: RandomPoolOptions = {}): RandomPool {
  const fill = options.fill ?? randomFillSync;
  const pool = Buffer.allocUnsafe(options.poolBytes ?? 4096);
  let offset = pool.length;
  const take = (bytes: number) => {
    if (offset + bytes > pool.length) {
      fill(pool);
      offset = 0;
    }
    const at = offset;
    offset += bytes;
    return at;
  };
  return {
    hex(bytes) {
      if (!(bytes > 0 && bytes <= pool.length))
        throw new RangeError(`randomHex: expected 1 to ${pool.length} bytes, found ${bytes}`);
      const at = take(bytes);
      return pool.toString('hex', at, at + bytes);
    },
    unit: () => pool[take(1)]! / 256,
  };
}
