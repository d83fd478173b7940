import { defineConfig } from 'vitest/config';

// Benchmarks compare ratios measured side by side in one run (these machines are shared and
// noisy); absolute figures are printed for the record, not asserted.
export default defineConfig({
  test: {
    include: ['src/**/*.bench.ts'],
    benchmark: { include: ['src/**/*.bench.ts'] },
  },
});
