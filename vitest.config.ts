import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['schemas', 'packages/*', 'apps/*'],
    reporters: ['default', './scripts/summaryReporter.ts'],
  },
});
