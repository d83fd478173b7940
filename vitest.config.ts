import { defineConfig } from 'vitest/config';
import { DEFAULT_EXCLUDE, END_TO_END_TESTS } from './vitest.shared.js';

const PROJECTS = ['schemas', 'packages/*', 'apps/*', 'examples', 'conformance'];

export default defineConfig({
  test: {
    projects: [
      // Unit tests, one project per package (each excludes END_TO_END_TESTS).
      ...PROJECTS,
      // Real processes and real time, from every package: `pnpm test:e2e`. They run after the
      // unit projects, three files at a time: most of their time is spent waiting on processes
      // and timers, not on the two cores.
      {
        test: {
          name: 'e2e',
          include: PROJECTS.flatMap((dir) => END_TO_END_TESTS.map((glob) => `${dir}/${glob}`)),
          exclude: DEFAULT_EXCLUDE,
          // Processes start slower than unit code runs: a bound for a whole test, not a figure.
          testTimeout: 20_000,
          hookTimeout: 30_000,
          maxWorkers: 3,
          sequence: { groupOrder: 1 },
        },
      },
    ],
    reporters: ['default', './scripts/summaryReporter.ts'],
    // One temporary folder per run, removed at the end (scripts/testTmpdir.ts).
    globalSetup: ['./scripts/testTmpdir.ts'],
  },
});
