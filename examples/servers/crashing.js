#!/usr/bin/env node
// Answers MCP normally, then exits with code 1 after CRASH_AFTER_MS (default 3000). Started
// again and again, it is a crash loop: the monitor should stop after its max attempts.
import { envNumber, startDemoServer } from './demoServer.js';

await startDemoServer({ name: 'crashing' });
setTimeout(
  () => {
    process.stderr.write('crashing: exiting on purpose\n');
    process.exit(1);
  },
  envNumber('CRASH_AFTER_MS', 3000),
);
