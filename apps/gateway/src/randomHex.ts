import { randomFillSync } from 'node:crypto';

/** Options of {@link createRandomHex}. */
export interface RandomHexOptions {
  /** Fills a buffer with cryptographically strong random bytes. @default crypto.randomFillSync */
  fill?: (buffer: Buffer) => void;
  /** Bytes drawn from `fill` at a time. @default 4096 */
  poolBytes?: number;
}

/**
 * A source of random lowercase hex strings (trace and span ids) that draws from a pool of
 * CSPRNG bytes refilled `poolBytes` at a time, as Node's `randomUUID` does: `randomBytes` per
 * id costs a call into OpenSSL (and a `getpid` syscall) each time, twice per tools/call.
 * No byte is handed out twice. `bytes` must be at most `poolBytes`.
 */
export function createRandomHex(options: RandomHexOptions = {}): (bytes: number) => string {
  const fill = options.fill ?? randomFillSync;
  const pool = Buffer.allocUnsafe(options.poolBytes ?? 4096);
  let offset = pool.length;
  return (bytes) => {
    if (!(bytes > 0 && bytes <= pool.length))
      throw new RangeError(`randomHex: expected 1 to ${pool.length} bytes, found ${bytes}`);
    if (offset + bytes > pool.length) {
      fill(pool);
      offset = 0;
    }
    const hex = pool.toString('hex', offset, offset + bytes);
    offset += bytes;
    return hex;
  };
}

/** The process's shared {@link createRandomHex} source. */
export const randomHex: (bytes: number) => string = createRandomHex();
