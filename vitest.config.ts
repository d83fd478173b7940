import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['schemas', 'packages/*', 'apps/*', 'examples', 'conformance'],
    reporters: ['default', './scripts/summaryReporter.ts'],
    // One temporary folder per run, removed at the end (scripts/testTmpdir.ts).
    globalSetup: ['./scripts/testTmpdir.ts'],
  },
});
