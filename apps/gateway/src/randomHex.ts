import { createRandomPool } from '@selfheal/internal';

/** Random lowercase hex (trace and span ids) from the process's one pool of CSPRNG bytes. */
export const randomHex: (bytes: number) => string = createRandomPool().hex;
