import { bench, describe } from 'vitest';
import {
  bare,
  cockatielFull,
  cockatielOpen,
  full,
  fullHedged,
  meta,
  open,
  openBreaker,
  passesSignal,
  prepare,
  swallow,
} from './resilienceStacks.js';

// Overhead of the policy stack per call, next to a bare call in the same run. Each iteration is
// one call, so the median sample is the p50 the targets name; `pnpm bench` prints the
// p50 and p99 of every row, and each row's p50 overhead over the group's first row, after
// vitest's own table (src/printPercentiles.mjs).
await prepare();

describe('resilience: a call that succeeds', () => {
  bench('bare call', async () => {
    await bare();
  });
  bench('full stack (defaults)', async () => {
    await full.execute(bare, { meta });
  });
  bench('full stack, the call reads its signal', async () => {
    await full.execute(passesSignal, { meta });
  });
  bench('full stack + hedge armed', async () => {
    await fullHedged.execute(bare, { meta });
  });
  bench('cockatiel 3.2.1 equivalent stack', async () => {
    await cockatielFull.execute(bare);
  });
});

describe('resilience: a call rejected because the breaker is open', () => {
  bench('bare call', async () => {
    await bare();
  });
  bench('full stack, open', async () => {
    await open.execute(bare, { meta }).catch(swallow);
  });
  bench('breaker alone, open', async () => {
    await openBreaker.execute(bare, { meta }).catch(swallow);
  });
  bench('cockatiel 3.2.1 breaker, open', async () => {
    await cockatielOpen.execute(bare).catch(swallow);
  });
});
