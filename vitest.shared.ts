import { defaultExclude, defineProject } from 'vitest/config';

/**
 * Test files that start real processes (the gateway, MCP servers, nats-server, Chromium) and
 * wait on real time. They run in their own project, `e2e`, so that `pnpm test:unit` runs the
 * rest in seconds; each package's project excludes them.
 */
export const END_TO_END_TESTS = ['**/*.e2e.test.ts', '**/*.integration.test.ts'];

/** Vitest's own default excludes, kept when a project adds its own, and built output. */
export const DEFAULT_EXCLUDE = [...defaultExclude, '**/dist/**'];

/**
 * A package's unit-test project: everything but END_TO_END_TESTS, run without a fresh module
 * graph per file (`isolate: false`): importing the MCP SDK and the packages once per worker
 * instead of once per file is most of what the unit suite's wall time was.
 */
export function unitProject(name: string) {
  return defineProject({
    test: { name, exclude: [...DEFAULT_EXCLUDE, ...END_TO_END_TESTS], isolate: false },
  });
}
