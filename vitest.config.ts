import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['schemas', 'packages/*', 'apps/*', 'examples'],
    reporters: ['default', './scripts/summaryReporter.ts'],
  },
});
