#!/usr/bin/env node
// Answers every MCP message (ping included) after SLOW_MS (default 2000): under the monitor's
// timeout it is healthy but slow, above it every check fails.
import { envNumber, startDemoServer } from './demoServer.js';

const slowMs = envNumber('SLOW_MS', 2000);
await startDemoServer({ name: 'slow', delayMs: () => slowMs });
